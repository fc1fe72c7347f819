"""Fixtures of the bad-input suite: a small open round with two bodies, and the Hypothesis
profile (CI-friendly: no deadline, a modest number of examples, derandomised, no example
database and its storage outside the repository)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import pytest
from badinput_helpers import TEST_PASSWORD
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

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
from workflow.passwords import hash_password
from workflow.rounds import create_round, open_round
from workflow.states import Role

set_hypothesis_home_dir(tempfile.mkdtemp(prefix="plneni-hypothesis-"))
settings.register_profile(
    "plneni",
    deadline=None,
    max_examples=40,
    derandomize=True,
    database=None,
    print_blob=False,
    # The app, client and database fixtures are shared by the examples on purpose: each example
    # checks its own before/after state.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("plneni")


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(TEST_PASSWORD)


@dataclass
class World:
    """A plan with activity A1.1 routed to OSV and A1.2 routed to ORREP, its open round, the two
    entries, and one person per role (``osv`` and ``orrep`` are contributors of their body)."""

    plan: Plan
    round: ReportingRound
    entry_a: Entry  # A1.1 / OSV
    entry_b: Entry  # A1.2 / ORREP
    osv: User
    orrep: User
    reviewer: User
    secretary: User
    commission: User


def _user(email: str, role: Role, bodies: list[Body] | None = None) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash=_password_hash(), locale="cs")
    user.role_assignments = [RoleAssignment(role=role)]
    user.bodies.extend(bodies or [])
    db.session.add(user)
    return user


@pytest.fixture
def world(app: Any) -> World:
    """The small open round (committed)."""
    osv = Body(abbreviation="OSV", name="Odbor sociálních věcí", kind="department")
    orrep = Body(
        abbreviation="ORREP", name="Odbor regionálního rozvoje a evropských projektů", kind="department"
    )
    db.session.add_all([osv, orrep])
    plan = Plan(title="Akční plán 2024–2027", default_body=osv)
    db.session.add(plan)
    db.session.flush()
    area = Area(plan=plan, code="A", title="Systémová opatření", position=0)
    goal = Goal(plan_id=plan.id, area=area, code="A1", title="Mezioborová spolupráce")
    for code, body in (("A1.1", osv), ("A1.2", orrep)):
        activity = Activity(
            plan=plan,
            goal=goal,
            code=code,
            sort_key=code.replace(".", ".0"),
            description=f"Popis aktivity {code}",
            indicator="Počet zasedání",
            deadline_raw="průběžně",
            deadline_kind="ongoing",
            responsibility_raw=body.abbreviation,
        )
        activity.routing = [ActivityBody(body=body, position=0)]
        db.session.add(activity)
    people = {
        "osv": _user("osv@kraj-lbc.cz", Role.contributor, [osv]),
        "orrep": _user("orrep@kraj-lbc.cz", Role.contributor, [orrep]),
        "reviewer": _user("hodnotitel@kraj-lbc.cz", Role.reviewer),
        "secretary": _user("tajemnik@kraj-lbc.cz", Role.secretary),
        "commission": _user("komise@kraj-lbc.cz", Role.commission),
    }
    db.session.commit()
    round_ = create_round(
        plan.id,
        people["secretary"],
        title="Monitoring plnění akčního plánu 2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        opens_on=date(2026, 1, 5),
        submission_deadline=date(2099, 2, 28),
        review_deadline=date(2099, 3, 31),
    )
    open_round(round_, people["secretary"])
    db.session.commit()
    entries = {e.body.abbreviation: e for e in db.session.query(Entry).filter_by(round_id=round_.id)}
    return World(plan, round_, entries["OSV"], entries["ORREP"], **people)
