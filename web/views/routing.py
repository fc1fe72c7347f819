"""The plan's resolution page (issue 14 §3): unrecognised names of „Odpovědnost“, each decided
once (preview first), defaults confirmed, activities routed explicitly; a group of bodies edited.

Views call :mod:`workflow.routing.resolution` and return; the transaction is web/uow.py's.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from forms.rounds import as_choices
from forms.routing import ActionForm, ActivityRoutingForm, DecisionForm, GroupForm
from web.extensions import db
from web.uow import confirm, flash_form_errors, refusal_goes_to
from web.views.guards import requires
from workflow.collation import czech
from workflow.models import Activity, Body, Plan
from workflow.permissions import Action
from workflow.routing import group_editing
from workflow.routing import resolution as svc
from workflow.routing.resolution import default_abbreviation, review_reasons

bp = Blueprint("routing", __name__)


@bp.app_template_global("routing_reason")
def routing_reason(activity: Activity) -> str:
    """Why ``activity`` is „k revizi“ (its real cause), for any page that shows the flag."""
    if not activity.routing_needs_review:
        return ""
    default = default_abbreviation(activity.plan)
    return review_reasons([activity], default).get(activity.id, "")


def _plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan


def _acting_on(plan_id: int) -> tuple[Plan, str]:
    """The plan of a POST on its resolution page and the page's URL, where the answer (and a
    refusal) returns."""
    back = url_for(".page", plan_id=plan_id)
    refusal_goes_to(back)
    return _plan(plan_id), back


def _bodies() -> list[Body]:
    return list(db.session.scalars(select(Body).order_by(czech(Body.abbreviation))))


def _decision_form(bodies: list[Body]) -> DecisionForm:
    form = DecisionForm()
    labels = [(b.id, b.label) for b in bodies]
    members = [(b.id, b.label) for b in bodies if b.kind != "group"]
    form.body_id.choices = as_choices([("", "—"), *labels])
    form.coordinator_id.choices = as_choices([("", "—"), *members])
    form.member_ids.choices = as_choices(members)
    return form


def _routing_form(bodies: list[Body]) -> ActivityRoutingForm:
    form = ActivityRoutingForm()
    form.lead.choices = as_choices((b.id, b.label) for b in bodies)
    form.others.choices = as_choices((b.id, b.label) for b in bodies)
    return form


@bp.get("/plany/<int:plan_id>/rozpoznani")
@requires(Action.resolve_routing)
def page(plan_id: int) -> ResponseReturnValue:
    """Every unrecognised name of the plan once, with its count and example activities, and a
    decision form for each; the flagged activities with their reasons."""
    plan = _plan(plan_id)
    bodies = _bodies()
    return render_template(
        "routing/page.html",
        plan=plan,
        page=svc.resolution_page(plan),
        bodies=bodies,
        form=_decision_form(bodies),
        routing_form=_routing_form(bodies),
        action_form=ActionForm(),
        default=default_abbreviation(plan),
    )


@bp.post("/plany/<int:plan_id>/rozpoznani/nahled")
@requires(Action.resolve_routing)
def preview(plan_id: int) -> ResponseReturnValue:
    """The effect of a decision on every activity of the plan, before it is applied (no write)."""
    plan, back = _acting_on(plan_id)
    bodies = _bodies()
    form = _decision_form(bodies)
    if not form.validate():
        flash_form_errors(form)
        return redirect(back)
    target = form.target()
    changes = svc.preview_decision(plan, form.name.data, target)
    return render_template(
        "routing/preview.html",
        plan=plan,
        form=form,
        target=target,
        target_label=target.label(),
        changes=changes,
        default=default_abbreviation(plan),
    )


@bp.post("/plany/<int:plan_id>/rozpoznani/pouzit")
@requires(Action.resolve_routing)
def apply(plan_id: int) -> ResponseReturnValue:
    """Apply a previewed decision: the alias is stored and the whole plan routed again."""
    plan, back = _acting_on(plan_id)
    form = _decision_form(_bodies())
    if not form.validate():
        flash_form_errors(form)
        return redirect(back)
    _alias, changed = svc.apply_decision(plan, form.name.data, form.target(), current_user)
    confirm(
        _(
            "Rozhodnutí o názvu „%(name)s“ bylo uloženo; změněno aktivit: %(count)s.",
            name=form.name.data,
            count=changed,
        )
    )
    return redirect(back)


@bp.post("/plany/<int:plan_id>/rozpoznani/vychozi")
@requires(Action.resolve_routing)
def confirm_defaults(plan_id: int) -> ResponseReturnValue:
    """Confirm the default body for the activities that name no department (one decision)."""
    plan, back = _acting_on(plan_id)
    if ActionForm().validate():
        count = svc.confirm_defaults(plan, current_user)
        confirm(
            ngettext(
                "Výchozí subjekt potvrzen u %(num)d aktivity.",
                "Výchozí subjekt potvrzen u %(num)d aktivit.",
                count,
            )
        )
    return redirect(back)


@bp.post("/plany/<int:plan_id>/rozpoznani/znovu")
@requires(Action.resolve_routing)
def reresolve(plan_id: int) -> ResponseReturnValue:
    """Route the plan again from its own wording with the current registry and aliases."""
    plan, back = _acting_on(plan_id)
    if ActionForm().validate():
        changed = svc.reresolve(plan)
        confirm(_("Směrování plánu bylo znovu vyhodnoceno; změněno aktivit: %(count)s.", count=changed))
    return redirect(back)


@bp.post("/plany/<int:plan_id>/aktivity/<int:activity_id>/smerovani")
@requires(Action.resolve_routing)
def decide(plan_id: int, activity_id: int) -> ResponseReturnValue:
    """The secretary's explicit routing of one activity on the plan (clears its flag)."""
    plan = _plan(plan_id)
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.plan_id != plan.id:
        abort(404)
    back = url_for(".page", plan_id=plan_id) + f"#aktivita-{activity_id}"
    refusal_goes_to(back)
    form = _routing_form(_bodies())
    if form.validate():
        svc.decide_activity(
            activity, [form.lead.data, *(form.others.data or [])], current_user, note=form.note.data or ""
        )
        confirm(_("Směrování aktivity %(code)s bylo uloženo do plánu.", code=activity.code))
    else:
        flash_form_errors(form)
    return redirect(back)


def _group_form(bodies: list[Body]) -> GroupForm:
    form = GroupForm()
    members = [(b.id, b.label) for b in bodies if b.kind != "group"]
    form.member_ids.choices = as_choices(members)
    form.coordinator_id.choices = as_choices([("", "—"), *members])
    return form


@bp.route("/subjekty/<int:body_id>/skupina", methods=["GET", "POST"])
@requires(Action.edit_body_group)
def edit_group(body_id: int) -> ResponseReturnValue:
    """A group of bodies after it was created: rename it, its members, its setting and its
    coordinating body; the activities routed through it and the planned rounds of their plans
    are listed with the group's expansion now (what a round's routing gives them). A POST with
    ``nahled`` shows the expansion after the edit next to it and saves nothing."""
    group = group_editing.group_of(body_id)
    if group is None:
        abort(404)
    back = url_for(".edit_group", body_id=body_id)
    refusal_goes_to(back)
    bodies = _bodies()
    form = _group_form(bodies)
    after = None
    if form.is_submitted():
        if form.validate() and request.form.get("nahled"):
            after = group_editing.preview_expansion(
                form.mode.data, list(form.member_ids.data or []), form.coordinator_id.data
            )
        elif form.validate():
            changes = group_editing.edit_group(
                group,
                current_user,
                abbreviation=form.abbreviation.data or "",
                name=form.full_name.data or "",
                mode=form.mode.data,
                member_ids=list(form.member_ids.data or []),
                coordinator_id=form.coordinator_id.data,
            )
            confirm(
                _("Skupina %(group)s byla uložena: %(changes)s.", group=group.body.abbreviation,
                  changes="; ".join(changes))
                if changes
                else _("Skupina se nezměnila.")
            )
            return redirect(back)
        flash_form_errors(form)
    else:
        form.abbreviation.data = group.body.abbreviation
        form.full_name.data = group.body.name
        form.mode.data = group.mode
        form.member_ids.data = [m.id for m in group.members]
        form.coordinator_id.data = group.coordinator_id
    return render_template(
        "routing/group.html",
        group=group,
        form=form,
        usage=group_editing.group_usage(group),
        expansion=group_editing.expansion(group.mode, list(group.members), group.coordinator),
        after=after,
    )
