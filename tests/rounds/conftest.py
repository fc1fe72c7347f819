"""Small, hand-built plans and people for the round and entry tests (the real plan is used by
the full-cycle test through the ``real_plan`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from web.extensions import db
from workflow.models import (
    Activity,
    ActivityBody,
    Area,
    Body,
    Entry,
    Goal,
    Plan,
    ReportingRound,
    RoleAssignment,
    User,
)
from workflow.rounds import create_round, open_round
from workflow.states import EntryState, Role, RoundState

#: code → (deadline kind, start, end, bodies lead first)
ACTIVITIES: dict[str, tuple[str, date | None, date | None, tuple[str, ...]]] = {
    "A1.1": ("ongoing", None, None, ("OSV",)),
    "A1.2": ("range", date(2024, 10, 1), date(2027, 12, 31), ("OŠMTS", "ORREP")),
    "A1.3": ("due", None, date(2024, 12, 31), ("OSV",)),  # past, reported in 2024 → excluded
    "A1.4": ("range", date(2027, 1, 1), date(2027, 12, 31), ("OSV",)),  # starts after → excluded
    "B1.1": ("due", None, date(2025, 12, 31), ("OSV", "OŠMTS")),
    "B1.2": ("due", None, date(2024, 6, 30), ("ORREP",)),  # past, never reported → final report
}


@dataclass
class SmallPlan:
    plan: Plan
    bodies: dict[str, Body]
    activities: dict[str, Activity]
    areas: dict[str, Area]
    past_round: ReportingRound


@pytest.fixture
def small_plan(app: Any) -> SmallPlan:
    """A plan of 6 activities in areas A and B routed to OSV, OŠMTS and ORREP, with a closed
    2024 round whose approved entries hold last year's texts for A1.1/OSV, A1.2/OŠMTS, A1.3/OSV."""
    bodies = {}
    for abbr, name in (
        ("OSV", "Odbor sociálních věcí"),
        ("OŠMTS", "Odbor školství, mládeže, tělovýchovy a sportu"),
        ("ORREP", "Odbor regionálního rozvoje a evropských projektů"),
        ("LK", "Liberecký kraj"),
    ):
        bodies[abbr] = Body(abbreviation=abbr, name=name, kind="department")
        db.session.add(bodies[abbr])
    plan = Plan(title="Akční plán 2024–2027", default_body=bodies["OSV"])
    db.session.add(plan)
    db.session.flush()
    areas = {
        "A": Area(plan=plan, code="A", title="Systémová opatření", position=0),
        "B": Area(plan=plan, code="B", title="Osvěta, komunikace", position=1),
    }
    goals = {
        "A1": Goal(plan_id=plan.id, area=areas["A"], code="A1", title="Mezioborová spolupráce"),
        "B1": Goal(plan_id=plan.id, area=areas["B"], code="B1", title="Komunikace"),
    }
    activities = {}
    for code, (kind, start, end, routed) in ACTIVITIES.items():
        activity = Activity(
            plan=plan,
            goal=goals[code[:2]],
            code=code,
            sort_key=code.replace(".", ".0"),
            description=f"Popis aktivity {code}",
            indicator="Počet zasedání",
            deadline_raw=kind,
            deadline_kind=kind,
            deadline_start=start,
            deadline_end=end,
            responsibility_raw=" / ".join(routed),
        )
        activity.routing = [ActivityBody(body=bodies[b], position=i) for i, b in enumerate(routed)]
        activities[code] = activity
        db.session.add(activity)
    past = ReportingRound(
        plan=plan,
        title="Monitoring 2024",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        state=RoundState.closed,
        imported=True,
    )
    db.session.add(past)
    db.session.flush()
    for code, abbr in (("A1.1", "OSV"), ("A1.2", "OŠMTS"), ("A1.3", "OSV")):
        db.session.add(
            Entry(
                round=past,
                activity=activities[code],
                body=bodies[abbr],
                state=EntryState.approved,
                fulfilment_status="ongoing",
                text=f"Loni: {code} plněno průběžně, proběhla 4 zasedání.",
                cooperation_text="obce, NNO",
                indicator_unit="zasedání",
            )
        )
    db.session.commit()
    return SmallPlan(plan, bodies, activities, areas, past)


@dataclass
class People:
    secretary: User
    reviewer: User
    reviewer_b: User
    osv: User
    osv_head: User
    osmts: User
    orrep: User
    commission: User
    admin: User


@pytest.fixture
def people(small_plan: SmallPlan, make_user: Any) -> People:
    """One user per role; ``reviewer_b`` reviews only area B; contributors belong to their body."""
    reviewer_b = make_user("hodnotitel-b@kraj-lbc.cz", roles=())
    reviewer_b.role_assignments.append(RoleAssignment(role=Role.reviewer, area_id=small_plan.areas["B"].id))
    db.session.commit()
    return People(
        secretary=make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary]),
        reviewer=make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer]),
        reviewer_b=reviewer_b,
        osv=make_user("osv@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"]),
        osv_head=make_user("vedouci-osv@kraj-lbc.cz", roles=[Role.head], bodies=["OSV"]),
        osmts=make_user("osmts@kraj-lbc.cz", roles=[Role.contributor], bodies=["OŠMTS"]),
        orrep=make_user("orrep@kraj-lbc.cz", roles=[Role.contributor], bodies=["ORREP"]),
        commission=make_user("komise@kraj-lbc.cz", roles=[Role.commission]),
        admin=make_user("spravce@kraj-lbc.cz", roles=[Role.admin]),
    )


@pytest.fixture
def opened(small_plan: SmallPlan, people: People) -> ReportingRound:
    """The 2025 round of the small plan, created with defaults and opened (committed)."""
    round_ = create_round(
        small_plan.plan.id,
        people.secretary,
        title="Monitoring plnění akčního plánu 2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        opens_on=date(2026, 1, 5),
        submission_deadline=date(2099, 2, 28),
        review_deadline=date(2099, 3, 31),
    )
    open_round(round_, people.secretary)
    db.session.commit()
    return round_
