"""The reminder sweep: a round walked day by day with a travelled clock, exactly who gets what."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from reminder_scenario import (
    EVA,
    EXTENDED,
    JANA,
    KAREL,
    PETR,
    PRAGUE,
    TAJEMNIK,
    build_round,
    request_context,  # noqa: F401 - the fixture
    run_sweep,
)
from sqlalchemy import event, select

from notifications import calendar, reminders
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.entries import decide_extension
from workflow.models import DeadlineExtension, Entry, ReminderSettings, ReportingRound, User
from workflow.states import EntryState

pytestmark = pytest.mark.usefixtures("request_context")
R, OV, ES, DG = (
    reminders.DEADLINE_REMINDER,
    reminders.OVERDUE_NOTICE,
    reminders.ESCALATION,
    reminders.SECRETARY_DIGEST,
)
OSV_BOTH = ["OSV:A1.1", "OSV:A1.2"]
OSV_LEFT = ["OSV:A1.2"]
OSMTS = ["OŠMTS:A1.1", "OŠMTS:A1.3"]

#: Day → exactly what the sweep sends that day (every other day of the walk: nothing).
EXPECTED: dict[date, dict[tuple[str, str], list[str]]] = {
    date(2026, 11, 10): {(R, JANA): OSV_BOTH, (R, PETR): OSV_BOTH},  # 14 days before
    # 7 days before is 17. 11. (a holiday) → Monday 16. 11.; OŠMTS' 14 days before (extension)
    date(2026, 11, 16): {(R, JANA): OSV_BOTH, (R, PETR): OSV_BOTH, (R, EVA): OSMTS},
    # A1.1/OSV approved on 18. 11. → no longer listed; 2 days before is Sunday → Friday 20. 11.
    date(2026, 11, 20): {(R, JANA): OSV_LEFT, (R, PETR): OSV_LEFT},
    # OŠMTS 7 days before its extended deadline: Eva and her deputy Karel (20.–27. 11.)
    date(2026, 11, 23): {(R, EVA): OSMTS, (R, KAREL): OSMTS},
    date(2026, 11, 24): {(R, JANA): OSV_LEFT, (R, PETR): OSV_LEFT},  # on the day
    date(2026, 11, 25): {(DG, TAJEMNIK): ["OSV"]},  # OSV late: the secretary's digest only
    date(2026, 11, 26): {(DG, TAJEMNIK): ["OSV"]},
    # first overdue notice (+3); OŠMTS 2 days before (Saturday → Friday), Karel still deputy
    date(2026, 11, 27): {
        (OV, JANA): OSV_LEFT,
        (OV, PETR): OSV_LEFT,
        (R, EVA): OSMTS,
        (R, KAREL): OSMTS,
        (DG, TAJEMNIK): ["OSV"],
    },
    # second overdue notice (+6); OŠMTS on the day, Karel's deputyship is over
    date(2026, 11, 30): {
        (OV, JANA): OSV_LEFT,
        (OV, PETR): OSV_LEFT,
        (R, EVA): OSMTS,
        (DG, TAJEMNIK): ["OSV"],
    },
    date(2026, 12, 1): {(ES, PETR): OSV_LEFT, (DG, TAJEMNIK): ["OSV"]},  # escalation to the head (+7)
    date(2026, 12, 2): {(DG, TAJEMNIK): ["OSV"]},
    date(2026, 12, 3): {(OV, JANA): OSV_LEFT, (OV, PETR): OSV_LEFT, (DG, TAJEMNIK): ["OSV"]},  # +9
    # +12 is Sunday 6. 12. → Friday 4. 12.
    date(2026, 12, 4): {(OV, JANA): OSV_LEFT, (OV, PETR): OSV_LEFT, (DG, TAJEMNIK): ["OSV"]},
    date(2026, 12, 7): {(DG, TAJEMNIK): ["OSV"]},
    date(2026, 12, 8): {(DG, TAJEMNIK): ["OSV"]},
    date(2026, 12, 9): {(OV, JANA): OSV_LEFT, (OV, PETR): OSV_LEFT, (DG, TAJEMNIK): ["OSV"]},  # +15, the 5th
    date(2026, 12, 10): {(DG, TAJEMNIK): ["OSV"]},
    date(2026, 12, 11): {(DG, TAJEMNIK): ["OSV"]},  # +18 (12. 12.) would be a 6th notice: none
    date(2026, 12, 14): {(DG, TAJEMNIK): ["OSV"]},
    date(2026, 12, 15): {(DG, TAJEMNIK): ["OSV"]},
}


def test_walk_a_round_day_by_day(app, make_user):
    s = build_round(make_user)
    ext = DeadlineExtension(
        round_id=s.round.id,
        body_id=s.bodies["OŠMTS"].id,
        reason="Čerpání dovolených",
        requested_until=EXTENDED,
    )
    db.session.add(ext)
    db.session.flush()
    decide_extension(ext, s.users["tajemnik"], grant=True, until=EXTENDED)
    db.session.commit()

    day = date(2026, 11, 1)
    while day <= date(2026, 12, 15):
        sent = run_sweep(day)
        assert sent == EXPECTED.get(day, {}), day
        if day == date(2026, 11, 18):
            approved = s.entry("A1.1", "OSV")
            approved.state = EntryState.approved
            db.session.commit()
        if day == date(2026, 11, 30):  # OŠMTS submits both entries on its (extended) deadline
            for code in ("A1.1", "A1.3"):
                s.entry(code, "OŠMTS").state = EntryState.submitted
            db.session.commit()
        day += timedelta(days=1)
    # Nobody else ever got a reminder: not the deactivated member, not a body without entries due.
    recipients = set(
        db.session.scalars(
            select(OutboxMessage.recipient_email).where(OutboxMessage.kind.in_(reminders.REMINDER_KINDS))
        )
    )
    assert recipients == {JANA, PETR, EVA, KAREL}


def test_weekend_and_holiday_calendar():
    assert not calendar.is_working_day(date(2026, 10, 28))  # Den vzniku samostatného čs. státu
    assert not calendar.is_working_day(date(2026, 11, 17))  # Den boje za svobodu a demokracii
    assert not calendar.is_working_day(date(2026, 11, 21))  # Saturday
    assert calendar.send_date_before(date(2026, 11, 24), 7) == date(2026, 11, 16)
    assert calendar.send_date_before(date(2026, 10, 30), 2) == date(2026, 10, 27)  # 28. 10. → 27. 10.
    # never onto the deadline itself: Friday deadline + 1 day (Saturday) → Monday
    assert calendar.send_date_after(date(2026, 11, 13), 1) == date(2026, 11, 16)


def test_repeated_sweep_writes_nothing_twice(app, make_user):
    build_round(make_user)
    first = run_sweep(date(2026, 11, 16))
    assert len(first) == 3
    assert run_sweep(date(2026, 11, 16)) == {}
    keys = sorted(db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == R)))
    round_id = db.session.scalar(select(ReportingRound.id))
    assert keys == sorted(f"deadline_reminder:{round_id}:2026-11-16:{uid}" for uid in _ids(JANA, PETR, EVA))


def _ids(*emails: str) -> list[int]:
    return [db.session.scalar(select(User.id).where(User.email == e)) for e in emails]


def test_paused_and_closed_rounds_send_nothing(app, make_user):
    s = build_round(make_user)
    db.session.add(ReminderSettings(round_id=s.round.id, paused=True))
    db.session.commit()
    assert run_sweep(date(2026, 11, 10)) == {}
    settings = db.session.get(ReminderSettings, s.round.id)
    settings.paused = False
    settings.offsets = [10]
    db.session.commit()
    assert run_sweep(date(2026, 11, 10)) == {}  # 14 days before is no longer in the schedule
    assert set(run_sweep(date(2026, 11, 13))) == {(R, JANA), (R, PETR), (R, EVA)}  # 10 days before
    s.round.state = "closed"
    db.session.commit()
    assert run_sweep(date(2026, 11, 24)) == {}


def test_a_person_in_two_bodies_gets_one_email_listing_both(app, make_user):
    s = build_round(make_user, deadline=date(2026, 11, 30))
    jana = s.users["jana"]
    jana.bodies.append(s.bodies["OŠMTS"])
    db.session.commit()
    sent = run_sweep(date(2026, 11, 16))  # 14 days before 30. 11.
    assert sent[(R, JANA)] == ["OSV:A1.1", "OSV:A1.2", "OŠMTS:A1.1", "OŠMTS:A1.3"]
    reminders_to_jana = select(db.func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient_email == JANA, OutboxMessage.kind == R
    )
    assert db.session.scalar(reminders_to_jana) == 1


def test_secretary_can_send_now_once_a_day(app, make_user):
    s = build_round(make_user)
    with time_machine.travel(datetime(2026, 11, 12, 10, 0, tzinfo=PRAGUE), tick=False):
        assert reminders.send_now(s.round, date(2026, 11, 12), body_id=s.bodies["OŠMTS"].id) == 1
        assert reminders.send_now(s.round, date(2026, 11, 12), body_id=s.bodies["OŠMTS"].id) == 0
        assert reminders.send_now(s.round, date(2026, 11, 12)) == 0  # nobody is late yet
        db.session.commit()
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind.in_(reminders.REMINDER_KINDS))
    ).one()
    assert (message.kind, message.recipient_email) == (R, EVA)
    assert message.dedupe_key.startswith("manual:deadline_reminder:")
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=PRAGUE), tick=False):
        assert reminders.send_now(s.round, date(2026, 11, 26)) == 4  # all late bodies: OSV and OŠMTS
        db.session.commit()
    late = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == OV)).all()
    assert sorted(m.recipient_email for m in late) == sorted([JANA, PETR, EVA, KAREL])


@pytest.mark.parametrize("extra", [0, 27])
def test_query_count_does_not_depend_on_entries(app, make_user, extra):
    """3 entries for OSV (A1.1, A1.2 + 1) versus 30: the sweep issues the same statements."""
    s = build_round(make_user, extra_osv_activities=extra + 1)
    osv_entries = db.session.scalar(
        select(db.func.count(Entry.id)).where(Entry.body_id == s.bodies["OSV"].id)
    )
    assert osv_entries == 3 + extra
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with time_machine.travel(datetime(2026, 11, 10, 8, 0, tzinfo=PRAGUE), tick=False):
            written = reminders.send_reminders(date(2026, 11, 10))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.commit()
    assert written == 3  # Jana, Petr (OSV: one e-mail each, listing every entry) and Eva (OŠMTS)
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_email == JANA, OutboxMessage.kind == R)
    ).one()
    assert len(message.payload["bodies"][0]["entries"]) == 3 + extra
    # open rounds, due entries, members, deputies, one INSERT for the 3 e-mails, then the digest's
    # open rounds and late bodies (none late): 7 statements, the same for 3 and for 30 entries
    assert len(statements) == 7, statements
