"""The round-level change counter (:attr:`ReportingRound.change_counter`).

Every transaction that changes a round or its entries bumps the round's counter once, in one
``UPDATE reporting_rounds SET change_counter = change_counter + 1 WHERE id IN (…)`` issued just
before it commits (the ``before_commit`` step, after its last flush). Fragment caches keyed by
the counter (the round dashboard) therefore change with the very commit that changes what they
show, and a rolled-back transaction changes nothing.

What counts as a change of the round, collected on the session while it flushes:

* an :class:`~workflow.models.rounds.Entry` added, deleted or with a changed column (save,
  submit, approve, return, reopen, a new deadline, the entries a round opens with);
* a :class:`~workflow.models.rounds.DeadlineExtension` added or decided (the set-based deadline
  update that comes with a granted extension is in the same transaction);
* the :class:`~workflow.models.rounds.ReportingRound` itself changed (a transition, new dates).

Concurrency: the ``UPDATE`` takes the round row's lock only from just before the commit until the
commit ends, so two submits of different bodies in the same round run in parallel and queue only
for that moment (a row lock held for the length of the ``COMMIT``, about a millisecond), not for
their whole transactions. Rows are updated in id order, so two transactions touching the same
rounds cannot deadlock. The ``UPDATE`` does not change a key column, so it does not conflict with
the ``FOR KEY SHARE`` locks that inserts of entries' child rows take on the round.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow.models.rounds import DeadlineExtension, Entry, ReportingRound

#: Key in ``Session.info``: ids of the rounds the transaction has changed so far.
SESSION_KEY = "changed_round_ids"


def _round_ids(session: Session) -> set[int]:
    found: set[int] = set()
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, Entry | DeadlineExtension) and obj.round_id is not None:
            found.add(obj.round_id)
    for obj in session.dirty:
        if isinstance(obj, Entry | DeadlineExtension):
            if obj.round_id is not None and session.is_modified(obj):
                found.add(obj.round_id)
        elif isinstance(obj, ReportingRound) and obj.id is not None and session.is_modified(obj):
            found.add(obj.id)
    return found


def mark_changed(session: Session, round_id: int) -> None:
    """Record that the transaction of ``session`` changed round ``round_id`` (for set-based
    statements the session does not see); its counter is bumped when the session commits."""
    session.info.setdefault(SESSION_KEY, set()).add(round_id)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context: Any, instances: Any) -> None:
    ids = _round_ids(session)
    if ids:
        session.info.setdefault(SESSION_KEY, set()).update(ids)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # collects the last changes; the round's lock is then the last one taken
    ids = session.info.pop(SESSION_KEY, None)
    if not ids:
        return
    table = ReportingRound.__table__
    session.connection().execute(
        update(table)
        .where(table.c.id.in_(sorted(ids)))
        .values(change_counter=table.c.change_counter + 1)
        .execution_options(synchronize_session=False)
    )
    # The loaded rounds learn the new value without a reload (expiring it would cost a SELECT
    # when anything reads the round again before the commit ends).
    # Only the instance dict is read: touching an expired round's id would load it.
    for obj in session.identity_map.values():
        loaded = obj.__dict__
        if isinstance(obj, ReportingRound) and loaded.get("id") in ids and "change_counter" in loaded:
            set_committed_value(obj, "change_counter", loaded["change_counter"] + 1)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(SESSION_KEY, None)
