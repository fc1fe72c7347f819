"""The period report: the texts of several rounds of a plan side by side."""

from __future__ import annotations

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from web.extensions import db
from web.views.guards import requires
from web.views.reports import bp
from workflow.models import Plan, ReportingRound
from workflow.permissions import Action
from workflow.report import build_period_report


@bp.get("/plany/<int:plan_id>/zprava-za-obdobi")
@requires(Action.view_reports)
def period(plan_id: int) -> ResponseReturnValue:
    """Texts of several rounds side by side (``?kolo=1&kolo=2``; default: all rounds of the plan)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    all_rounds = db.session.scalars(
        select(ReportingRound)
        .where(ReportingRound.plan_id == plan.id)
        .order_by(ReportingRound.period_start, ReportingRound.id)
    ).all()
    chosen_ids = {int(v) for v in request.args.getlist("kolo") if v.isdigit()}
    rounds = [r for r in all_rounds if r.id in chosen_ids] if chosen_ids else list(all_rounds)
    period_report = build_period_report(rounds) if rounds else None
    return render_template(
        "reports/period.html",
        plan=plan,
        all_rounds=all_rounds,
        chosen=chosen_ids,
        period_report=period_report,
    )
