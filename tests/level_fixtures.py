"""Plans whose top level is not the region's „Okruh“, built from model rows: one of „Prioritní
oblast“ / „Opatření“ / „Aktivita“ and a flat one („Aktivita“ alone), beside the small plan of
round_fixtures (Okruh / Cíl / Aktivita), for the tests of the labels of a plan's top level
(workflow.level_labels) on the pages and in the files that name it. Plain functions, committed."""

from __future__ import annotations

from web.extensions import db
from workflow.models import Activity, ActivityBody, Body, Plan, PlanNode, place_activity

PRIORITY_LEVELS = ["Prioritní oblast", "Opatření", "Aktivita"]
#: (area code, area title, measure code, measure title): one activity ``<measure>.1`` under each.
PRIORITY_AREAS = [
    ("1", "Dostupné bydlení", "1.1", "Sociální byty"),
    ("2", "Zaměstnanost", "2.1", "Sociální podniky"),
]
FLAT_CODES = ["1", "2"]


def _activity(plan: Plan, node: PlanNode | None, code: str, body: Body) -> Activity:
    activity = Activity(
        plan=plan, code=code, sort_key=".".join(part.zfill(6) for part in code.split(".")),
        description=f"Popis aktivity {code}", indicator="Počet setkání", deadline_raw="průběžně",
        deadline_kind="ongoing", responsibility_raw=body.abbreviation,
    )
    place_activity(activity, node)
    activity.routing = [ActivityBody(body=body, position=0)]
    db.session.add(activity)
    return activity


def priority_plan(body: Body, title: str = "Akční plán města") -> Plan:
    """A plan of two „Prioritní oblast“ nodes (1, 2), each with one „Opatření“ (1.1, 2.1) and one
    activity (1.1.1, 2.1.1) routed to ``body``."""
    plan = Plan(title=title, level_names=list(PRIORITY_LEVELS), default_body=body)
    db.session.add(plan)
    for position, (code, area_title, measure, measure_title) in enumerate(PRIORITY_AREAS):
        area = PlanNode(plan=plan, depth=0, code=code, title=area_title, position=position, footnotes=[],
                        coordination=[])
        node = PlanNode(plan=plan, depth=1, parent=area, code=measure, title=measure_title, position=position,
                        footnotes=[], coordination=[])
        db.session.add_all([area, node])
        _activity(plan, node, f"{measure}.1", body)
    db.session.commit()
    return plan


def flat_plan(body: Body, title: str = "Akční plán MČ") -> Plan:
    """A flat plan (no level above the activity): activities 1 and 2 routed to ``body``."""
    plan = Plan(title=title, level_names=["Aktivita"], default_body=body)
    db.session.add(plan)
    for code in FLAT_CODES:
        _activity(plan, None, code, body)
    db.session.commit()
    return plan
