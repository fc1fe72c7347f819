"""Round and entry test helpers and fixtures (a pytest plugin of the root conftest): a small,
hand-built plan with people in every role and its opened round (``small_plan``, ``people``,
``opened``), used by tests/workflow/rounds and the system tier's round tests (the real plan is used
by the full-cycle test through the ``real_plan`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from support import TEST_PASSWORD

from devdata.world import opened_round, routed_plan
from web.extensions import db
from workflow.models import (
    Activity,
    Body,
    Entry,
    Plan,
    PlanNode,
    ReportingRound,
    RoleAssignment,
    User,
)
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
    areas: dict[str, PlanNode]
    past_round: ReportingRound


@pytest.fixture
def small_plan(app: Any) -> SmallPlan:
    """A plan of 6 activities in areas A and B routed to OSV, OŠMTS and ORREP, with a closed
    2024 round whose approved entries hold last year's texts for A1.1/OSV, A1.2/OŠMTS, A1.3/OSV."""
    built = routed_plan(ACTIVITIES, ("OSV", "OŠMTS", "ORREP", "LK"))
    plan, bodies, activities, areas = built.plan, built.bodies, built.activities, built.areas
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
    reviewer_b.role_assignments.append(RoleAssignment(role=Role.reviewer, node_id=small_plan.areas["B"].id))
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
    round_ = opened_round(small_plan.plan.id, people.secretary, opens_on=date(2026, 1, 5))
    return round_


def entry_of(round_: ReportingRound, code: str, abbr: str) -> Entry:
    """The entry of activity ``code`` and body ``abbr`` in ``round_``."""
    return (
        db.session.query(Entry)
        .join(Activity)
        .join(Body, Body.id == Entry.body_id)
        .filter(Entry.round_id == round_.id, Activity.code == code, Body.abbreviation == abbr)
        .one()
    )




def login(client, user, password: str = TEST_PASSWORD) -> Any:
    """Sign ``user`` in through the real sign-in form (as tests/conftest.py's ``login``)."""
    return client.post("/prihlaseni", data={"email": user.email, "password": password})
