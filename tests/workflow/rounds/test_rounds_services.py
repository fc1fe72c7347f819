"""Creating, routing, opening, closing and reopening rounds (workflow.rounds)."""

from __future__ import annotations

from datetime import date

import pytest
from round_fixtures import entry_of
from sqlalchemy import event, func, select

from web.extensions import db
from workflow import closing
from workflow.errors import PermissionDenied
from workflow.models import Entry, RoundActivity, RoundEvent
from workflow.rounds import (
    RoundError,
    create_round,
    open_round,
    reopen_round,
    routing_preview,
    set_inclusion,
    set_routing,
)
from workflow.states import EntryState, RoundState


def _new_round(small_plan, people, **kw):
    args = dict(
        title="Monitoring plnění akčního plánu 2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        submission_deadline=date(2026, 2, 28),
    )
    args.update(kw)
    return create_round(small_plan.plan.id, people.secretary, **args)


def test_default_inclusion_follows_the_deadlines(small_plan, people):
    round_ = _new_round(small_plan, people)
    rows = {r.activity.code: r for r in routing_preview(round_)}
    assert [code for code, r in rows.items() if r.inclusion.included] == ["A1.1", "A1.2", "B1.1", "B1.2"]
    assert rows["A1.1"].inclusion.default_reason == "ongoing"
    assert rows["A1.2"].inclusion.default_reason == "overlaps"
    assert rows["A1.3"].inclusion.default_reason == "reported"
    assert rows["A1.4"].inclusion.default_reason == "starts_after"
    assert rows["B1.2"].inclusion.default_reason == "final_report"
    assert rows["B1.2"].default_reason_title == "Termín uplynul, ale závěrečné plnění dosud nebylo vykázáno"
    assert [b.abbreviation for b in rows["A1.2"].bodies] == ["OŠMTS", "ORREP"]


def test_only_the_secretary_creates_rounds_and_dates_are_checked(small_plan, people):
    with pytest.raises(PermissionDenied):
        create_round(
            small_plan.plan.id,
            people.reviewer,
            title="X",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
        )
    with pytest.raises(RoundError, match="Konec sledovaného období"):
        _new_round(small_plan, people, period_end=date(2024, 1, 1))
    _new_round(small_plan, people)
    with pytest.raises(RoundError, match="už v tomto plánu existuje"):
        _new_round(small_plan, people)


def test_inclusion_change_needs_a_reason_and_routing_can_be_adjusted(small_plan, people):
    round_ = _new_round(small_plan, people)
    a14 = small_plan.activities["A1.4"].id
    with pytest.raises(RoundError, match="důvod"):
        set_inclusion(round_, a14, people.secretary, included=True, reason=" ")
    set_inclusion(round_, a14, people.secretary, included=True, reason="Projekt začal dříve.")
    b = small_plan.bodies
    set_routing(
        round_,
        small_plan.activities["A1.1"].id,
        [b["ORREP"].id, b["OSV"].id],
        people.secretary,
        reason="Gestorem je letos ORREP.",
    )
    created = open_round(round_, people.secretary)
    # A1.1 → ORREP+OSV, A1.2 → 2, A1.4 → OSV, B1.1 → 2, B1.2 → ORREP
    assert created == 8
    assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.round_id == round_.id)) == 8
    assert entry_of(round_, "A1.4", "OSV").state == EntryState.not_started
    ra = db.session.get(RoundActivity, (round_.id, a14))
    assert ra.reason == "Projekt začal dříve." and ra.changed_by_id == people.secretary.id
    with pytest.raises(RoundError, match="před otevřením"):
        set_inclusion(round_, a14, people.secretary, included=False, reason="x")


def test_open_is_one_insert_with_carry_over(small_plan, people, app):
    round_ = _new_round(small_plan, people)
    inserts = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO ENTRIES"):
            inserts.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert open_round(round_, people.secretary) == 6
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    carried = entry_of(round_, "A1.1", "OSV")
    assert carried.carried_over and carried.text.startswith("Loni: A1.1")
    assert carried.fulfilment_status == "ongoing" and carried.indicator_unit == "zasedání"
    assert carried.carried_from.round_id == small_plan.past_round.id
    fresh = entry_of(round_, "A1.2", "ORREP")
    assert not fresh.carried_over and fresh.text == ""
    assert round_.state == RoundState.open


def test_close_locks_and_only_admin_reopens_with_reason(opened, people):
    with pytest.raises(PermissionDenied):
        closing.close_with_snapshot(opened, people.reviewer)
    closing.waive_remaining(opened, people.secretary, "Nikdo neodpověděl.")
    closing.fill_missing_texts(opened, people.secretary, "Nevykázáno.")
    closing.close_with_snapshot(opened, people.secretary)
    with pytest.raises(PermissionDenied):
        reopen_round(opened, people.secretary, reason="chyba")
    with pytest.raises(RoundError, match="důvod"):
        reopen_round(opened, people.admin, reason="")
    reopen_round(opened, people.admin, reason="OSV doplní přílohu")
    db.session.commit()
    events = db.session.scalars(
        select(RoundEvent).where(RoundEvent.round_id == opened.id).order_by(RoundEvent.id)
    ).all()
    assert [e.action for e in events] == ["created", "opened", "closed", "reopened"]
    assert events[-1].comment == "OSV doplní přílohu" and events[-1].actor_id == people.admin.id
