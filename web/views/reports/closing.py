"""Closing a round: the checklist of what blocks closing, waivers, missing texts, and the close
itself (freeze and snapshot). Reopening is the round's own transition (``rounds.reopen``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.reports import ConfirmForm, MissingTextForm, ReasonForm
from web.extensions import db
from web.uow import confirm, refusal_goes_to
from web.views.guards import requires
from web.views.reports import bp, load_round
from workflow import closing
from workflow.models import Entry
from workflow.permissions import Action, can
from workflow.round_transitions import apply_round_transition


@bp.get("/kola/<int:round_id>/uzavreni")
@requires(Action.manage_rounds)
def closing_page(round_id: int) -> ResponseReturnValue:
    """The closing checklist: what blocks closing, waivers, the close button."""
    round_ = load_round(round_id)
    checklist = closing.closing_checklist(round_) if round_.state == "open" else None
    missing_form = MissingTextForm(formdata=None, text=str(closing.DEFAULT_MISSING_TEXT))
    return render_template(
        "reports/closing.html",
        round=round_,
        checklist=checklist,
        confirm_form=ConfirmForm(),
        reason_form=ReasonForm(),
        missing_form=missing_form,
        can_reopen=can(current_user, Action.reopen_round),
    )


@bp.post("/kola/<int:round_id>/uzavreni/prominout/<int:entry_id>")
@requires(Action.manage_rounds)
def waive(round_id: int, entry_id: int) -> ResponseReturnValue:
    """Waive one entry with a reason."""
    round_ = load_round(round_id)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.round_id != round_.id:
        abort(404)
    back = url_for(".closing_page", round_id=round_.id)
    refusal_goes_to(back)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Uveďte důvod prominutí."), "danger")
        return redirect(back)
    closing.waive_entry(entry, current_user, form.reason.data or "")
    confirm(
        _("Záznam %(code)s – %(body)s byl prominut.", code=entry.activity.code, body=entry.body.abbreviation)
    )
    return redirect(back)


def _bulk_step(round_id: int, form: Any, invalid: str, step: Callable[[Any, Any], int], done: str) -> Any:
    """A bulk step of the checklist: validate ``form`` (else flash ``invalid``), run ``step(round,
    form)`` and confirm ``done`` with its count; always back to the checklist."""
    round_ = load_round(round_id)
    back = url_for(".closing_page", round_id=round_.id)
    refusal_goes_to(back)
    if not form.validate_on_submit():
        flash(invalid, "danger")
        return redirect(back)
    confirm(done % {"count": step(round_, form)})
    return redirect(back)


@bp.post("/kola/<int:round_id>/uzavreni/prominout-zbyvajici")
@requires(Action.manage_rounds)
def waive_remaining(round_id: int) -> ResponseReturnValue:
    """Waive every entry that is neither approved nor waived, with one reason."""
    return _bulk_step(
        round_id, ReasonForm(), _("Uveďte důvod prominutí."),
        lambda round_, form: closing.waive_remaining(round_, current_user, form.reason.data or ""),
        _("Prominuto záznamů: %(count)d."),
    )


@bp.post("/kola/<int:round_id>/uzavreni/doplnit-texty")
@requires(Action.manage_rounds)
def fill_missing(round_id: int) -> ResponseReturnValue:
    """Give every activity still without a consolidated text one stated text."""
    return _bulk_step(
        round_id, MissingTextForm(), _("Souhrnný text nesmí být prázdný."),
        lambda round_, form: closing.fill_missing_texts(round_, current_user, form.text.data or ""),
        _("Text doplněn k aktivitám: %(count)d."),
    )


@bp.post("/kola/<int:round_id>/uzavreni/uzavrit")
@requires(Action.manage_rounds)
def close(round_id: int) -> ResponseReturnValue:
    """Close the round: freeze it and store the snapshot of its report."""
    round_ = load_round(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal_goes_to(url_for(".closing_page", round_id=round_.id))
    apply_round_transition(round_, "close", current_user)
    confirm(_("Kolo bylo uzavřeno a souhrnná zpráva zmrazena."))
    return redirect(url_for(".report", round_id=round_.id))
