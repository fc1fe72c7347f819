"""What round events and entry transitions send: the subscriber of the domain events.

The services of :mod:`workflow.rounds` and :mod:`workflow.entries` record domain events
(:mod:`workflow.events`) on their session; :func:`subscribe` (called by the web application
factory and by the Celery application) makes every session publish them when it commits
(``before_commit``): each event's ``notification`` is looked up in :data:`HANDLERS`, whose
handler writes the outbox rows in the same transaction, so the messages commit (or roll back)
with the event and are dispatched after the commit (:mod:`notifications.outbox`). Every
notification named in a transition table has a handler: :func:`check_handlers` runs at import
time and raises when one is missing.

=====================  ==========================  ===============================================
event                  kind (template)             to, dedupe key
=====================  ==========================  ===============================================
round opened           ``round_invitation``        each contributor (and deputy) of each body, one
                                                   e-mail per person listing all their entries;
                                                   ``round_invitation:{round}:{date}:{user}``
entry submitted        ``reviewer_digest``         reviewers in scope; at most one per reviewer
                                                   per hour (collected until the hour ends);
                                                   ``reviewer_digest:{YYYY-MM-DDTHH}:{user}``
entry returned         ``entry_returned``          the body's contributors at once, with the
                                                   reason; ``entry_returned:{transition}:{user}``
entry reopened         ``entry_reopened``          the body's contributors at once, with the
                                                   reason; ``entry_reopened:{transition}:{user}``
entry approved         ``entry_approved_digest``   the body's contributors, one digest a day sent
                                                   at the next ``REMINDER_HOUR``;
                                                   ``entry_approved_digest:{date}:{user}``
round closed           ``round_closed``            everyone who took part (contributors, deputies,
                                                   reviewers), the commission and secretaries;
                                                   ``round_closed:{round}:{user}``
=====================  ==========================  ===============================================

A *digest* is one pending outbox row whose ``next_attempt_at`` lies at the end of its window:
each event in the window appends its entry as a row (:mod:`notifications.digest`), and the outbox
sweep delivers the digest, listing those rows, once the window is over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from notifications import digest, outbox
from notifications.recipients import body_recipients, users_with_role
from notifications.reminders import base_url, entry_url, outstanding, round_url, send_per_person
from workflow import clock
from workflow import events as domain_events
from workflow.db import db, utcnow
from workflow.events import DomainEvent, EntryTransitioned, RoundTransitioned
from workflow.models import (
    Activity,
    Body,
    Entry,
    EntryTransition,
    ReportingRound,
    User,
)
from workflow.permissions import reviewers_covering_clause
from workflow.report import round_period
from workflow.round_transitions import ROUND_TRANSITIONS
from workflow.states import Role
from workflow.transitions import TRANSITIONS

ROUND_INVITATION = "round_invitation"
REVIEWER_DIGEST = "reviewer_digest"
ENTRY_RETURNED = "entry_returned"
ENTRY_REOPENED = "entry_reopened"
ENTRY_APPROVED_DIGEST = "entry_approved_digest"
ROUND_CLOSED = "round_closed"


def _recipient(user_id: int, email: str, name: str | None, locale: str | None) -> dict[str, Any]:
    """A recipient as the outbox payload holds it (``id``, ``email``, ``name``, ``locale``)."""
    return {"id": user_id, "email": email, "name": name or email, "locale": locale or "cs"}


def _user_payload(user: User) -> dict[str, Any]:
    return _recipient(user.id, user.email, user.name, user.locale)


def round_opened(round_: ReportingRound, *, now: datetime | None = None) -> int:
    """Invite every contributor of every body of the just-opened ``round_`` (flushes).

    :param now: when the round opened (default: now).
    :returns: messages written.
    """
    db.session.flush()
    today = clock.today(now)
    dues = outstanding(today, [Entry.round_id == round_.id])
    written = send_per_person(dues, today, lambda due: [ROUND_INVITATION])
    db.session.flush()
    return written


def round_closed(round_: ReportingRound, *, now: datetime | None = None) -> int:
    """Tell everyone involved that ``round_`` is closed, with the link to the report (flushes).

    :param now: when the round closed (default: now).
    :returns: messages written.
    """
    db.session.flush()
    today = clock.today(now)
    body_ids = set(db.session.scalars(select(Entry.body_id).where(Entry.round_id == round_.id).distinct()))
    people: dict[int, dict[str, Any]] = {}
    for recipients in body_recipients(body_ids, today).values():
        for r in recipients:
            people.setdefault(
                r.user_id, {"id": r.user_id, "email": r.email, "name": r.name, "locale": r.locale}
            )
    for role in (Role.reviewer, Role.commission, Role.secretary):
        for user in users_with_role(role):
            people.setdefault(user.id, _user_payload(user))
    written = 0
    for user_id, user in sorted(people.items()):
        payload = {
            "user": user,
            "round": {
                "id": round_.id, "title": round_.title, "url": round_url(round_.id),
                "period": round_period(round_),
            },
            "report_url": round_url(round_.id),
            "base_url": base_url(),
        }
        written += (
            outbox.enqueue(
                ROUND_CLOSED,
                user["email"],
                f"{ROUND_CLOSED}:{round_.id}:{user_id}",
                payload,
                recipient_id=user_id,
                locale=user["locale"],
                round_id=round_.id,
            )
            is not None
        )
    db.session.flush()
    return written


def entry_transitioned(entry: Entry, log: EntryTransition, *, now: datetime | None = None) -> int:
    """Send what transition ``log`` of ``entry`` raises (``TRANSITIONS[...].notification``); flushes.

    ``entry_submitted`` → reviewer digest, ``entry_returned`` and ``entry_reopened`` → at once to
    the body, ``entry_approved`` → the body's daily digest; other transitions send nothing.

    :param now: when the transition happened (default: now).
    :returns: messages written or extended.
    """
    transition = TRANSITIONS.get(log.name)
    notification = transition.notification if transition else None
    if notification is None:
        return 0
    return _ENTRY_HANDLERS[notification](entry, log, now or utcnow())


def _entry_item(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "code": entry.activity.code,
        "title": " ".join(entry.activity.description.split())[:160],
        "state": entry.state,
        "url": entry_url(entry.id),
        "body": {"id": entry.body_id, "abbreviation": entry.body.abbreviation, "name": entry.body.name},
        "round": {"id": entry.round_id, "title": entry.round.title},
    }


def _returned(entry: Entry, log: EntryTransition, now: datetime) -> int:
    return _to_body_at_once(ENTRY_RETURNED, entry, log, now)


def _reopened(entry: Entry, log: EntryTransition, now: datetime) -> int:
    return _to_body_at_once(ENTRY_REOPENED, entry, log, now)


def _to_body_at_once(kind: str, entry: Entry, log: EntryTransition, now: datetime) -> int:
    """One e-mail of ``kind`` to each of the body's contributors (and deputies) with the reason."""
    today = clock.today(now)
    written = 0
    for person in body_recipients([entry.body_id], today).get(entry.body_id, []):
        payload = {
            "user": person.as_payload(),
            "entry": _entry_item(entry),
            "reason": log.comment,
            "reviewer": (log.actor.name or log.actor.email) if log.actor else "",
            "base_url": base_url(),
        }
        written += (
            outbox.enqueue(
                kind,
                person.email,
                f"{kind}:{log.id}:{person.user_id}",
                payload,
                recipient_id=person.user_id,
                locale=person.locale,
                round_id=entry.round_id,
                body_id=entry.body_id,
            )
            is not None
        )
    db.session.flush()
    return written


def _next_reminder_hour(now: datetime) -> datetime:
    """The next ``REMINDER_HOUR``:00 in ``TIMEZONE`` after ``now`` (UTC-aware)."""
    hour = int(current_app.config.get("REMINDER_HOUR", 8))
    local = now.astimezone(clock.TZ)
    at = datetime.combine(local.date(), time(hour), tzinfo=clock.TZ)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), time(hour), tzinfo=clock.TZ)
    return at.astimezone(UTC)


@dataclass(frozen=True)
class _Listed:
    """What a digest needs of an entry: the item it lists, and the scope the recipients are chosen by."""

    item: dict[str, Any]
    round_id: int
    body_id: int
    plan_id: int
    #: The activity's top-level node (a reviewer's scope), ``None`` in a flat plan.
    node_id: int | None


def _listed(entry: Entry) -> _Listed:
    return _Listed(
        _entry_item(entry), entry.round_id, entry.body_id, entry.round.plan_id, entry.activity.top_node_id
    )


#: What :func:`_listed` reads of each object (its other attributes may be unloaded).
_LISTED_READS: dict[type, frozenset[str]] = {
    Entry: frozenset({"id", "state", "round_id", "body_id", "activity_id"}),
    Activity: frozenset({"code", "description", "top_node_id"}),
    Body: frozenset({"abbreviation", "name"}),
    ReportingRound: frozenset({"title", "plan_id"}),
}


def _held(model: type[Any], ident: int) -> Any:
    """The object of ``model`` with primary key ``ident`` if the session holds it with every
    attribute :func:`_listed` reads loaded (no SQL), else ``None``."""
    obj = db.session.identity_map.get(Session.identity_key(model, ident))
    if obj is None or inspect(obj).unloaded & _LISTED_READS[model]:
        return None
    return obj


def _listed_by_id(entry_id: int) -> _Listed | None:
    """:func:`_listed` of entry ``entry_id``: from the objects the request's session holds (the
    entry just changed, its activity, round and body, with the attributes listed loaded), else in
    one query of columns (the entry and its activity, body and round of the request may be gone
    from the identity map by a commit)."""
    entry = _held(Entry, entry_id)
    if (
        entry is not None
        and _held(Activity, entry.activity_id) is not None
        and _held(Body, entry.body_id) is not None
        and _held(ReportingRound, entry.round_id) is not None
    ):
        return _listed(entry)  # its relationships come from the identity map (many-to-one: no SQL)
    row = db.session.execute(
        select(
            Entry.id, Entry.state, Entry.round_id, Entry.body_id, Activity.code, Activity.description,
            Activity.top_node_id, Body.abbreviation, Body.name, ReportingRound.title, ReportingRound.plan_id,
        )
        .join(Activity, Activity.id == Entry.activity_id)
        .join(Body, Body.id == Entry.body_id)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(Entry.id == entry_id)
    ).one_or_none()
    if row is None:
        return None
    item = {
        "id": row.id,
        "code": row.code,
        "title": " ".join(row.description.split())[:160],
        "state": row.state,
        "url": entry_url(row.id),
        "body": {"id": row.body_id, "abbreviation": row.abbreviation, "name": row.name},
        "round": {"id": row.round_id, "title": row.title},
    }
    return _Listed(item, row.round_id, row.body_id, row.plan_id, row.top_node_id)


def _approved_digest(listed: _Listed, now: datetime) -> int:
    send_at = _next_reminder_hour(now)
    send_day = send_at.astimezone(clock.TZ).date()
    people = body_recipients([listed.body_id], clock.today(now)).get(listed.body_id, [])
    return digest.append(
        ENTRY_APPROVED_DIGEST,
        [
            (person.as_payload(), f"{ENTRY_APPROVED_DIGEST}:{send_day.isoformat()}:{person.user_id}")
            for person in people
        ],
        listed.item,
        send_at,
        round_id=listed.round_id,
        body_id=listed.body_id,
    )


def _reviewers_covering(listed: _Listed) -> list[dict[str, Any]]:
    """The active reviewers whose scope covers the listed entry, as recipient payloads sorted by
    e-mail: one query of columns (:func:`~workflow.permissions.reviewers_covering_clause`, the
    rule of :func:`~workflow.permissions.in_review_scope`)."""
    scope = {"plan_id": listed.plan_id, "node_id": listed.node_id, "body_id": listed.body_id}
    return [_recipient(*row) for row in db.session.execute(_REVIEWERS_COVERING, scope)]


#: :func:`_reviewers_covering`'s statement, built once (its cache key then computed once).
_REVIEWERS_COVERING = (
    select(User.id, User.email, User.name, User.locale)
    .where(reviewers_covering_clause())
    .order_by(User.email)
)


def _reviewer_digest(listed: _Listed, now: datetime) -> int:
    bucket = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return digest.append(
        REVIEWER_DIGEST,
        [(r, f"{REVIEWER_DIGEST}:{bucket:%Y-%m-%dT%H}:{r['id']}") for r in _reviewers_covering(listed)],
        listed.item,
        bucket + timedelta(hours=1),
        round_id=listed.round_id,
    )


def add_to_digest(
    kind: str,
    user: dict[str, Any],
    key: str,
    item: dict[str, Any],
    send_at: datetime,
    *,
    round_id: int | None = None,
    body_id: int | None = None,
) -> int:
    """Append ``item`` to the pending digest ``key`` of ``user`` (created, due at ``send_at``, if
    missing): one recipient's :func:`notifications.digest.append`.

    A digest already sent or attempted is left alone; the item goes to a follow-up digest of the
    same window instead (``<key>+``), so it is never dropped. :returns: 1.
    """
    return digest.append(kind, [(user, key)], item, send_at, round_id=round_id, body_id=body_id)


#: Notifications that list the entry in a digest: their handlers need neither the entry's objects
#: nor the audit row, only :class:`_Listed` (one query of columns from the domain event).
_DIGEST_HANDLERS: dict[str, Callable[[_Listed, datetime], int]] = {
    "entry_submitted": _reviewer_digest,
    "entry_approved": _approved_digest,
}


def _of_entry(handler: Callable[[_Listed, datetime], int]) -> Callable[[Entry, Any, datetime], int]:
    return lambda entry, log, now: handler(_listed(entry), now)


_ENTRY_HANDLERS: dict[str, Callable[[Entry, EntryTransition, datetime], int]] = {
    **{name: _of_entry(handler) for name, handler in _DIGEST_HANDLERS.items()},
    "entry_returned": _returned,
    "entry_reopened": _reopened,
}


def _on_entry(e: DomainEvent) -> int:
    assert isinstance(e, EntryTransitioned)
    if e.notification in _DIGEST_HANDLERS:
        listed = _listed_by_id(e.entry_id)
        return _DIGEST_HANDLERS[e.notification](listed, e.at) if listed is not None else 0
    entry, log = db.session.get(Entry, e.entry_id), db.session.get(EntryTransition, e.transition_log_id)
    if entry is None or log is None:
        return 0
    return entry_transitioned(entry, log, now=e.at)


def _on_round(send: Callable[..., int]) -> Callable[[DomainEvent], int]:
    def handler(e: DomainEvent) -> int:
        assert isinstance(e, RoundTransitioned)
        round_ = db.session.get(ReportingRound, e.round_id)
        return send(round_, now=e.at) if round_ is not None else 0

    return handler


#: notification name (of a transition table) → handler of the domain event that names it.
HANDLERS: dict[str, Callable[[DomainEvent], int]] = {
    **{name: _on_entry for name in _ENTRY_HANDLERS},
    "round_opened": _on_round(round_opened),
    "round_closed": _on_round(round_closed),
}


class MissingHandler(LookupError):
    """A transition table names a notification that no handler sends (a programming error)."""


def check_handlers(notifications: Iterable[str | None]) -> None:
    """Raise unless every named notification has a handler in :data:`HANDLERS`.

    :raises MissingHandler: naming the notifications without a handler.
    """
    missing = sorted({n for n in notifications if n} - HANDLERS.keys())
    if missing:
        raise MissingHandler(f"no notification handler for: {', '.join(missing)}")


check_handlers(
    [t.notification for t in TRANSITIONS.values()] + [t.notification for t in ROUND_TRANSITIONS.values()]
)


def publish(session: Session) -> int:
    """Write the outbox rows of every domain event recorded on ``session`` (flushes).

    :returns: messages written or extended.
    """
    written = 0
    while recorded := domain_events.take(session):
        for e in recorded:
            if e.notification is not None:
                written += HANDLERS[e.notification](e)
    return written


def _publish_before_commit(session: Session) -> None:
    publish(session)


def subscribe() -> None:
    """Publish the domain events of every session when it commits, in its transaction. Called by
    the web application factory and the Celery application; calling it again changes nothing.

    The hook runs before the other ``before_commit`` hooks (``insert=True``): the change collector
    (:mod:`workflow.models.changes`) then publishes last, so the round's row lock it takes is the
    last lock of the transaction, held only until the commit ends (not over the outbox's
    statements)."""
    if not event.contains(Session, "before_commit", _publish_before_commit):
        event.listen(Session, "before_commit", _publish_before_commit, insert=True)
