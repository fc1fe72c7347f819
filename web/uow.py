"""The transaction boundary of a request, and the one handler of the domain's refusals.

Every request is one unit of work (:func:`workflow.db.unit_of_work` is the same rule for CLI
commands and Celery tasks):

* **success** – the response has a status below 400 and nothing was raised: the session is
  committed once, after the view, then the messages queued with :func:`confirm` are flashed;
* **failure** – an exception (a :class:`~workflow.errors.DomainError`, ``abort()``, anything
  unexpected) or an error response (status 400 and above): the session is rolled back and the
  queued confirmations are dropped, so a page never says „saved“ about what was not;
* **a failing commit** – the database refuses at commit time (:class:`~sqlalchemy.exc.IntegrityError`,
  :class:`~sqlalchemy.orm.exc.StaleDataError`: somebody else changed or removed the same rows):
  the session is rolled back and the request answers 409 (the error page, or problem JSON under
  ``/api/``) instead of the view's response, so nothing is half applied.

A record that must stand whatever the answer (a token's use, a throttled sign-in, an expired
session) is written through :func:`lasting`: after a rollback it is written again on its own and
committed.

Views therefore call services and return; they never commit or roll back (a test checks that no
file under ``web/views/`` does).

Refusals: :func:`refused` answers every :class:`~workflow.errors.DomainError` — a page flashes the
message („danger“) and redirects back (:func:`back_url`), the API (``/api/…``) answers
``application/problem+json`` (RFC 9457) with the error's status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.http import HTTP_STATUS_CODES

from web.extensions import db
from workflow.db import end_read_only
from workflow.errors import DomainError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Errors of a commit that mean „the data changed under you“: answered with 409, never a 500.
COMMIT_CONFLICTS = (IntegrityError, StaleDataError)
#: The media type of an RFC 9457 problem document.
PROBLEM_JSON = "application/problem+json"


@dataclass
class _Unit:
    """The state of the current request's unit of work (kept in ``g``)."""

    confirmations: list[tuple[str, str]] = field(default_factory=list)
    committed: list[Callable[[], object]] = field(default_factory=list)
    lasting: list[Callable[[], object]] = field(default_factory=list)
    failed: bool = False
    keep: bool = False
    started: bool = False
    done: bool = False


def _unit() -> _Unit:
    unit = g.get("_unit_of_work")
    if unit is None:
        unit = g._unit_of_work = _Unit()
    return unit


def confirm(message: Any, category: str = "success") -> None:
    """Queue a confirmation for the user; it is flashed only after the commit succeeded.

    :param message: Czech text (or a lazy translation) shown on the next page.
    :param category: Bootstrap alert category (``success``, ``info``, ``warning``).
    """
    _unit().confirmations.append((str(message), category))


def attempt(action: Callable[[], T], done: Any | Callable[[T], Any]) -> bool:
    """Run ``action`` (a service call) for a form page that shows a refusal above the filled-in
    form instead of redirecting back.

    :param done: the confirmation, or a function of the action's result that gives it; queued
        with :func:`confirm` (flashed after the commit).
    :returns: ``True`` when the service did it; ``False`` when it refused (a
        :class:`~workflow.errors.DomainError`): the request is rolled back (:func:`fail`) and the
        refusal flashed as „danger“.
    """
    try:
        result = action()
    except DomainError as exc:
        fail()
        flash(str(exc.message), "danger")
        return False
    confirm(done(result) if callable(done) else done)
    return True


def when_committed(action: Callable[[], object]) -> None:
    """Run ``action`` once the request's changes are committed (never when they are rolled back):
    e.g. hand a new row's id to a worker, which must find the row. An error of ``action`` is
    logged; the committed changes stand."""
    _unit().committed.append(action)


def lasting(write: Callable[[], T]) -> T:
    """Run ``write`` now, and once more after a rollback, so its rows are committed in any case.

    For security records that must survive a refused or failed request (the use of a token, a
    throttled sign-in, an expired session). ``write`` must be safe to run again on the rolled-back
    session (it only adds rows or stamps columns).

    :returns: what ``write`` returned.
    """
    result = write()
    if has_request_context():
        _unit().lasting.append(write)
    return result


def keep_changes() -> None:
    """Commit this request's changes although it answers with an error status (e.g. a draft is
    saved and the page says with 422 why it cannot be submitted yet). An exception still rolls
    everything back."""
    _unit().keep = True


def fail() -> None:
    """Mark the request as failed: the boundary rolls back (called by the error handlers, and by a
    view that answers a refusal with its own page, e.g. the conflict page).

    The session is rolled back at once, so whatever the error page still reads comes from the
    database, not from the abandoned changes.
    """
    unit = _unit()
    unit.failed = True
    unit.confirmations.clear()
    unit.committed.clear()
    _rollback()


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: drop the session, the pool replaces the connection
        db.session.remove()


def _write_lasting(unit: _Unit) -> None:
    """Write the :func:`lasting` records again after a rollback and commit them on their own."""
    if not unit.lasting:
        return
    try:
        for write in unit.lasting:
            write()
        db.session.commit()
    except Exception:
        log.exception("lasting records of a failed request could not be written")
        _rollback()
    unit.lasting.clear()


def _begin() -> None:
    """``before_request``: a fresh unit for every request (``g`` may outlive one request when a
    caller pushes one application context for several, as tests do)."""
    g._unit_of_work = _Unit(started=True)


#: ``Session.info`` key: the session has flushed changes since its last commit or rollback.
WROTE = "uow_wrote"


def _mark_written(session: Session, flush_context: Any) -> None:
    session.info[WROTE] = True


def _forget_writes(session: Session, *args: Any) -> None:
    session.info.pop(WROTE, None)


def _has_writes() -> bool:
    """Whether the request changed anything (pending objects, or changes already flushed)."""
    session = db.session
    return bool(session.new or session.dirty or session.deleted or session.info.get(WROTE))


def _finish(response: Response) -> Response:
    """``after_request``: commit on success, roll back on failure (see the module docstring).

    A request that changed nothing ends its transaction with ``COMMIT`` when it sent only
    ``SELECT`` statements (:func:`workflow.db.end_read_only`: the driver keeps its prepared
    statements, which a rollback drops); otherwise the transaction ends when the session is
    removed with the application context, by a rollback.
    """
    unit = _unit()
    if unit.done:
        return response
    unit.done = True
    if unit.failed or (response.status_code >= 400 and not unit.keep):
        _rollback()
        unit.confirmations.clear()
        unit.committed.clear()
        _write_lasting(unit)
        return response
    if not _has_writes():
        end_read_only(db.session())  # COMMIT, not the rollback that would drop prepared statements
        _after_commit(unit)
        return response
    try:
        db.session.commit()
    except COMMIT_CONFLICTS as exc:
        _rollback()
        log.warning("commit refused (%s): the request is answered 409", exc.__class__.__name__)
        unit.confirmations.clear()
        unit.committed.clear()
        _write_lasting(unit)
        return _conflict_response()
    _after_commit(unit)
    return response


def _after_commit(unit: _Unit) -> None:
    """Run the :func:`when_committed` actions, then flash the :func:`confirm` messages."""
    for action in unit.committed:
        try:
            action()
        except Exception:
            log.exception("an action after the commit failed")
    unit.committed.clear()
    for message, category in unit.confirmations:
        flash(message, category)
    unit.confirmations.clear()


def _teardown(exc: BaseException | None) -> None:
    """``teardown_request``: a dispatched request that never reached :func:`_finish` (an
    exception that propagated) is rolled back. A bare ``test_request_context()`` dispatches
    nothing and is left alone."""
    unit = g.get("_unit_of_work")
    if unit is None or unit.done or not unit.started:
        return
    unit.done = True
    _rollback()


def is_api() -> bool:
    """Whether the current request goes to the JSON API (``/api/…``)."""
    return request.path.startswith("/api/")


def problem(status: int, detail: str, *, code: str | None = None) -> Response:
    """An RFC 9457 problem document: ``type``, ``title``, ``status``, ``detail``.

    :param status: HTTP status of the answer.
    :param detail: what went wrong, for the caller (already translated).
    :param code: short machine code of the kind of problem (the tail of ``type``); without one the
        type is ``about:blank`` and the title is the status's standard phrase.
    """
    body = {
        "type": f"urn:plneni:problem:{code}" if code else "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    return current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype=PROBLEM_JSON
    )


def _conflict_response() -> Response:
    message = _("Data mezitím změnil někdo jiný, nic z vašeho požadavku nebylo uloženo. Načtěte "
                "stránku znovu a zopakujte akci.")
    if is_api():
        return problem(409, message, code="conflict")
    return current_app.make_response((render_template("errors/error.html", code=409, detail=message), 409))


def back_url(fallback: str | None = None) -> str:
    """Where a refused page request returns: the same-site referrer, else ``fallback``, else the home.

    The referrer is followed only when it points to this host (no open redirect) and is not the
    URL of a GET that was just refused (no redirect loop).
    """
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        same_site = parts.netloc in ("", request.host) and parts.scheme in ("", "http", "https")
        path = parts.path or "/"
        if same_site and path.startswith("/") and not path.startswith("//") and "\\" not in path:
            target = path + (f"?{parts.query}" if parts.query else "")
            if not (request.method == "GET" and target == request.full_path.rstrip("?")):
                return target
    return fallback or url_for("main.index")


def refused(exc: DomainError) -> ResponseReturnValue:
    """The one handler of the domain's refusals (rolls back first, then answers).

    Pages: the message is flashed as „danger“ and the user goes back (:func:`back_url`, or the
    ``back`` a view stored with :func:`refusal_goes_to`). API: problem JSON with ``exc.status``.
    """
    fail()
    if is_api():
        return problem(exc.status, str(exc.message), code=exc.code)
    flash(str(exc.message), "danger")
    return redirect(back_url(g.get("_refusal_target")))


def flash_form_errors(form: Any) -> None:
    """Flash every validation message of a WTForms ``form`` in one „danger“ message (for a POST
    that redirects back instead of rendering the form again)."""
    flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")


def refusal_goes_to(url: str) -> None:
    """Name the page a refusal of this request returns to (instead of the referrer)."""
    g._refusal_target = url


def init_app(app: Flask) -> None:
    """Install the unit of work and the refusal handler on ``app``.

    Call it after the security headers (Talisman) and before the security gate: its
    ``before_request`` must run before the gate (which records through :func:`lasting`), and
    ``after_request`` hooks run in reverse order, so the security headers also dress a 409 that
    replaces the view's answer.
    """
    if not event.contains(Session, "after_flush", _mark_written):
        event.listen(Session, "after_flush", _mark_written)
        event.listen(Session, "after_commit", _forget_writes)
        event.listen(Session, "after_soft_rollback", _forget_writes)
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_teardown)
    app.register_error_handler(DomainError, refused)
