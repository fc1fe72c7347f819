"""Statistics of a round: fulfilment status per area and per body, on-time rate, returns.

Counts of entries are SQL aggregates (``GROUP BY``); the activity-level status is derived per
activity (:func:`workflow.consolidation.activity_statuses`) and then counted. The result is plain
JSON-friendly data, rendered as tables and SVG charts (:mod:`web.views.reports`) and in the PDF.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select

from workflow.collation import czech
from workflow.consolidation import activity_statuses, collected_values
from workflow.db import db
from workflow.level_labels import top_level_name
from workflow.models import Activity, Body, Entry, EntryTransition, PlanNode, ReportingRound, RoundActivity
from workflow.states import FULFILMENT_TITLES, EntryState, FulfilmentStatus
from workflow.text import in_czech

#: Status key for activities without any status, and its title.
UNKNOWN = "unknown"
UNKNOWN_TITLE = "Neuvedeno"


def status_titles() -> dict[str, str]:
    """``{status: Czech title}`` (always Czech, as the report) of every fulfilment status and
    :data:`UNKNOWN`."""
    titles = {s.value: in_czech(FULFILMENT_TITLES[s]) for s in FulfilmentStatus}
    titles[UNKNOWN] = UNKNOWN_TITLE
    return titles


def round_statistics(round_: ReportingRound) -> dict[str, Any]:
    """The statistics of ``round_``.

    :returns: ``{"statuses": [keys in order], "titles": {key: title},
        "by_area": [{"code", "title", "counts": {status: n}, "total"}]  (per top-level node of the
            plan, the okruh; one item with an empty code for a flat plan),
        "area_level": the name of the plan's top level („Okruh“; "" for a flat plan; what
            :func:`workflow.level_labels.top_level_labels` names the parts by),
        "by_body": [{"body", "counts": {status: n}, "total"}]  (approved entries' own statuses),
        "on_time": [{"body", "submitted", "on_time", "rate"}]  (rate in percent, or None),
        "returns": [{"round_id", "title", "returns"}]  (all rounds of the plan, oldest first),
        "collected": {...}, "collected_rows": [...]}`` (see :func:`_collected`)
    """
    keys = [s.value for s in FulfilmentStatus] + [UNKNOWN]
    statuses = activity_statuses(round_)
    included = select(RoundActivity.activity_id).where(
        RoundActivity.round_id == round_.id, RoundActivity.included.is_(True)
    )
    has_inclusion = db.session.scalar(
        select(func.count()).select_from(RoundActivity).where(RoundActivity.round_id == round_.id)
    )
    query = (
        select(Activity.id, PlanNode.code, PlanNode.title)
        .outerjoin(PlanNode, PlanNode.id == Activity.top_node_id)
        .where(Activity.plan_id == round_.plan_id)
        .order_by(PlanNode.position, Activity.sort_key)
    )
    if has_inclusion:
        query = query.where(Activity.id.in_(included))
    by_area: dict[str, dict[str, Any]] = {}
    for activity_id, node_code, title in db.session.execute(query):
        code = node_code or ""
        block = by_area.setdefault(
            code, {"code": code, "title": title or "", "counts": dict.fromkeys(keys, 0), "total": 0}
        )
        status = statuses.get(activity_id, {}).get("status") or UNKNOWN
        block["counts"][status] += 1
        block["total"] += 1

    status_col = func.coalesce(Entry.fulfilment_status, UNKNOWN)
    body_rows = db.session.execute(
        select(Body.abbreviation, status_col, func.count(Entry.id))
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.round_id == round_.id, Entry.state == EntryState.approved.value)
        .group_by(Body.abbreviation, status_col)
        .order_by(czech(Body.abbreviation))
    ).all()
    by_body: dict[str, dict[str, Any]] = {}
    for abbr, status, count in body_rows:
        block = by_body.setdefault(abbr, {"body": abbr, "counts": dict.fromkeys(keys, 0), "total": 0})
        block["counts"][status if status in block["counts"] else UNKNOWN] += int(count)
        block["total"] += int(count)

    on_time_rows = db.session.execute(
        select(
            Body.abbreviation,
            func.count(Entry.first_submitted_at),
            func.sum(case((Entry.submitted_on_time.is_(True), 1), else_=0)),
        )
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.round_id == round_.id)
        .group_by(Body.abbreviation)
        .order_by(czech(Body.abbreviation))
    ).all()
    on_time = [
        {
            "body": abbr,
            "submitted": int(n),
            "on_time": int(ok or 0),
            "rate": round(100 * int(ok or 0) / int(n)) if n else None,
        }
        for abbr, n, ok in on_time_rows
    ]

    returns_rows = db.session.execute(
        select(ReportingRound.id, ReportingRound.title, func.count(EntryTransition.id))
        .select_from(ReportingRound)
        .outerjoin(Entry, Entry.round_id == ReportingRound.id)
        .outerjoin(
            EntryTransition, (EntryTransition.entry_id == Entry.id) & (EntryTransition.name == "send_back")
        )
        .where(ReportingRound.plan_id == round_.plan_id)
        .group_by(ReportingRound.id, ReportingRound.title, ReportingRound.period_start)
        .order_by(ReportingRound.period_start, ReportingRound.id)
    ).all()
    return {
        "statuses": keys,
        "titles": status_titles(),
        "by_area": list(by_area.values()),
        "area_level": top_level_name(round_.plan.level_names),
        "by_body": list(by_body.values()),
        "on_time": on_time,
        "returns": [{"round_id": i, "title": t, "returns": int(n)} for i, t, n in returns_rows],
        **_collected(round_),
    }


def _collected(round_: ReportingRound) -> dict[str, Any]:
    """What the bodies reported besides the text (issue 16): ``"collected"`` counts the activities
    with an indicator value and with „Problémy a bariéry“; ``"collected_rows"`` lists them in plan
    order (``{"code", "indicator_value", "problems"}``). Two queries."""
    values = collected_values(round_)
    query = select(Activity.id, Activity.code).where(Activity.id.in_(sorted(values)))
    codes = dict(db.session.execute(query.order_by(Activity.sort_key)).all()) if values else {}
    rows = [
        {"code": code, "indicator_value": values[i]["indicator_value"], "problems": values[i]["problems"]}
        for i, code in codes.items()
        if values[i]["indicator_value"] or values[i]["problems"]
    ]
    return {
        "collected": {
            "indicator_values": sum(1 for r in rows if r["indicator_value"]),
            "problems": sum(1 for r in rows if r["problems"]),
            "activities": len(rows),
        },
        "collected_rows": rows,
    }
