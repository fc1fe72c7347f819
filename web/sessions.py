"""Sessions that end: the user loader, sign-in, sign-out and „Odhlásit všude“ (issue 15).

Every session cookie and every remember cookie („Zapamatovat si mě“) carries the user's
*session generation* (``User.get_id()`` is ``"<id>:<generation>"``, the identifier Flask-Login
signs into both). :func:`load_user` runs on every request that presents either cookie and refuses
a generation other than the stored one; it then drops the identifier from the session and deletes
the remember cookie in the same response. The generation is raised
(:func:`workflow.accounts.end_all_sessions`) on sign-out, on a password change or reset, on
deactivation and by „Odhlásit všude“; so each of them ends every session and remember cookie of
that user, in every browser, on that browser's next request.

Why a generation and not server-side sessions: the product is stateless behind the load balancer
(signed cookies, no session store to run, back up or expire), and every request already loads the
user row, so comparing one integer costs nothing; the trade-off is that sessions end per user, not
one device at a time (sign-out ends them all).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request, session
from flask_login import login_user, logout_user, user_loaded_from_cookie
from flask_login.config import COOKIE_NAME

from web.extensions import db
from web.uow import lasting
from workflow import clock
from workflow.accounts import end_all_sessions, user_for_request
from workflow.audit import AuditKind, record
from workflow.db import utcnow
from workflow.models import User

#: Session key of the time of the last request (seconds since the epoch), for the idle timeout.
LAST_SEEN_KEY = "last_seen"


def client_ip() -> str:
    """The client's address as the web process sees it (run behind a proxy with ProxyFix)."""
    return request.remote_addr or ""


def parse_user_id(value: object) -> tuple[int, int] | None:
    """``"12:3"`` → ``(12, 3)`` (user id, session generation); anything else → ``None``.

    A bare id (a cookie issued before generations existed) is refused: such a browser signs in once more.
    """
    user_id, sep, generation = str(value or "").partition(":")
    parts = (user_id, generation)
    if not sep or not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts):
        return None
    return int(user_id), int(generation)


def user_of_session() -> User | None:
    """The user named by the session's identifier when its generation is current, else ``None``."""
    parsed = parse_user_id(session.get("_user_id"))
    if parsed is None:
        return None
    user = db.session.get(User, parsed[0])
    if user is None or (user.session_generation or 0) != parsed[1]:
        return None
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the active user whose identifier and generation match, else ``None``.

    One statement: the user with their role assignments and today's deputyships
    (:func:`workflow.accounts.user_for_request`): what the menu and the permission checks ask.

    A refused identifier is dropped from the session and the remember cookie is deleted in this
    response, so a stale cookie is not presented again.
    """
    parsed = parse_user_id(user_id)
    user = (
        user_for_request(parsed[0], clock.today()) if parsed is not None and parsed[0] <= 2**31 - 1 else None
    )
    if user is not None and user.active and (user.session_generation or 0) == parsed[1]:  # type: ignore[index]
        return user
    session.pop("_user_id", None)
    if _remember_cookie_name() in request.cookies:
        session["_remember"] = "clear"
    return None


def _remember_cookie_name() -> str:
    return str(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))


def _signed_in_by_cookie(app: Flask, user: User, **_: object) -> None:
    """A remember cookie signed ``user`` in again: audited, and the idle clock starts now."""
    session[LAST_SEEN_KEY] = int(time.time())
    user.last_login_at = utcnow()
    ip = client_ip()
    # the audit row stands whatever the request then answers (committed by the unit of work)
    lasting(lambda: record(AuditKind.sign_in_remembered, actor=user, subject=user, ip=ip))


def init_sessions(app: Flask) -> None:
    """Audit every sign-in by remember cookie (Flask-Login's ``user_loaded_from_cookie`` signal)."""
    user_loaded_from_cookie.connect(_signed_in_by_cookie, app)


def start_session(user: User, *, remember: bool = False) -> None:
    """Renew the session (nothing from before sign-in survives) and sign ``user`` in (audited).

    Without ``remember`` a remember cookie left in the browser (perhaps another user's) is deleted.
    """
    had_cookie = _remember_cookie_name() in request.cookies
    session.clear()
    login_user(user, remember=remember)
    if not remember and had_cookie:
        session["_remember"] = "clear"
    session[LAST_SEEN_KEY] = int(time.time())
    user.last_login_at = utcnow()
    record(AuditKind.sign_in, actor=user, subject=user, ip=client_ip())


def end_browser_session() -> None:
    """Sign this browser out: the session is emptied and the remember cookie deleted in the response."""
    session.clear()
    logout_user()  # after clear(): it leaves the mark that deletes the remember cookie
    if _remember_cookie_name() in request.cookies:
        session["_remember"] = "clear"


def sign_out(user: User) -> None:
    """Sign-out: every session and remember cookie of ``user`` ends (audited); the caller commits."""
    end_all_sessions(user)
    record(AuditKind.sign_out, actor=user, subject=user, ip=client_ip())
    end_browser_session()


def renew_current_session(user: User) -> None:
    """After the generation was raised for ``user`` (password change, „Odhlásit všude“), keep this
    browser signed in under the new generation; its remember cookie, if any, is reissued."""
    remember = _remember_cookie_name() in request.cookies
    last_seen = session.get(LAST_SEEN_KEY)
    login_user(user, remember=remember)
    if last_seen is not None:
        session[LAST_SEEN_KEY] = last_seen


def sign_out_everywhere(user: User) -> None:
    """„Odhlásit všude“: end every other session and remember cookie of ``user``; this one stays."""
    end_all_sessions(user)
    record(AuditKind.sessions_ended, actor=user, subject=user, ip=client_ip())
    renew_current_session(user)
