"""Notifications: the secretary's reminder controls per round and the sent-mail logs; the
administrator's outbox (failed messages, „Odeslat znovu“, the embedded ``.eml`` files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from forms.base import BaseForm
from notifications import digest, outbox, reminders
from notifications.outbox import OutboxMessage
from web.extensions import db
from web.uow import confirm
from web.views.guards import requires
from workflow import clock
from workflow.collation import czech
from workflow.models import Body, Entry, ReportingRound
from workflow.permissions import Action
from workflow.states import RoundState
from workflow.transitions import state_title

bp = Blueprint("notifications", __name__)

#: Czech titles of the e-mail kinds (template folder names under ``templates/email/``).
KIND_TITLES = {
    "round_invitation": _l("Pozvánka do kola"),
    "deadline_reminder": _l("Připomínka termínu"),
    "overdue_notice": _l("Upomínka po termínu"),
    "escalation": _l("Eskalace vedoucímu"),
    "secretary_digest": _l("Přehled pro tajemníka"),
    "reviewer_digest": _l("Přehled pro hodnotitele"),
    "entry_returned": _l("Vrácení záznamu"),
    "entry_approved_digest": _l("Přehled schválených záznamů"),
    "round_closed": _l("Uzavření kola"),
    "invitation": _l("Pozvánka do aplikace"),
    "password_reset": _l("Obnovení hesla"),
}
STATE_TITLES = {
    outbox.PENDING: _l("Čeká na odeslání"),
    outbox.SENT: _l("Odesláno"),
    outbox.FAILED: _l("Selhalo"),
}


@bp.app_template_filter("iso_date")
def iso_date(value: str | date | None) -> date | None:
    """``"2026-01-31"`` → ``date(2026, 1, 31)`` (payloads of e-mails are JSON; then ``|date``)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@bp.app_template_global("email_state_title")
def email_state_title(state: str) -> str:
    """Czech title of an entry state, for e-mail templates."""
    return state_title(state)


@bp.app_template_global("notification_kind_title")
def notification_kind_title(kind: str) -> str:
    """Czech title of an e-mail kind, e.g. „Připomínka termínu“."""
    return str(KIND_TITLES.get(kind, kind))


@bp.app_template_global("outbox_state_title")
def outbox_state_title(state: str) -> str:
    """Czech title of an outbox message state."""
    return str(STATE_TITLES.get(state, state))


# --- forms --------------------------------------------------------------------------------------
def _offsets(form: BaseForm, field: StringField) -> None:
    try:
        values = [int(part) for part in (field.data or "").replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise ValidationError(_("Zadejte počty dní oddělené čárkou, např. 14, 7, 2, 0.")) from None
    if any(v < 0 or v > 365 for v in values):
        raise ValidationError(_("Každý počet dní musí být mezi 0 a 365."))
    field.parsed = sorted(set(values), reverse=True)  # type: ignore[attr-defined]


class ReminderSettingsForm(BaseForm):
    """The round's reminder schedule."""

    offsets = StringField(_l("Připomínky před termínem (dny před termínem)"), validators=[_offsets])
    overdue_interval_days = IntegerField(
        _l("Upomínka po termínu každých (dní)"), validators=[InputRequired(), NumberRange(1, 60)]
    )
    overdue_max = IntegerField(_l("Nejvýše upomínek"), validators=[InputRequired(), NumberRange(0, 30)])
    escalation_days = IntegerField(
        _l("Eskalace vedoucímu po (dnech po termínu)"), validators=[InputRequired(), NumberRange(1, 365)]
    )


class PauseForm(BaseForm):
    """Pause or resume (CSRF only)."""

    confirm = BooleanField(default=True)


class SendNowForm(BaseForm):
    """„Odeslat připomínku teď“: one body or all late bodies."""

    body_id = SelectField(_l("Komu"), choices=[], validate_choice=False)


class ResendForm(BaseForm):
    """„Odeslat znovu“ (CSRF only)."""

    confirm = BooleanField(default=True)


# --- helpers ------------------------------------------------------------------------------------
def _round(round_id: int) -> ReportingRound:
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        abort(404)
    return round_


def _outstanding_bodies(round_: ReportingRound) -> list[dict[str, Any]]:
    """Bodies with unfinished entries in the round: counts and effective deadline (one query)."""
    deadline = reminders.effective_deadline()
    rows = db.session.execute(
        select(Body.id, Body.abbreviation, Body.name, func.count(Entry.id), func.min(deadline))
        .join(Entry, Entry.body_id == Body.id)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(Entry.round_id == round_.id, Entry.state.in_(reminders.UNFINISHED))
        .group_by(Body.id, Body.abbreviation, Body.name)
        .order_by(czech(Body.abbreviation))
    ).all()
    result = []
    for body_id, abbreviation, name, count, due in rows:
        if isinstance(due, str):
            due = date.fromisoformat(due)
        result.append(
            {"id": body_id, "abbreviation": abbreviation, "name": name, "count": count, "deadline": due}
        )
    return result


def _round_messages(round_id: int, body_id: int | None = None, limit: int = 500) -> list[OutboxMessage]:
    """Messages about the round (optionally about one body, including multi-body ones naming it)."""
    return [message for message, _items in _round_messages_with_items(round_id, body_id, limit)]


def _round_messages_with_items(
    round_id: int, body_id: int | None = None, limit: int = 500
) -> list[tuple[OutboxMessage, list[dict[str, Any]]]]:
    """As :func:`_round_messages`, each with the entries it is about: its payload's, and for a
    digest not yet sent the items appended to it (rows until it is sent; one query for all)."""
    stmt = select(OutboxMessage).where(OutboxMessage.round_id == round_id)
    if body_id is not None:
        stmt = stmt.where(or_(OutboxMessage.body_id == body_id, OutboxMessage.body_id.is_(None)))
    messages = list(
        db.session.scalars(
            stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
        )
    )
    appended = digest.items_by_message([m.id for m in messages if m.kind in digest.DIGEST_KINDS])
    found = []
    for m in messages:
        payload = m.payload or {}
        items = [*payload.get("entries", []), payload.get("entry") or {}, *appended.get(m.id, [])]
        if (
            body_id is None
            or m.body_id == body_id
            or body_id in payload.get("body_ids", [])
            or any((item.get("body") or {}).get("id") == body_id for item in items)
        ):
            found.append((m, items))
    return found


def _mentions_entry(message: OutboxMessage, items: list[dict[str, Any]], entry_id: int) -> bool:
    if entry_id in (message.payload or {}).get("entry_ids", []):
        return True
    return any(item.get("id") == entry_id for item in items)


# --- the secretary's controls -------------------------------------------------------------------
@bp.route("/kola/<int:round_id>/pripominky", methods=["GET", "POST"])
@requires(Action.manage_reminders)
def round_settings(round_id: int) -> ResponseReturnValue:
    """The round's reminder schedule (form), pause/resume, „odeslat teď“ and the log of the round."""
    round_ = _round(round_id)
    settings = db.session.get(reminders.ReminderSettings, round_.id)
    schedule = reminders.Schedule.of(settings)
    form = ReminderSettingsForm()
    if request.method == "GET":
        form.offsets.data = ", ".join(str(o) for o in schedule.offsets)
        form.overdue_interval_days.data = schedule.overdue_interval_days
        form.overdue_max.data = schedule.overdue_max
        form.escalation_days.data = schedule.escalation_days
    elif form.validate_on_submit():
        settings = reminders.settings_for(round_)
        settings.offsets = form.offsets.parsed  # type: ignore[attr-defined]
        settings.overdue_interval_days = form.overdue_interval_days.data
        settings.overdue_max = form.overdue_max.data
        settings.escalation_days = form.escalation_days.data
        settings.updated_by_id = current_user.id
        confirm(_("Plán připomínek byl uložen."))
        return redirect(url_for(".round_settings", round_id=round_.id))
    else:
        flash(_("Plán připomínek nebyl uložen, opravte zvýrazněná pole."), "danger")
    bodies = _outstanding_bodies(round_)
    send_form = SendNowForm()
    send_form.body_id.choices = [("", _("Všem subjektům po termínu"))] + [
        (str(b["id"]), f"{b['abbreviation']} – {b['name']}") for b in bodies
    ]
    today = clock.today()
    return render_template(
        "notifications/round.html",
        round=round_,
        form=form,
        schedule=schedule,
        bodies=bodies,
        send_form=send_form,
        pause_form=PauseForm(),
        messages=_round_messages(round_.id, limit=200),
        today=today,
        is_open=round_.state == RoundState.open,
    )


def _set_paused(round_id: int, paused: bool) -> ResponseReturnValue:
    round_ = _round(round_id)
    if not PauseForm().validate_on_submit():
        abort(400)
    settings = reminders.settings_for(round_)
    settings.paused = paused
    settings.updated_by_id = current_user.id
    confirm(_("Připomínky kola jsou pozastavené.") if paused else _("Připomínky kola opět běží."))
    return redirect(url_for(".round_settings", round_id=round_id))


@bp.post("/kola/<int:round_id>/pripominky/pozastavit")
@requires(Action.manage_reminders)
def pause(round_id: int) -> ResponseReturnValue:
    """Pause the round's scheduled reminders, overdue notices and escalations."""
    return _set_paused(round_id, True)


@bp.post("/kola/<int:round_id>/pripominky/obnovit")
@requires(Action.manage_reminders)
def resume(round_id: int) -> ResponseReturnValue:
    """Resume the round's scheduled reminders."""
    return _set_paused(round_id, False)


@bp.post("/kola/<int:round_id>/pripominky/odeslat")
@requires(Action.manage_reminders)
def send_now(round_id: int) -> ResponseReturnValue:
    """„Odeslat připomínku teď“ to one body (``body_id``) or all late bodies (empty)."""
    round_ = _round(round_id)
    form = SendNowForm()
    if not form.validate_on_submit():
        abort(400)
    body_id = None
    if form.body_id.data:
        try:
            body_id = int(form.body_id.data)
        except ValueError:
            abort(400)
        if db.session.get(Body, body_id) is None:
            abort(404)
    if round_.state != RoundState.open:
        flash(_("Připomínky lze posílat jen v otevřeném kole."), "danger")
        return redirect(url_for(".round_settings", round_id=round_id))
    written = reminders.send_now(round_, clock.today(), body_id=body_id)
    if written:
        confirm(_("Připomínka byla zařazena k odeslání, počet e-mailů: %(count)s.", count=written))
    else:
        confirm(
            _(
                "Nebylo co odeslat: subjekt nemá nic nedokončeného, nikdo z něj nemá aktivní účet, "
                "nebo dnešní připomínka už odešla."
            ),
            "info",
        )
    return redirect(url_for(".round_settings", round_id=round_id))


@bp.get("/kola/<int:round_id>/pripominky/subjekty/<int:body_id>")
@requires(Action.manage_reminders)
def body_log(round_id: int, body_id: int) -> ResponseReturnValue:
    """What was sent about one body in the round, when, to whom."""
    round_ = _round(round_id)
    body = db.session.get(Body, body_id) or abort(404)
    return render_template(
        "notifications/log.html",
        round=round_,
        body=body,
        entry=None,
        messages=_round_messages(round_.id, body_id=body.id),
    )


@bp.get("/zaznamy/<int:entry_id>/odeslane-zpravy")
@requires(Action.manage_reminders)
def entry_log(entry_id: int) -> ResponseReturnValue:
    """What was sent about one entry, when, to whom."""
    entry = db.session.get(Entry, entry_id) or abort(404)
    messages = [
        m
        for m, items in _round_messages_with_items(entry.round_id, body_id=entry.body_id)
        if _mentions_entry(m, items, entry.id)
    ]
    return render_template(
        "notifications/log.html", round=entry.round, body=entry.body, entry=entry, messages=messages
    )


# --- the administrator's outbox -----------------------------------------------------------------
def _eml_dir() -> Path:
    return Path(current_app.config["MAIL_OUTBOX_DIR"])


@bp.get("/sprava/odchozi-posta")
@requires(Action.manage_outbox)
def outbox_index() -> ResponseReturnValue:
    """All outbox messages, newest first (``?stav=failed`` etc. narrows), and the ``.eml`` files."""
    state = request.args.get("stav", "")
    stmt = select(OutboxMessage)
    if state in STATE_TITLES:
        stmt = stmt.where(OutboxMessage.state == state)
    messages = db.session.scalars(
        stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(300)
    ).all()
    counts = dict(
        db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    )
    folder = _eml_dir()
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.is_dir() else []
    return render_template(
        "notifications/outbox.html",
        messages=messages,
        counts=counts,
        state=state,
        states=STATE_TITLES,
        files=[{"name": f.name, "size": f.stat().st_size} for f in files],
        backend=current_app.config.get("MAIL_BACKEND"),
        resend_form=ResendForm(),
    )


@bp.post("/sprava/odchozi-posta/<int:message_id>/znovu")
@requires(Action.manage_outbox)
def resend(message_id: int) -> ResponseReturnValue:
    """„Odeslat znovu“: put a failed message back in the queue."""
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if not ResendForm().validate_on_submit():
        abort(400)
    if message.state != outbox.FAILED:
        flash(_("Znovu lze odeslat jen zprávu, jejíž odeslání selhalo."), "warning")
    else:
        outbox.resend(message)
        confirm(_("Zpráva pro %(email)s byla znovu zařazena k odeslání.", email=message.recipient_email))
    return redirect(url_for(".outbox_index", stav=request.args.get("stav", "")))


@bp.get("/sprava/odchozi-posta/soubory/<name>")
@requires(Action.manage_outbox)
def eml_file(name: str) -> ResponseReturnValue:
    """One ``.eml`` file of the embedded outbox, as a download."""
    folder = _eml_dir()
    path = folder / name
    if Path(name).name != name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    return send_file(path, mimetype="message/rfc822", as_attachment=True, download_name=name)
