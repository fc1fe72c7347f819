"""Small plans built directly from model rows, for the plan, body and API tests.

Plain functions rather than fixtures: a second ``conftest.py`` in ``tests/web`` would shadow the
root one for ``from conftest import login`` (pytest drops the cached ``conftest`` module).
"""

from __future__ import annotations

import re
from datetime import date

from web.extensions import db
from workflow.models import Activity, ActivityBody, Body, Plan, PlanNode, place_activity

_RUNS = re.compile(r"\d+|\D+")

BODIES = [
    # abbreviation, name, kind, parent
    ("LK", "Liberecký kraj", "region", None),
    ("OSV", "Odbor sociálních věcí", "department", "LK"),
    ("OŠMTS", "Odbor školství, mládeže, tělovýchovy a sportu", "department", "LK"),
    ("ORREP", "Odbor regionálního rozvoje a evropských projektů", "department", "LK"),
    ("TUL", "Technická univerzita v Liberci", "university", None),
]


def sort_key(code: str) -> str:
    """Zero-padded natural key, as the model's ``sort_key`` column expects (A1.2 < A1.10)."""
    return "".join(run.zfill(6) if run.isdecimal() else run for run in _RUNS.findall(code))


def make_bodies() -> dict[str, Body]:
    """The five bodies of :data:`BODIES` (flushed), by abbreviation."""
    bodies: dict[str, Body] = {}
    for abbreviation, name, kind, parent in BODIES:
        body = Body(abbreviation=abbreviation, name=name, kind=kind, parent=bodies.get(parent or ""))
        db.session.add(body)
        bodies[abbreviation] = body
    db.session.flush()
    return bodies


def make_activity(goal: PlanNode, code: str, bodies: list[Body], **fields: object) -> Activity:
    """An activity under the node ``goal`` routed to ``bodies`` (the first is the lead)."""
    activity = Activity(
        plan=goal.plan, code=code, sort_key=sort_key(code),
        description=fields.pop("description", f"Popis aktivity {code}"),
        indicator=fields.pop("indicator", f"Indikátor {code}"),
        **fields,
    )
    place_activity(activity, goal)
    activity.routing = [ActivityBody(body=body, position=i) for i, body in enumerate(bodies)]
    db.session.add(activity)
    return activity


def make_plan(
    n_activities: int = 3, *, bodies: dict[str, Body] | None = None, title: str = "Akční plán"
) -> Plan:
    """A committed plan: areas A and B, goals A1 (titled) and B1 (no title, like D1).

    ``A1`` holds ``n_activities`` plain activities A1.1 … A1.n routed to OŠMTS then ORREP.
    ``B1`` holds three special ones:

    * ``B1.1`` – „LK“, routed to the default body OSV and marked for review;
    * ``B1.2`` – „LK, TUL“ with the deadline range 5/2023 – 4/2026, cooperation ``---------``,
      strategy refs ``X / 1, 2`` and an extra column;
    * ``B1.10`` – „KÚ LK / OSV“, yearly, with an unmatched token (sorts after B1.2).
    """
    bodies = bodies or make_bodies()
    plan = Plan(
        title=title, strategy="Strategie sociálního začleňování Libereckého kraje 2021+",
        period="2024–2025", level_names=["Okruh", "Cíl", "Aktivita"], default_body=bodies["OSV"],
        abbreviations={
            "OSV": "Odbor sociálních věcí", "ČR": "Česká republika", "CH": "chyba", "KÚ": "Krajský úřad",
        },
    )
    footnote = {"marker": "1", "text": "Poznámka pod čarou k okruhu A", "attached_to": "intro"}
    area_a = PlanNode(plan=plan, depth=0, code="A", title="Systémová opatření", description="Úvod okruhu A1",
                      footnotes=[footnote], coordination=[], position=0)
    area_b = PlanNode(plan=plan, depth=0, code="B", title="Infrastruktura", footnotes=[], coordination=[],
                      position=1)
    db.session.add(plan)
    db.session.flush()
    goal_a1 = PlanNode(plan=plan, depth=1, parent=area_a, code="A1", title="Mezioborová spolupráce",
                       notes="Komentář k cíli A1", position=0, footnotes=[],
                       coordination=[{"strategy": "Plán protidrogové politiky LK", "refs": "oblast 5.2."}])
    goal_b1 = PlanNode(plan=plan, depth=1, parent=area_b, code="B1", title="", position=0, footnotes=[],
                       coordination=[])
    for i in range(1, n_activities + 1):
        make_activity(
            goal_a1, f"A1.{i}", [bodies["OŠMTS"], bodies["ORREP"]],
            deadline_raw="10/2024 – 12/2027", deadline_kind="range",
            deadline_start=date(2024, 10, 1), deadline_end=date(2027, 12, 31),
            responsibility_raw="KÚ LK / OŠMTS / ORREP", cooperation="školy",
        )
    make_activity(
        goal_b1, "B1.1", [bodies["OSV"]], description="Podpora a udržení činnosti Komise Rady LK",
        deadline_raw="průběžně", deadline_kind="ongoing", responsibility_raw="LK",
        routing_needs_review=True, cooperation="obce",
    )
    make_activity(
        goal_b1, "B1.2", [bodies["LK"], bodies["TUL"]], deadline_raw="5/2023 – 4/2026", deadline_kind="range",
        deadline_start=date(2023, 5, 1), deadline_end=date(2026, 4, 30), responsibility_raw="LK, TUL",
        cooperation="---------", strategy_refs_raw="X / 1, 2", strategy_measures=["X"], strategy_goals=[1, 2],
        extra={"Zdroje financování": "rozpočet LK"},
    )
    make_activity(
        goal_b1, "B1.10", [bodies["OSV"]], deadline_raw="1x ročně", deadline_kind="yearly",
        deadline_frequency=1,
        responsibility_raw="KÚ LK / OSV + XYZ", routing_unmatched=["XYZ"], cooperation="",
    )
    db.session.commit()
    return plan
