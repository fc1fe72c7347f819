"""The round change counter spread over slots (workflow.models.changes, issue 17): every commit that
changes rounds adds exactly 1 to one slot of each, the counter read back is the sum of the slots,
a rolled-back transaction adds nothing, and the slots go with their round."""

from __future__ import annotations

from itertools import cycle
from types import SimpleNamespace

from round_fixtures import entry_of
from sqlalchemy import func, select

from web.extensions import db
from workflow.models import Entry, ReportingRound, RoundChangeSlot
from workflow.models import changes as changes_module
from workflow.models.changes import mark_round_changed
from workflow.models.rounds import CHANGE_SLOTS
from workflow.plan_history import delete_plan


def _counter(round_id: int) -> int:
    """The round's counter as a fresh query reads it."""
    db.session.expire_all()
    return db.session.scalar(select(ReportingRound.change_counter).where(ReportingRound.id == round_id))


def _slots(round_id: int) -> dict[int, int]:
    """The round's slots: slot → counter."""
    rows = db.session.execute(
        select(RoundChangeSlot.slot, RoundChangeSlot.counter).where(RoundChangeSlot.round_id == round_id)
    )
    return {slot: counter for slot, counter in rows}


def test_a_commit_changing_two_rounds_raises_each_counter_by_one(opened, small_plan):
    past = small_plan.past_round
    before = {opened.id: _counter(opened.id), past.id: _counter(past.id)}
    assert before[opened.id] >= 1  # opening wrote its entries
    entry_of(opened, "A1.1", "OSV").problems = "Nový problém."
    entry_of(past, "A1.1", "OSV").problems = "Opraveno."
    loaded = db.session.get(ReportingRound, opened.id)
    db.session.commit()
    assert loaded.change_counter == before[opened.id] + 1  # the loaded round learnt it in memory
    assert _counter(opened.id) == before[opened.id] + 1
    assert _counter(past.id) == before[past.id] + 1
    for round_id in (opened.id, past.id):
        assert sum(_slots(round_id).values()) == _counter(round_id)


def test_many_commits_spread_over_the_slots_sum_up(opened, monkeypatch):
    start = _counter(opened.id)
    for _ in range(20):  # picked at random: more than one slot written
        mark_round_changed(db.session, opened.id)
        db.session.commit()
    assert _counter(opened.id) == start + 20
    random_slots = _slots(opened.id)
    assert len(random_slots) > 1 and set(random_slots) <= set(range(CHANGE_SLOTS))
    picks = cycle(range(CHANGE_SLOTS))
    monkeypatch.setattr(changes_module, "random", SimpleNamespace(randrange=lambda n: next(picks)))
    for _ in range(2 * CHANGE_SLOTS + 3):  # every slot twice, three once more
        mark_round_changed(db.session, opened.id)
        db.session.commit()
    slots = _slots(opened.id)
    assert set(slots) == set(range(CHANGE_SLOTS))
    assert _counter(opened.id) == sum(slots.values()) == start + 20 + 2 * CHANGE_SLOTS + 3
    added = {s: slots[s] - random_slots.get(s, 0) for s in slots}
    assert added == {s: 3 if s < 3 else 2 for s in range(CHANGE_SLOTS)}


def test_the_counter_reads_the_same_everywhere(opened, small_plan):
    """As a column of a query, on a loaded round and summed over all rounds (the review queue)."""
    mark_round_changed(db.session, opened.id)
    db.session.commit()
    db.session.expire_all()
    counters = dict(db.session.execute(select(ReportingRound.id, ReportingRound.change_counter)).all())
    assert counters[opened.id] == db.session.get(ReportingRound, opened.id).change_counter
    assert isinstance(counters[opened.id], int)
    total = db.session.scalar(select(func.coalesce(func.sum(RoundChangeSlot.counter), 0)))
    assert total == sum(counters.values())
    assert db.session.scalar(select(ReportingRound.change_counter).where(ReportingRound.id == -1)) is None


def test_a_new_round_counts_from_zero(small_plan):
    past = small_plan.past_round
    extra = ReportingRound(
        plan=small_plan.plan, title="Kolo navíc", period_start=past.period_start, period_end=past.period_end
    )
    db.session.add(extra)
    db.session.flush()
    assert _counter(extra.id) == 0 and _slots(extra.id) == {}
    mark_round_changed(db.session, extra.id)
    db.session.commit()
    assert _counter(extra.id) == 1


def test_a_rolled_back_transaction_changes_nothing(opened):
    before, slots = _counter(opened.id), _slots(opened.id)
    entry_of(opened, "A1.1", "OSV").problems = "Neuloženo."
    mark_round_changed(db.session, opened.id)
    db.session.flush()
    db.session.rollback()
    assert _counter(opened.id) == before and _slots(opened.id) == slots
    db.session.commit()  # nothing left to publish
    assert _counter(opened.id) == before and _slots(opened.id) == slots


def test_deleting_a_round_deletes_its_slots(small_plan):
    """The plan's deletion takes its imported rounds with it (PostgreSQL: the foreign keys' ON
    DELETE CASCADE; SQLite: the same cascade walked by plan_history); a round changed and deleted
    in one transaction gets no slot."""
    past = small_plan.past_round.id
    mark_round_changed(db.session, past)
    db.session.commit()
    assert _slots(past) and _counter(past) >= 1
    entry = db.session.scalars(select(Entry).where(Entry.round_id == past)).first()
    entry.problems = "Změněno před smazáním."
    db.session.flush()
    mark_round_changed(db.session, past)
    delete_plan(small_plan.plan, None)
    db.session.commit()
    assert db.session.get(ReportingRound, past) is None
    assert _slots(past) == {}
    assert db.session.scalar(select(func.count()).select_from(RoundChangeSlot)) == 0
