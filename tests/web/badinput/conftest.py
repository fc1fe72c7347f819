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

from devdata.world import opened_round, person, routed_plan
from web.extensions import db
from workflow.models import (
    Entry,
    Plan,
    ReportingRound,
    User,
)
from workflow.passwords import hash_password
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


@pytest.fixture
def world(app: Any) -> World:
    """The small open round (committed)."""
    built = routed_plan(
        {"A1.1": ("ongoing", None, None, ("OSV",)), "A1.2": ("ongoing", None, None, ("ORREP",))},
        ("OSV", "ORREP"),
        deadline_raw="průběžně",
    )
    plan, osv, orrep = built.plan, built.bodies["OSV"], built.bodies["ORREP"]
    hashed = _password_hash()
    people = {
        "osv": person("osv@kraj-lbc.cz", [Role.contributor], [osv], password_hash=hashed),
        "orrep": person("orrep@kraj-lbc.cz", [Role.contributor], [orrep], password_hash=hashed),
        "reviewer": person("hodnotitel@kraj-lbc.cz", [Role.reviewer], password_hash=hashed),
        "secretary": person("tajemnik@kraj-lbc.cz", [Role.secretary], password_hash=hashed),
        "commission": person("komise@kraj-lbc.cz", [Role.commission], password_hash=hashed),
    }
    db.session.commit()
    round_ = opened_round(plan.id, people["secretary"], opens_on=date(2026, 1, 5))
    entries = {e.body.abbreviation: e for e in db.session.query(Entry).filter_by(round_id=round_.id)}
    return World(plan, round_, entries["OSV"], entries["ORREP"], **people)
