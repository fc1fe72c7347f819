"""Shared scenario of the notification tests: a small plan, its people and an open round
(deadline Tuesday 24. 11. 2026), and a helper running the reminder sweep on a travelled clock.

Imported by ``tests/notifications/test_*.py`` as ``reminder_scenario`` (``pythonpath = tests``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from notifications import reminders
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.models import (
    Activity,
    ActivityBody,
    Body,
    Deputy,
    Entry,
    Plan,
    PlanNode,
    ReportingRound,
    User,
)
from workflow.rounds import create_round, open_round
from workflow.states import Role

PRAGUE = ZoneInfo("Europe/Prague")
#: The round's deadline: Tuesday 24. 11. 2026 (7 days before is 17. 11., a public holiday).
DEADLINE = date(2026, 11, 24)
#: OŠMTS is granted an extension to Monday 30. 11. 2026.
EXTENDED = date(2026, 11, 30)


@dataclass
class Scenario:
    round: ReportingRound
    bodies: dict[str, Body]
    users: dict[str, User]

    def entry(self, code: str, abbr: str) -> Entry:
        return db.session.scalars(
            select(Entry)
            .join(Activity)
            .where(
                Entry.round_id == self.round.id, Activity.code == code, Entry.body_id == self.bodies[abbr].id
            )
        ).one()


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:  # use with pytest.mark.usefixtures
    """Workflow services translate their messages; the locale selector reads the request."""
    with app.test_request_context("/"):
        yield


def build_round(make_user: Any, *, extra_osv_activities: int = 0, deadline: date = DEADLINE) -> Scenario:
    """A plan with A1.1 (OSV, OŠMTS), A1.2 (OSV), A1.3 (OŠMTS) [+ extra OSV activities], people, and
    an open round with the given deadline; the round is opened on 20. 10. 2026."""
    bodies = {
        "OSV": Body(abbreviation="OSV", name="Odbor sociálních věcí", kind="department"),
        "OŠMTS": Body(
            abbreviation="OŠMTS", name="Odbor školství, mládeže, tělovýchovy a sportu", kind="department"
        ),
    }
    db.session.add_all(bodies.values())
    plan = Plan(title="Akční plán 2024–2027", default_body=bodies["OSV"])
    area = PlanNode(plan=plan, depth=0, code="A", title="Systémová opatření", footnotes=[], coordination=[])
    db.session.add_all([plan, area])
    db.session.flush()
    goal = PlanNode(plan=plan, depth=1, parent=area, code="A1", title="Mezioborová spolupráce", footnotes=[],
                    coordination=[])
    routing = {"A1.1": ("OSV", "OŠMTS"), "A1.2": ("OSV",), "A1.3": ("OŠMTS",)}
    for n in range(extra_osv_activities):
        routing[f"A1.{n + 4}"] = ("OSV",)
    for code, routed in routing.items():
        activity = Activity(
            plan=plan,
            node=goal,
            top_node=area,
            code=code,
            sort_key=code.replace(".", ".0"),
            description=f"Koordinace sociálního začleňování – aktivita {code}",
            deadline_kind="ongoing",
            deadline_raw="průběžně",
        )
        activity.routing = [ActivityBody(body=bodies[b], position=i) for i, b in enumerate(routed)]
        db.session.add(activity)
    db.session.commit()
    users = {
        "tajemnik": make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary], name="Tereza Tajemná"),
        "jana": make_user(
            "jana.novakova@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"], name="Jana Nováková"
        ),
        "petr": make_user("petr.vedouci@kraj-lbc.cz", roles=[Role.head], bodies=["OSV"], name="Petr Vedoucí"),
        "ivan": make_user("ivan.byvaly@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"], active=False),
        "eva": make_user(
            "eva.skolska@kraj-lbc.cz", roles=[Role.contributor], bodies=["OŠMTS"], name="Eva Školská"
        ),
        "karel": make_user("karel.zastup@kraj-lbc.cz", roles=[Role.contributor], name="Karel Zástupce"),
    }
    db.session.add(
        Deputy(
            principal_id=users["eva"].id,
            deputy_id=users["karel"].id,
            starts_on=date(2026, 11, 20),
            ends_on=date(2026, 11, 27),
        )
    )
    db.session.commit()
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=PRAGUE), tick=False):
        round_ = create_round(
            plan.id,
            users["tajemnik"],
            title="Monitoring 2026",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            submission_deadline=deadline,
        )
        open_round(round_, users["tajemnik"])
        db.session.commit()
    return Scenario(round_, bodies, users)


def run_sweep(day: date) -> dict[tuple[str, str], list[str]]:
    """Run the sweep at 8:00 Prague time on ``day``; what it wrote: ``{(kind, e-mail): [codes]}``."""
    before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    with time_machine.travel(
        datetime.combine(day, datetime.min.time(), tzinfo=PRAGUE) + timedelta(hours=8), tick=False
    ):
        reminders.send_reminders(day)
        db.session.commit()
    sent: dict[tuple[str, str], list[str]] = {}
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)):
        if message.kind == reminders.SECRETARY_DIGEST:
            codes = [b["abbreviation"] for r in message.payload["rounds"] for b in r["bodies"]]
        else:
            codes = [
                f"{b['abbreviation']}:{e['code']}" for b in message.payload["bodies"] for e in b["entries"]
            ]
        sent[(message.kind, message.recipient_email)] = codes
    return sent


JANA, PETR, EVA, KAREL = (
    "jana.novakova@kraj-lbc.cz",
    "petr.vedouci@kraj-lbc.cz",
    "eva.skolska@kraj-lbc.cz",
    "karel.zastup@kraj-lbc.cz",
)
TAJEMNIK = "tajemnik@kraj-lbc.cz"
