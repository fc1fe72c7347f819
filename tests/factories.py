"""factory_boy factories of the domain objects (docs/testing.md).

Every factory commits through the current ``db.session`` (the test's savepoint-joined session), so
an object it returns has its id and is visible to the code under test. Larger worlds (a plan with a
round and people in every role) are built by ``devdata.world``.

    user = UserFactory(roles=[Role.reviewer])
    osv = BodyFactory(abbreviation="OSV")
    entry = EntryFactory(body=osv)            # with its own plan, goal, activity and open round
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory
from support import TEST_PASSWORD

from web.extensions import db
from workflow.models import (
    Activity,
    ActivityBody,
    Body,
    Entry,
    Plan,
    PlanNode,
    ReportingRound,
    RoleAssignment,
    User,
)
from workflow.passwords import hash_password
from workflow.states import EntryState, Role, RoundState


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the test's session, looked up late
        sqlalchemy_session_persistence = "commit"


class BodyFactory(_Factory):
    class Meta:
        model = Body
        sqlalchemy_get_or_create = ("abbreviation",)

    abbreviation = factory.Sequence(lambda n: f"ODB{n}")
    name = factory.LazyAttribute(lambda o: f"Odbor {o.abbreviation}")
    kind = "department"


def _body(abbreviation: str | Body) -> Body:
    """An existing body by abbreviation (a seeded or earlier one), else a new one."""
    if isinstance(abbreviation, Body):
        return abbreviation
    found = db.session.query(Body).filter_by(abbreviation=abbreviation).one_or_none()
    return found if found is not None else BodyFactory(abbreviation=abbreviation)


class UserFactory(_Factory):
    """A user with the test password; ``roles`` (global role assignments) and ``bodies``
    (abbreviations or ``Body`` objects; missing bodies are created)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"uzivatel{n}@kraj-lbc.cz")
    name = factory.LazyAttribute(lambda o: o.email.split("@")[0])
    password_hash = factory.LazyFunction(lambda: hash_password(TEST_PASSWORD))
    active = True
    locale = "cs"

    @factory.post_generation
    def roles(self, create: bool, extracted: Iterable[Role] | None, **kwargs: Any) -> None:
        self.role_assignments = [RoleAssignment(role=r) for r in (extracted or ())]

    @factory.post_generation
    def bodies(self, create: bool, extracted: Iterable[str | Body] | None, **kwargs: Any) -> None:
        for abbreviation in extracted or ():
            self.bodies.append(_body(abbreviation))


def make_user(
    email: str = "spravce@kraj-lbc.cz",
    *,
    roles: Iterable[Role] = (Role.admin,),
    bodies: Iterable[str | Body] = (),
    name: str = "",
    active: bool = True,
    locale: str = "cs",
) -> User:
    """The ``make_user`` fixture's factory: a committed user (an administrator by default)."""
    return UserFactory(
        email=email, name=name or email.split("@")[0], active=active, locale=locale,
        roles=list(roles), bodies=list(bodies),
    )


class PlanFactory(_Factory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"Akční plán {n}")
    default_body = factory.SubFactory(BodyFactory, abbreviation="OSV", name="Odbor sociálních věcí")


class AreaFactory(_Factory):
    """A node of a plan's top level (an okruh)."""

    class Meta:
        model = PlanNode

    plan = factory.SubFactory(PlanFactory)
    depth = 0
    code = factory.Sequence(lambda n: chr(ord("A") + n % 26))
    title = factory.LazyAttribute(lambda o: f"Oblast {o.code}")
    position = factory.Sequence(int)
    footnotes = factory.LazyFunction(list)
    coordination = factory.LazyFunction(list)


class GoalFactory(_Factory):
    """A node of a plan's second level (a cíl) under ``area``."""

    class Meta:
        model = PlanNode

    class Params:
        area = factory.SubFactory(AreaFactory)

    parent = factory.SelfAttribute("area")
    plan = factory.SelfAttribute("area.plan")
    depth = 1
    code = factory.LazyAttribute(lambda o: f"{o.area.code}1")
    title = factory.LazyAttribute(lambda o: f"Cíl {o.code}")
    footnotes = factory.LazyFunction(list)
    coordination = factory.LazyFunction(list)


class ActivityFactory(_Factory):
    """An activity under ``goal`` (a second-level node) routed to ``bodies`` (abbreviations or
    ``Body``; lead first)."""

    class Meta:
        model = Activity

    class Params:
        goal = factory.SubFactory(GoalFactory)

    node = factory.SelfAttribute("goal")
    top_node = factory.LazyAttribute(lambda o: o.goal.lineage[0])
    plan = factory.SelfAttribute("goal.plan")
    code = factory.Sequence(lambda n: f"A1.{n + 1}")
    sort_key = factory.LazyAttribute(lambda o: o.code.replace(".", ".0"))
    description = factory.LazyAttribute(lambda o: f"Popis aktivity {o.code}")
    indicator = "Počet zasedání"
    deadline_raw = "průběžně"
    deadline_kind = "ongoing"
    responsibility_raw = ""

    @factory.post_generation
    def bodies(self, create: bool, extracted: Iterable[str | Body] | None, **kwargs: Any) -> None:
        routed = [_body(b) for b in (extracted or ("OSV",))]
        self.routing = [ActivityBody(body=b, position=i) for i, b in enumerate(routed)]
        self.responsibility_raw = self.responsibility_raw or " / ".join(b.abbreviation for b in routed)


class RoundFactory(_Factory):
    """A reporting round of ``plan`` (state ``planned`` unless given; use
    ``workflow.rounds.open_round`` to open it with its entries)."""

    class Meta:
        model = ReportingRound

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Monitoring plnění {2025 + n}")
    period_start = date(2025, 1, 1)
    period_end = date(2025, 12, 31)
    opens_on = date(2026, 1, 5)
    submission_deadline = date(2099, 2, 28)
    review_deadline = date(2099, 3, 31)
    state = RoundState.planned


class EntryFactory(_Factory):
    """One body's entry for one activity in a round (``not_started`` unless given)."""

    class Meta:
        model = Entry

    activity = factory.SubFactory(ActivityFactory)
    round = factory.SubFactory(
        RoundFactory, plan=factory.SelfAttribute("..activity.plan"), state=RoundState.open
    )
    body = factory.LazyAttribute(lambda o: o.activity.routing[0].body)
    state = EntryState.not_started
    text = ""
