"""Domain events: what happened, recorded by the services on the session of their transaction.

A service that changes the state of an entry or a round records a small frozen event
(:class:`EntryTransitioned`, :class:`RoundTransitioned`) with :func:`record`. The domain does not
know who listens: the web application and the Celery application subscribe
:mod:`notifications.events`, which turns the events recorded on a session into outbox rows when
the session commits, in the same transaction (``before_commit``). A transaction that rolls back
forgets its events, so nothing is sent about what did not happen.

Each event names the ``notification`` of the transition table row that caused it
(:data:`workflow.transitions.TRANSITIONS` for entries, :data:`workflow.rounds.ROUND_TRANSITIONS`
for rounds); ``None`` when the transition sends nothing. The subscriber checks at import time
that every notification named in a table has a handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow.db import db, utcnow

#: Key of the list of recorded events in ``Session.info``.
SESSION_KEY = "domain_events"
#: Key of the objects the recorded events are about, kept alive until the transaction ends.
SUBJECTS_KEY = "domain_event_subjects"


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in the domain.

    :ivar notification: the notification the event raises (a name of a transition table), or
        ``None``.
    :ivar at: when it happened (UTC-aware); what is sent is computed for that moment.
    """

    notification: str | None
    at: datetime = field(default_factory=utcnow, kw_only=True)


@dataclass(frozen=True)
class EntryTransitioned(DomainEvent):
    """An entry moved along transition ``transition`` (the audit row ``transition_log_id``)."""

    entry_id: int
    transition: str
    transition_log_id: int


@dataclass(frozen=True)
class RoundTransitioned(DomainEvent):
    """A round moved along transition ``transition`` (``open``, ``close``, ``reopen``)."""

    round_id: int
    transition: str


def record(domain_event: DomainEvent, session: Session | None = None, *, subject: object = None) -> None:
    """Record ``domain_event`` on ``session`` (default: the current ``db.session``); it is
    published when the session commits and forgotten when it rolls back.

    :param subject: the ORM object the event is about (e.g. the entry), held by the session until
        the transaction ends: the session's identity map holds objects weakly, and a subscriber
        that reads the event at commit then finds the object there instead of querying it again.
    """
    target: Any = session if session is not None else db.session
    target.info.setdefault(SESSION_KEY, []).append(domain_event)
    if subject is not None:
        target.info.setdefault(SUBJECTS_KEY, []).append(subject)


def recorded(session: Session | None = None) -> list[DomainEvent]:
    """The events recorded on ``session`` and not yet published, oldest first (a copy)."""
    target: Any = session if session is not None else db.session
    return list(target.info.get(SESSION_KEY, []))


def take(session: Session) -> list[DomainEvent]:
    """Remove and return the events recorded on ``session`` (the subscriber publishes them)."""
    return session.info.pop(SESSION_KEY, [])


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(SESSION_KEY, None)
        session.info.pop(SUBJECTS_KEY, None)


@event.listens_for(Session, "after_commit")
def _release_subjects(session: Session) -> None:
    session.info.pop(SUBJECTS_KEY, None)
