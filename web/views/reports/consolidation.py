"""The consolidation editor: an activity's consolidated text and „Komentář“ (versioned), its
status override, and merging the approved entries into the texts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.reports import ConfirmForm, ConsolidationForm, StatusForm
from web.extensions import db
from web.uow import confirm, fail, refusal_goes_to
from web.views.guards import requires
from web.views.reports import bp, load_activity, load_round
from workflow.consolidation import (
    activity_statuses,
    approved_parts,
    consolidate_round,
    consolidation_history,
    set_status_override,
)
from workflow.consolidation import (
    edit_consolidation as edit_consolidation_text,
)
from workflow.errors import DomainError
from workflow.models import Consolidation, StatusOverride
from workflow.permissions import Action


@bp.route("/kola/<int:round_id>/souhrn/<int:activity_id>", methods=["GET", "POST"])
@requires(Action.edit_consolidation)
def edit_consolidation(round_id: int, activity_id: int) -> ResponseReturnValue:
    """Edit an activity's consolidated text and „Komentář“ (versioned); override its status.

    A refusal is shown above the filled-in form; nothing of the request is kept."""
    round_ = load_round(round_id)
    activity = load_activity(round_, activity_id)
    consolidation = db.session.scalars(
        select(Consolidation).where(
            Consolidation.round_id == round_.id, Consolidation.activity_id == activity.id
        )
    ).first()
    history = consolidation_history(round_, activity)
    parts = approved_parts(round_).get(activity.id, [])
    override = db.session.scalars(
        select(StatusOverride).where(
            StatusOverride.round_id == round_.id, StatusOverride.activity_id == activity.id
        )
    ).first()
    form = ConsolidationForm(prefix="souhrn")
    status_form = StatusForm(prefix="stav")
    if request.method == "GET":
        form.text.data = consolidation.text if consolidation else ""
        form.comment.data = history[0].comment if history else ""
        status_form.status.data = override.status if override else ""
        status_form.reason.data = override.reason if override else ""
    elif "souhrn-text" in request.form and form.validate_on_submit():
        try:
            edit_consolidation_text(
                round_, activity, current_user, text=form.text.data, comment=form.comment.data or ""
            )
        except DomainError as exc:
            fail()
            flash(str(exc.message), "danger")
        else:
            confirm(_("Souhrn aktivity %(code)s byl uložen jako nová verze.", code=activity.code))
            code = activity.code
            return redirect(url_for(".report", round_id=round_.id, aktivita=code, _anchor=f"aktivita-{code}"))
    elif "stav-status" in request.form and status_form.validate_on_submit():
        try:
            set_status_override(
                round_,
                activity,
                current_user,
                status=status_form.status.data or None,
                reason=status_form.reason.data or "",
            )
        except DomainError as exc:
            fail()
            flash(str(exc.message), "danger")
        else:
            confirm(_("Stav plnění aktivity %(code)s byl uložen.", code=activity.code))
            return redirect(url_for(".edit_consolidation", round_id=round_.id, activity_id=activity.id))
    derived = activity_statuses(round_).get(activity.id, {})
    return render_template(
        "reports/consolidation.html",
        round=round_,
        activity=activity,
        form=form,
        status_form=status_form,
        history=history,
        parts=parts,
        derived=derived,
        override=override,
        editable=round_.state != "closed",
    )


@bp.post("/kola/<int:round_id>/souhrn/sloucit")
@requires(Action.edit_consolidation)
def consolidate(round_id: int) -> ResponseReturnValue:
    """Merge the approved entries into the consolidated texts (texts edited by hand are kept)."""
    round_ = load_round(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal_goes_to(url_for(".report", round_id=round_.id))
    changed = consolidate_round(round_, current_user)
    confirm(_("Souhrnné texty sloučeny ze schválených odpovědí: změněno %(n)d aktivit.", n=changed))
    return redirect(url_for(".report", round_id=round_.id))
