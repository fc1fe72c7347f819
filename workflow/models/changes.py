"""What a transaction changed: the one collector behind the caches keyed by changes.

One set of session hooks collects, while a transaction flushes, what it changed, and just before it
commits (the ``before_commit`` step, after its last flush) publishes it where every process reads
it, in the same transaction:

* **rounds** — the round-level change counter (:attr:`ReportingRound.change_counter`, the sum of
  the round's :class:`~workflow.models.rounds.RoundChangeSlot` rows): every transaction that
  changed a round or its entries raises the counter of each such round by exactly 1, in one
  ``INSERT INTO round_change_slots … SELECT … ON CONFLICT (round_id, slot) DO UPDATE SET counter =
  counter + 1`` that adds 1 to one slot of each round, the slot picked at random per transaction
  (a new slot's row is written by the first transaction that picks it; rounds deleted meanwhile
  are skipped). A change
  of a round is an :class:`~workflow.models.rounds.Entry` added, deleted or with a changed column
  (save, submit, approve, return, reopen, a new deadline, the entries a round opens with); a
  :class:`~workflow.models.rounds.DeadlineExtension` added or decided; a
  :class:`~workflow.models.rounds.RoundEvent` added (the round's history: publishing the report,
  a routing change); the
  :class:`~workflow.models.rounds.ReportingRound` itself changed (a transition, new dates); or a
  set-based statement the session does not see, announced with :func:`mark_round_changed`. Read
  by the round dashboard's fragment cache, the groups of „Moje úkoly“ and (summed over every
  round) the review queue's cache.
* **reference data** — a new :class:`CacheGeneration` ``"reference"`` (a random token) after every
  transaction that added, changed or deleted a row of :data:`REFERENCE_MODELS` (rounds, bodies
  and the plan's structure: what the pick lists and labels are built from), through the unit of
  work or an ``INSERT``/``UPDATE``/``DELETE`` statement sent through the session (bulk loads).
  Read by the review queue's filter choices and the groups of „Moje úkoly“.

A rolled-back transaction publishes nothing. The generation is a random token, not a counter, so
a value is never repeated: not after a rolled-back transaction (the tests' outer transaction
included) nor after a restored backup. Without its row (a database emptied by ``TRUNCATE``)
:func:`reference_generation` is ``None`` and its readers do not cache.

Concurrency: no row is shared by every commit of a round. A round's counter is spread over
:data:`~workflow.models.rounds.CHANGE_SLOTS` (16) rows and each transaction adds its 1 to a slot
picked at random, so two submits of different bodies in the same round run in parallel and wait
for each other only when they pick the same slot (1 in 16): then the second waits for the first's
slot row for the length of its ``COMMIT`` (the row is locked from just before the commit, as the
bump is the transaction's last statement, until the commit ends, about a millisecond with the WAL's
fsync), not for its whole transaction. (One counter row per round made every pair of commits in a
round queue like that.) A transaction uses one slot for all its rounds and bumps them in id order,
before the generation, so two transactions cannot deadlock. A new slot row takes a ``FOR KEY
SHARE`` lock on its round (the foreign key's check, as the inserts of entries' child rows do),
which conflicts only with the round's deletion (nothing locks a round ``FOR UPDATE`` or changes
its id); an existing slot's ``UPDATE`` changes no key and checks nothing. Readers sum the
slots (a correlated subquery loaded with the round): the sum grows by exactly 1 per committed
transaction, so it is still a counter that never repeats a value for a round.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import SmallInteger, String, bindparam, cast, event, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from workflow.db import db
from workflow.models.bodies import Body
from workflow.models.plans import Activity, Plan, PlanNode
from workflow.models.rounds import (
    CHANGE_SLOTS,
    DeadlineExtension,
    Entry,
    ReportingRound,
    RoundChangeSlot,
    RoundEvent,
)

#: Key in ``Session.info``: the :class:`Changes` of the transaction so far.
SESSION_KEY = "changes"
#: Rows whose change makes a new reference generation: what pick lists and labels are built from.
REFERENCE_MODELS: tuple[type, ...] = (ReportingRound, Body, Plan, PlanNode, Activity)
REFERENCE_TABLES = frozenset(m.__table__.name for m in REFERENCE_MODELS)  # type: ignore[attr-defined]
#: The name of the reference data's row in :class:`CacheGeneration`.
REFERENCE = "reference"


class CacheGeneration(db.Model):
    """The current generation (a random token) of a kind of data, renewed by every transaction
    that changes it (:mod:`workflow.models.changes`); caches of that data are keyed by it."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    generation: Mapped[str] = mapped_column(String(32))


@dataclass
class Changes:
    """What a transaction has changed so far: ``rounds`` (ids) and whether reference data did."""

    rounds: set[int] = field(default_factory=set)
    reference: bool = False


def changes_of(session: Session) -> Changes:
    """The :class:`Changes` collected on ``session``'s transaction so far."""
    found = session.info.get(SESSION_KEY)
    if found is None:
        found = session.info[SESSION_KEY] = Changes()
    return found


def mark_round_changed(session: Session, round_id: int) -> None:
    """Record that the transaction of ``session`` changed round ``round_id`` (for set-based
    statements the session does not see); its counter is bumped when the session commits."""
    changes_of(session).rounds.add(round_id)


def reference_generation() -> Any:
    """SQL scalar: the current reference generation (``None`` without its row). Put it in the
    statement that reads what a cache is keyed by, so the key costs no statement of its own."""
    return (
        select(CacheGeneration.generation).where(CacheGeneration.name == REFERENCE).scalar_subquery()
    )


def round_version(
    round_id: int,
    created_at: datetime | None,
    change_counter: int,
    generation: str | None = None,
    *,
    with_reference: bool = True,
) -> str | None:
    """The version of round ``round_id``'s data, the part of a cache key that says what a cached
    value of the round was derived from: ``"<id>.<creation time>:<change counter>[:<generation>]"``.

    The creation time (UTC) tells apart rounds that reuse an id (SQLite after a rollback); the
    change counter (:attr:`ReportingRound.change_counter`) moves with every commit that changes the
    round, its entries, requests or history; the reference generation (:func:`reference_generation`,
    read in the same statement) with every change of the plans, bodies and rounds' names, which
    the value may show. ``with_reference=False`` leaves the generation out (for values that show
    no such names, or whose cache life bounds how long an old name may stay).

    :returns: the version, or ``None`` when it cannot be told (no creation time yet, or no
        generation row while ``with_reference``): then nothing derived from the round may be cached.
    """
    if created_at is None or (with_reference and not generation):
        return None
    version = f"{round_id}.{created_at:%Y%m%d%H%M%S%f}:{change_counter}"
    return f"{version}:{generation}" if with_reference else version


@event.listens_for(Session, "before_flush")
def _collect(session: Session, flush_context: Any, instances: Any) -> None:
    changes = changes_of(session)
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Entry | DeadlineExtension | RoundEvent) and obj.round_id is not None:
            changes.rounds.add(obj.round_id)
        elif isinstance(obj, REFERENCE_MODELS):
            changes.reference = True
    for obj in session.dirty:
        if isinstance(obj, Entry | DeadlineExtension):
            if obj.round_id is not None and session.is_modified(obj):
                changes.rounds.add(obj.round_id)
        elif isinstance(obj, REFERENCE_MODELS) and session.is_modified(obj):
            changes.reference = True
            if isinstance(obj, ReportingRound) and obj.id is not None:
                changes.rounds.add(obj.id)


@event.listens_for(Session, "do_orm_execute")
def _collect_statement(state: ORMExecuteState) -> None:
    """An ``INSERT``/``UPDATE``/``DELETE`` statement on a reference table sent through the session
    (bulk loads such as ``seed-large``, plan deletion) bypasses the unit of work."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in REFERENCE_TABLES:
        changes_of(state.session).reference = True


@event.listens_for(Session, "before_commit")
def _publish(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # collects the last changes; the rows' locks are then the last ones taken
    changes: Changes | None = session.info.pop(SESSION_KEY, None)
    if changes is None:
        return
    if changes.rounds:
        _bump_rounds(session, changes.rounds)
    if changes.reference:
        _renew(session, REFERENCE)


_ROUNDS = ReportingRound.__table__
_SLOTS = RoundChangeSlot.__table__


def _bump_statement(dialect_insert: Any) -> Any:
    """The counters' upsert in one dialect: 1 added to the slot ``:slot`` of every round of
    ``:ids`` that still exists (a round deleted in the same transaction has no slot to write),
    in id order."""
    rounds = (
        select(_ROUNDS.c.id, cast(bindparam("slot"), SmallInteger), literal_column("1"))
        .where(_ROUNDS.c.id.in_(bindparam("ids", expanding=True)))  # SQLite's upsert needs a WHERE
        .order_by(_ROUNDS.c.id)
    )
    upsert = dialect_insert(_SLOTS).from_select(["round_id", "slot", "counter"], rounds)
    return upsert.on_conflict_do_update(
        index_elements=[_SLOTS.c.round_id, _SLOTS.c.slot], set_={"counter": _SLOTS.c.counter + 1}
    )


#: The counters' upsert per dialect, built once (its cache key then computed once; every commit
#: that changes an entry runs it).
_BUMP = {"postgresql": _bump_statement(pg_insert), "sqlite": _bump_statement(sqlite_insert)}


def _bump_rounds(session: Session, ids: set[int]) -> None:
    connection = session.connection()
    # Not a secret: only spreads the commits of a round over its slots.
    slot = random.randrange(CHANGE_SLOTS)  # noqa: S311  # nosec B311
    connection.execute(_BUMP[connection.dialect.name], {"ids": sorted(ids), "slot": slot})
    # The loaded rounds learn the new value without a reload (expiring it would cost a SELECT
    # when anything reads the round again before the commit ends): the sum of the slots grew by
    # exactly 1. Only the instance dict is read: touching an expired round's id would load it.
    for obj in session.identity_map.values():
        loaded = obj.__dict__
        if isinstance(obj, ReportingRound) and loaded.get("id") in ids and "change_counter" in loaded:
            set_committed_value(obj, "change_counter", loaded["change_counter"] + 1)


def _renew(session: Session, name: str) -> None:
    table = CacheGeneration.__table__
    token = uuid.uuid4().hex
    connection = session.connection()
    renewed = connection.execute(update(table).where(table.c.name == name).values(generation=token))
    if not renewed.rowcount:  # a database emptied by TRUNCATE: the row again
        connection.execute(insert(table).values(name=name, generation=token))


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(SESSION_KEY, None)
