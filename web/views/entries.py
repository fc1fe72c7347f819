"""Entry pages: the read-only detail, the form (drafts, autosave, submit), transitions, the
conflict page, history with word diffs, comments and evidence (links, attachments).

Refusals (docs/workflow.md): an entry the user may not see is **404** (like a missing id); a
visible entry on which the action is not allowed is **403** for pages and a flash message for
the workflow's own refusals (wrong state, self-approval, missing reason), raised as
:class:`~workflow.errors.DomainError` and answered by :func:`web.uow.refused`. The request's unit
of work (:mod:`web.uow`) commits; views never do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload, with_expression
from sqlalchemy.orm.exc import StaleDataError

from forms.entries import AttachmentForm, CommentForm, EntryForm, LinkForm, TransitionForm
from web.extensions import cache, csrf, db
from web.redirects import safe_next
from web.uow import confirm as confirm_done
from web.uow import fail, flash_form_errors, keep_changes, refusal_goes_to
from workflow import clock
from workflow import entries as svc
from workflow.errors import DomainError
from workflow.models import (
    Activity,
    Attachment,
    Entry,
    EntryComment,
    EntryTransition,
    EvidenceLink,
    Plan,
    ReportingRound,
    User,
)
from workflow.models.rounds import ANSWER_FIELDS
from workflow.my_tasks import next_open_task
from workflow.permissions import can_view_entry, can_view_internal
from workflow.states import ENTRY_STATE_TITLES, ROUND_STATE_TITLES, EntryState, RoundState
from workflow.transitions import (
    EDITABLE_STATES,
    TRANSITIONS,
    ActingAs,
    Actor,
    IncompleteEntry,
    NotAllowed,
    StaleEntry,
    acting_as,
    allowed_transitions,
)

bp = Blueprint("entries", __name__)

#: Bootstrap badge classes per entry state.
STATE_BADGES = {
    EntryState.not_started: "text-bg-light border",
    EntryState.draft: "text-bg-info",
    EntryState.submitted: "text-bg-primary",
    EntryState.returned: "text-bg-warning",
    EntryState.approved: "text-bg-success",
}
SUCCESS = {
    "submit": _l("Záznam byl odeslán ke kontrole."),
    "send_back": _l("Záznam byl vrácen k doplnění."),
    "approve": _l("Záznam byl schválen."),
    "reopen": _l("Záznam byl znovu otevřen k úpravám."),
}


@bp.app_template_global()
def entry_state_title(state: str) -> str:
    """Czech title of an entry state."""
    try:
        return str(ENTRY_STATE_TITLES[EntryState(state)])
    except ValueError:
        return state


@bp.app_template_global()
def entry_state_badge(state: str) -> str:
    """Badge classes of an entry state."""
    try:
        return STATE_BADGES[EntryState(state)]
    except ValueError:
        return "text-bg-secondary"


@bp.app_template_global()
def round_state_title(state: str) -> str:
    """Czech title of a round state."""
    try:
        return str(ROUND_STATE_TITLES[RoundState(state)])
    except ValueError:
        return state


@bp.app_template_global()
def fulfilment_title(value: str | None) -> str:
    """Czech title of a fulfilment status."""
    return svc.fulfilment_title(value)


@bp.app_template_global()
def days_left(deadline: Any) -> int | None:
    """Days from today (Prague) to ``deadline``; negative when past."""
    return None if deadline is None else (deadline - clock.today()).days


#: What a page of one entry reads besides the entry, loaded with it in one statement (the form's GET):
#: the round, the body, the activity and of its plan which attributes the pages show, the entry it
#: was carried over from with its round's title, the evidence.
PAGE_LOADS = (
    # the latest reason it came back with (:func:`_last_reason`): its id, in the same statement
    with_expression(
        Entry.last_reason_id,
        select(EntryTransition.id)
        .where(EntryTransition.entry_id == Entry.id, EntryTransition.name.in_(["send_back", "reopen"]))
        .order_by(EntryTransition.id.desc())
        .limit(1)
        .scalar_subquery(),
    ),
    # whether it has a thread to read at all (most have none: :func:`svc.visible_comments`)
    with_expression(Entry.has_comments, exists().where(EntryComment.entry_id == Entry.id)),
    # the round without its change counter (the sum of its slots: no entry page shows it)
    joinedload(Entry.round, innerjoin=True).defer(ReportingRound.change_counter),
    joinedload(Entry.body, innerjoin=True),  # the title and breadcrumbs (a reviewer has no bodies loaded)
    # of the plan, which attributes its pages show; of the answer carried over, what the pages show
    # of it (the columns read cost each page: 164 of them took a tenth of the form's CPU)
    joinedload(Entry.activity, innerjoin=True)
    .joinedload(Activity.plan, innerjoin=True)
    .load_only(Plan.hidden_attributes),
    joinedload(Entry.carried_from)
    .load_only(Entry.round_id, Entry.state, Entry.text, Entry.fulfilment_status)
    .joinedload(Entry.round)
    .load_only(ReportingRound.title),
    # the evidence list: a few rows each, so joining both multiplies the entry's row only a little
    joinedload(Entry.links),
    joinedload(Entry.attachments),
)


#: The entry with :data:`PAGE_LOADS`, built once (SQLAlchemy computes the cache key of a statement
#: with this many loader options once, not on every request).
_EAGER_ENTRY = select(Entry).where(Entry.id == bindparam("entry_id")).options(*PAGE_LOADS)


def load_entry(entry_id: int, *, lock: bool = False, eager: bool = False) -> Entry:
    """The entry if the current user may see it, else 404 (also for ids that do not exist);
    ``eager``: with its round, activity, node, the entry it was carried over from and its
    evidence (:data:`PAGE_LOADS`) in the same statement."""
    if lock:
        entry = svc.entry_for_update(entry_id)
    elif eager:
        entry = db.session.execute(_EAGER_ENTRY, {"entry_id": entry_id}).unique().scalar_one_or_none()
    else:
        entry = db.session.get(Entry, entry_id)
    if entry is None or not can_view_entry(current_user, entry):
        abort(404)
    return entry


def _storage_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "attachments"


def _page_context(
    entry: Entry, *, transitions: bool = True, as_of: ActingAs | None = None
) -> dict[str, Any]:
    """What the entry's pages show around it; ``transitions``: with the transition buttons (the
    detail page; the form has none); ``as_of``: the user's capacities if already resolved."""
    as_of = as_of or acting_as(current_user, entry)
    context = {
        "entry": entry,
        "as_of": as_of,
        "is_body": Actor.body in as_of.kinds,
        "is_reviewer": bool(as_of.kinds & {Actor.reviewer, Actor.secretary}),
        "can_edit": Actor.body in as_of.kinds and entry.round.is_open and entry.state in EDITABLE_STATES,
        "comments": svc.visible_comments(entry, current_user),
        "can_comment": bool(as_of.kinds),
        "can_internal": can_view_internal(current_user, entry),
        "previous": svc.previous_answer(entry),
        "returned_reason": _last_reason(entry),
    }
    if transitions:
        context["transitions"] = allowed_transitions(entry, current_user, as_of=as_of)
        context["transition_form"] = TransitionForm(version=entry.version)
    return context


def _last_reason(entry: Entry) -> EntryTransition | None:
    """The latest transition with a reason (return or reopen) while the entry is back with the body.
    Its id comes with the entry from the pages' statement (:data:`PAGE_LOADS`): read only when
    there is one; an entry loaded otherwise asks for it."""
    if entry.state not in (EntryState.returned, EntryState.draft) or entry.first_submitted_at is None:
        return None  # never submitted: never sent back or reopened either
    if "last_reason_id" in entry.__dict__:
        reason_id = entry.last_reason_id
        return db.session.get(EntryTransition, reason_id) if reason_id is not None else None
    return db.session.scalar(_LAST_REASON, {"entry_id": entry.id})


#: :func:`_last_reason`'s statement, built once (its cache key then computed once).
_LAST_REASON = (
    select(EntryTransition)
    .where(EntryTransition.entry_id == bindparam("entry_id"))
    .where(EntryTransition.name.in_(["send_back", "reopen"]))
    .order_by(EntryTransition.id.desc())
    .limit(1)
)


@bp.get("/zaznamy/<int:entry_id>")
@login_required
def detail(entry_id: int) -> ResponseReturnValue:
    """Read-only page of one entry with the buttons of the transitions the user may fire now."""
    entry = load_entry(entry_id, eager=True)
    context = _page_context(entry)
    if context["is_body"] and not context["can_edit"]:  # sent: lead on to the next open task
        context["next_task"] = next_open_task(current_user, entry, clock.today(), cache)
    return render_template("entries/detail.html", **context)


def _edit_page(
    entry: Entry,
    form: EntryForm,
    *,
    missing: dict[str, str] | None = None,
    status: int = 200,
    as_of: ActingAs | None = None,
) -> ResponseReturnValue:
    for name, message in (missing or {}).items():
        if hasattr(form, name):
            getattr(form, name).errors = [*getattr(form, name).errors, message]
    context = _page_context(entry, transitions=False, as_of=as_of)
    context.update(
        form=form,
        missing=missing or {},
        link_form=LinkForm(),
        attachment_form=AttachmentForm(),
        text_guidance=svc.TEXT_GUIDANCE,
        text_limit=svc.TEXT_LIMIT,
    )
    return render_template("entries/edit.html", **context), status


def _require_edit(entry: Entry) -> ActingAs:
    """The user's capacities for ``entry``; 403 unless they act for its body."""
    as_of = acting_as(current_user, entry)
    if Actor.body not in as_of.kinds:
        abort(403)
    return as_of


@bp.route("/zaznamy/<int:entry_id>/upravit", methods=["GET", "POST"])
@login_required
def edit(entry_id: int) -> ResponseReturnValue:
    """The entry form: „Uložit rozpracované“ saves without validation; „Odeslat ke kontrole“
    saves, then validates and submits (errors named and linked to their fields)."""
    entry = load_entry(entry_id, lock=request.method == "POST", eager=request.method == "GET")
    as_of = _require_edit(entry)  # resolved once for the checks and the page
    refusal_goes_to(url_for(".detail", entry_id=entry_id))
    if request.method == "GET":
        form = EntryForm(obj=entry, version=entry.version)
        missing = svc.missing_for_submit(entry) if request.args.get("kontrola") else None
        return _edit_page(entry, form, missing=missing, as_of=as_of)
    form = EntryForm()
    if not form.validate():
        return _edit_page(entry, form, status=422, as_of=as_of)
    action = request.form.get("action", "save")
    submitting = action == "submit"
    try:  # a form without its version (0 never matches) is treated as stale, never saved blindly
        svc.save_draft(
            entry,
            current_user,
            form.answer(),
            expected_version=form.expected_version() or 0,
            as_of=as_of,
            flush=not submitting,  # a submit writes the answer with its new state in one UPDATE
        )
    except StaleEntry as exc:
        fail()
        return _conflict(exc.entry, form)
    except StaleDataError:
        fail()
        return _conflict(load_entry(entry_id), form)
    except svc.InvalidAnswer as exc:
        fail()
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        return _edit_page(entry, form, status=422, as_of=as_of)
    if not submitting:
        confirm_done(_("Rozpracovaný záznam byl uložen."))
        return redirect(url_for(".edit", entry_id=entry_id))
    refusal_goes_to(url_for(".edit", entry_id=entry_id))
    try:
        svc.apply_transition(entry, "submit", current_user, as_of=as_of)
    except StaleDataError:  # the row changed under the answer's UPDATE (the row lock prevents it)
        fail()
        return _conflict(load_entry(entry_id), form)
    except IncompleteEntry as exc:
        keep_changes()  # the draft stays saved; the page says what submitting still needs
        db.session.flush()  # the answer's UPDATE: the form below carries the version it makes
        flash(_("Záznam je uložen jako rozpracovaný, ale zatím jej nelze odeslat."), "warning")
        # the saved answer and its version, not the posted form (whose version is now stale)
        form = EntryForm(formdata=None, obj=entry, version=entry.version)
        return _edit_page(entry, form, missing=exc.errors, status=422, as_of=as_of)
    confirm_done(SUCCESS["submit"])
    return redirect(url_for(".detail", entry_id=entry_id))


def _conflict(
    current: Entry, form: EntryForm, *, action: str | None = None, comment: str = ""
) -> ResponseReturnValue:
    """The conflict page: the saved version and the user's version side by side with a diff; the
    user's version stays in a form that now carries the current version, so nothing is lost."""
    db.session.refresh(current)
    mine = form.answer() if form is not None else {}
    resolve = EntryForm(formdata=None, data=mine) if form is not None else None
    if resolve is not None:
        resolve.version.data = current.version
    return render_template(
        "entries/conflict.html",
        entry=current,
        mine=mine,
        resolve=resolve,
        action=action,
        comment=comment,
        fields=ANSWER_FIELDS,
        form_fields=EntryForm(formdata=None),
        diff=svc.word_diff(current.text or "", (mine.get("text") or "") if mine else ""),
        transition_form=TransitionForm(version=current.version, comment=comment),
        can_edit=Actor.body in acting_as(current_user, current).kinds and current.state in EDITABLE_STATES,
    ), 409


@bp.post("/zaznamy/<int:entry_id>/autosave")
@login_required
def autosave(entry_id: int) -> ResponseReturnValue:
    """htmx autosave (every ~20 s and on leaving a field): a status fragment, always 200 so htmx
    swaps it; the fragment updates the form's version out of band, or stops autosaving on a
    conflict."""
    entry = load_entry(entry_id, lock=True)
    _require_edit(entry)
    form = EntryForm()
    status, message = "saved", ""
    if not form.validate():
        status, message = "invalid", _("Neuloženo. Opravte prosím: %(fields)s", fields=form.error_summary())
    else:
        try:
            svc.save_draft(entry, current_user, form.answer(), expected_version=form.expected_version() or 0)
            db.session.flush()  # a concurrent change of the row shows here (StaleDataError)
        except (StaleEntry, StaleDataError):
            fail()
            status = "conflict"
        except DomainError as exc:
            fail()
            status, message = "error", exc.message
    return render_template("entries/_autosave_status.html", status=status, message=message, entry=entry)


@bp.post("/zaznamy/<int:entry_id>/prevzit")
@login_required
def confirm(entry_id: int) -> ResponseReturnValue:
    """Confirm the answer carried over from the last round as still true."""
    entry = load_entry(entry_id, lock=True)
    _require_edit(entry)
    form = TransitionForm()
    refusal_goes_to(url_for(".edit", entry_id=entry_id))
    try:
        svc.confirm_carry_over(entry, current_user, expected_version=_int(form.version.data))
    except StaleEntry:
        fail()
        flash(_("Záznam mezitím změnil někdo jiný. Zkontrolujte prosím aktuální znění."), "warning")
    else:
        confirm_done(_("Převzatý text byl potvrzen. Můžete jej doplnit a odeslat."))
    return redirect(url_for(".edit", entry_id=entry_id))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.post("/zaznamy/<int:entry_id>/akce/<name>")
@login_required
def transition(entry_id: int, name: str) -> ResponseReturnValue:
    """Fire a transition (buttons of the detail and review pages). A repeated click finds the
    state already changed and applies nothing."""
    entry = load_entry(entry_id, lock=True)
    t = TRANSITIONS.get(name)
    if t is None or t.implicit:
        abort(404)
    form = TransitionForm()
    back = safe_next(request.form.get("next")) or url_for(".detail", entry_id=entry_id)
    comment = form.comment.data or ""
    refusal_goes_to(back)
    try:
        svc.apply_transition(
            entry, name, current_user, comment=comment, expected_version=_int(form.version.data)
        )
    except NotAllowed:  # no capacity for this action at all: forbidden, whatever the version said
        fail()
        abort(403)
    except StaleEntry:
        fail()
        last = db.session.scalar(
            select(EntryTransition)
            .where(EntryTransition.entry_id == entry_id)
            .order_by(EntryTransition.id.desc())
            .limit(1)
        )
        if (
            last is not None
            and last.name == name
            and last.actor_id == current_user.id
            and entry.state == t.target
        ):
            flash(_("Tato akce už byla provedena."), "info")
            return redirect(back)
        return _conflict(entry, None, action=name, comment=comment)  # type: ignore[arg-type]
    except IncompleteEntry as exc:
        fail()
        flash(exc.message, "warning")
        return redirect(url_for(".edit", entry_id=entry_id, kontrola=1))
    confirm_done(SUCCESS.get(name, _("Hotovo.")))
    return redirect(back)


@bp.get("/zaznamy/<int:entry_id>/historie")
@login_required
def history(entry_id: int) -> ResponseReturnValue:
    """Transitions with actor, acted-for, time and comment; each version's word diff."""
    entry = load_entry(entry_id)
    blank = EntryForm(formdata=None)
    labels = {name: blank[name].label.text for name in ANSWER_FIELDS}
    return render_template(
        "entries/history.html",
        labels=labels,
        entry=entry,
        items=svc.entry_history(entry),
        comments=svc.visible_comments(entry, current_user),
        editors=[db.session.get(User, i) for i in entry.editor_ids or []],
        assessments=[v for v in svc.assessment_history(entry)
                     if v.public or can_view_internal(current_user, entry)],
    )


@bp.post("/zaznamy/<int:entry_id>/komentare")
@login_required
def comment(entry_id: int) -> ResponseReturnValue:
    """Add a comment to the thread (reviewers may mark it internal)."""
    entry = load_entry(entry_id)
    form = CommentForm()
    back = safe_next(request.form.get("next")) or url_for(".detail", entry_id=entry_id)
    if not form.validate():
        flash(_("Napište komentář."), "warning")
        return redirect(back)
    refusal_goes_to(back + "#komentare")
    svc.add_comment(entry, current_user, form.text.data or "", internal=bool(form.internal.data))
    confirm_done(_("Komentář byl přidán."))
    return redirect(back + "#komentare")


@bp.post("/zaznamy/<int:entry_id>/odkazy")
@login_required
def add_link(entry_id: int) -> ResponseReturnValue:
    """Add a link as evidence."""
    entry = load_entry(entry_id)
    _require_edit(entry)
    form = LinkForm()
    refusal_goes_to(url_for(".edit", entry_id=entry_id) + "#dukazy")
    if form.validate():
        svc.add_link(entry, current_user, form.url.data or "", form.label.data or "")
        confirm_done(_("Odkaz byl přidán."))
    else:
        flash_form_errors(form)
    return redirect(url_for(".edit", entry_id=entry_id) + "#dukazy")


@bp.post("/zaznamy/<int:entry_id>/odkazy/<int:link_id>/smazat")
@login_required
def delete_link(entry_id: int, link_id: int) -> ResponseReturnValue:
    """Remove a link."""
    entry = load_entry(entry_id)
    _require_edit(entry)
    link = db.session.get(EvidenceLink, link_id)
    if link is None or link.entry_id != entry.id:
        abort(404)
    refusal_goes_to(url_for(".edit", entry_id=entry_id) + "#dukazy")
    svc.remove_link(link, current_user)
    confirm_done(_("Odkaz byl odebrán."))
    return redirect(url_for(".edit", entry_id=entry_id) + "#dukazy")


@bp.post("/zaznamy/<int:entry_id>/prilohy")
@csrf.exempt  # the token is checked by the form after the larger upload limit is set
@login_required
def upload(entry_id: int) -> ResponseReturnValue:
    """Upload an attachment (≤ ``MAX_ATTACHMENT_MB``; type by content). A larger request is cut
    off by Werkzeug with the Czech 413 page before the form is read."""
    max_bytes = int(current_app.config.get("MAX_ATTACHMENT_BYTES", svc.MAX_ATTACHMENT_BYTES))
    request.max_content_length = max_bytes + 1024 * 1024
    entry = load_entry(entry_id)
    _require_edit(entry)
    form = AttachmentForm()
    if not form.validate():
        flash_form_errors(form)
        return redirect(url_for(".edit", entry_id=entry_id) + "#dukazy")
    upload_file = form.file.data
    refusal_goes_to(url_for(".edit", entry_id=entry_id) + "#dukazy")
    svc.store_attachment(
        entry,
        current_user,
        upload_file.filename or "",
        upload_file.stream,
        _storage_dir(),
        max_bytes=max_bytes,
    )
    confirm_done(_("Příloha byla nahrána."))
    return redirect(url_for(".edit", entry_id=entry_id) + "#dukazy")


def _attachment(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not can_view_entry(current_user, attachment.entry):
        abort(404)
    return attachment


@bp.get("/prilohy/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> ResponseReturnValue:
    """Send an attachment to someone who may see its entry (never from a static path)."""
    attachment = _attachment(attachment_id)
    path = svc.attachment_path(attachment, _storage_dir())
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/prilohy/<int:attachment_id>/smazat")
@login_required
def delete_attachment(attachment_id: int) -> ResponseReturnValue:
    """Remove an attachment (row and file)."""
    attachment = _attachment(attachment_id)
    entry_id = attachment.entry_id
    _require_edit(attachment.entry)
    refusal_goes_to(url_for(".edit", entry_id=entry_id) + "#dukazy")
    svc.remove_attachment(attachment, current_user, _storage_dir())
    confirm_done(_("Příloha byla odebrána."))
    return redirect(url_for(".edit", entry_id=entry_id) + "#dukazy")
