"""A plan's further attributes and where they show (issue 14, section 1): the secretary's page
„Atributy aktivit“ at ``/plany/<id>/atributy``.

Every further attribute of the plan (:mod:`workflow.attributes`) is listed once, in the plan's
column order, with how many activities fill it and an example; two check boxes choose whether the
contributor sees it on the entry form and the review page, and whether it is a column of the
report, its exports (DOCX, PDF, XLSX, CSV, HTML) and the JSON API. Saving is audited.
"""

from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from forms.plans import PlanAttributesForm
from web.extensions import db
from web.sessions import client_ip
from web.uow import confirm
from web.views.guards import requires
from workflow.attributes import hidden_labels, ordered_labels, set_hidden_attributes, visible_attributes
from workflow.models import Activity, Plan
from workflow.permissions import Action

bp = Blueprint("plan_attributes", __name__)


@bp.app_template_global()
def activity_attributes(activity: Activity, place: str) -> list[dict[str, str]]:
    """The further attributes of ``activity`` its plan shows at ``place`` (``"form"``: the entry
    form, the entry page and the review page); ``[{"label", "value"}, …]`` in column order."""
    return visible_attributes(activity, place)


def _attribute_rows(plan: Plan) -> list[dict[str, object]]:
    """``[{"label", "count", "example", "code"}, …]`` for every attribute of ``plan`` (one query)."""
    rows = db.session.execute(
        select(Activity.code, Activity.extra).where(Activity.plan_id == plan.id).order_by(Activity.sort_key)
    ).all()
    labels = ordered_labels(extra for _code, extra in rows)
    counts: Counter[str] = Counter()
    examples: dict[str, tuple[str, str]] = {}
    for code, extra in rows:
        for label, value in (extra or {}).items():
            if str(value or "").strip():
                counts[str(label)] += 1
                examples.setdefault(str(label), (code, str(value)))
    return [
        {
            "label": label,
            "count": counts[label],
            "code": examples.get(label, ("", ""))[0],
            "example": examples.get(label, ("", ""))[1],
        }
        for label in labels
    ]


@bp.route("/plany/<int:plan_id>/atributy", methods=["GET", "POST"])
@requires(Action.configure_plan_attributes)
def edit(plan_id: int) -> ResponseReturnValue:
    """The attribute settings of a plan (secretary, administrator); POST saves them."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    rows = _attribute_rows(plan)
    labels = [str(row["label"]) for row in rows]
    form = PlanAttributesForm()
    form.set_labels(labels)
    if form.validate_on_submit():
        set_hidden_attributes(
            plan,
            current_user,
            shown={"form": form.on_form.data or [], "report": form.in_report.data or []},
            ip=client_ip(),
        )
        confirm(_("Zobrazení atributů je uloženo."))
        return redirect(url_for(".edit", plan_id=plan.id))
    if not form.is_submitted():
        form.on_form.data = [label for label in labels if label not in hidden_labels(plan, "form")]
        form.in_report.data = [label for label in labels if label not in hidden_labels(plan, "report")]
    status = 400 if form.errors else 200
    return render_template("plans/attributes.html", plan=plan, rows=rows, form=form), status
