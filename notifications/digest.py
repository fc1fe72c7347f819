"""Digests as appended rows: what an event adds to a pending digest, and what the digest lists
when it is sent (issue 17).

A *digest* (``reviewer_digest``, ``entry_approved_digest``) is one pending outbox row per
recipient and window, due at the end of the window (``next_attempt_at``). Each event of the window
**appends** one :class:`~workflow.models.outbox.DigestItem` per recipient (one multi-row
``INSERT``); nothing rewrites the digest's row, so the cost of an event does not grow with the
items already collected and concurrent events do not queue behind each other.

Concurrency (PostgreSQL, READ COMMITTED):

* an appender reads the digests' rows ``FOR KEY SHARE`` (compatible with other appenders, so two
  submits never wait for each other) and appends only to a digest that is still ``pending`` and
  not yet attempted;
* the sender (:func:`notifications.outbox.deliver`) locks the row ``FOR UPDATE SKIP LOCKED``,
  which conflicts with ``FOR KEY SHARE``: it skips a digest while an appender's transaction is
  open (the outbox sweep tries again), and an appender that comes after the sender's lock waits
  for its commit, then sees the digest sent and appends to a *follow-up* digest
  (``<key>+``, due at the same time, so sent by the next sweep). An item is never attached to a
  digest that has already been sent or attempted: nothing is dropped;
* the first event of a window creates the row with ``INSERT … ON CONFLICT (dedupe_key) DO
  NOTHING``; a concurrent creator of the same key waits for the first one's commit and then
  appends to its row.

When the digest is sent, :func:`payload_for` reads its items in the order they were appended,
keeps the last item of each entry (an entry submitted twice in the window is listed once, where
it was last submitted) and gives the template the same ``entries`` list the payload held before
items were rows; :func:`materialize` writes that list into the message's payload, so a sent
digest keeps what it said.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from workflow.db import db, utcnow
from workflow.models.outbox import PENDING, DigestItem, OutboxMessage

#: The kinds whose entries are digest items.
DIGEST_KINDS = frozenset({"reviewer_digest", "entry_approved_digest"})
#: How many follow-up digests (``<key>+``, ``<key>++`` …) an item may move to when the digest of
#: its window is already sent or being retried; more would mean a sender racing every appender.
FOLLOW_UPS = 5


def append(
    kind: str,
    recipients: Sequence[tuple[dict[str, Any], str]],
    item: dict[str, Any],
    send_at: datetime,
    *,
    round_id: int | None = None,
    body_id: int | None = None,
) -> int:
    """Append ``item`` to the pending digest of each recipient (created, due at ``send_at``, when
    missing); flushes nothing, writes with two statements when the digests exist (a ``SELECT …
    FOR KEY SHARE`` of the digests and one multi-row ``INSERT`` of the items), whatever the number
    of recipients and of items already collected.

    :param kind: the digest's e-mail template (one of :data:`DIGEST_KINDS`).
    :param recipients: ``(user, dedupe_key)`` pairs; ``user`` is the payload of the recipient
        (``id``, ``email``, ``name``, ``locale``).
    :param item: the entry as the e-mail lists it (must have ``id``; ``body.id`` when it has a body).
    :param send_at: end of the window, UTC-aware: when a new digest becomes due.
    :param round_id: the round the digest is about (the „what was sent“ logs).
    :param body_id: the body a new digest is about (set to ``None`` when it is sent if its items
        name several bodies).
    :returns: the number of digests the item was appended to (one per recipient).
    """
    users = {key: user for user, key in recipients}
    trying = {key: key for key in users}  # the recipient's first key → the key tried now
    found_ids: dict[str, int] = {}
    for _round in range(FOLLOW_UPS + 1):
        if not trying:
            break
        open_ = _digests(list(trying.values()))
        missing = [first for first, key in trying.items() if key not in open_]
        if missing:
            created = _create(kind, [(users[f], trying[f]) for f in missing], send_at, round_id, body_id)
            open_.update({key: (message_id, True) for key, message_id in created.items()})
            raced = [trying[f] for f in missing if trying[f] not in created]
            if raced:  # created by a concurrent transaction since our SELECT (now committed)
                open_.update(_digests(raced))
        following: dict[str, str] = {}
        for first, key in trying.items():
            hit = open_.get(key)
            if hit is not None and hit[1]:
                found_ids[first] = hit[0]
            else:  # sent or attempted already (or gone): the next digest of the same window
                following[first] = key if hit is None else f"{key}+"
        trying = following
    if not found_ids:
        return 0
    now = utcnow()
    entry_body = (item.get("body") or {}).get("id")
    db.session.execute(  # one multi-row statement (SQLAlchemy's "insertmanyvalues"), compiled once
        _INSERT_ITEM,
        [
            {"message_id": message_id, "entry_id": item["id"], "body_id": entry_body, "item": item,
             "created_at": now}
            for message_id in found_ids.values()
        ],
    )
    return len(found_ids)


#: :func:`append`'s ``INSERT`` of the items, built once: given a list of rows, SQLAlchemy sends it
#: as one multi-row statement ("insertmanyvalues", which needs the ``RETURNING``) and its compiled
#: form is cached (a ``values([...])`` of literal rows was compiled anew on every submit).
_INSERT_ITEM = insert(DigestItem.__table__).returning(DigestItem.__table__.c.id)


def _digests(keys: list[str]) -> dict[str, tuple[int, bool]]:
    """``dedupe_key → (id, appendable)`` of the existing digests among ``keys``, locked ``FOR KEY
    SHARE`` on PostgreSQL (see the module docstring)."""
    stmt = _DIGESTS_KEY_SHARE if db.session.get_bind().dialect.name == "postgresql" else _DIGESTS
    return {
        key: (message_id, state == PENDING and not attempts)
        for message_id, key, state, attempts in db.session.execute(stmt, {"keys": keys})
    }


#: :func:`_digests`' statements, built once (their cache keys then computed once): SQLite's, and
#: PostgreSQL's with the rows locked ``FOR KEY SHARE``.
_DIGESTS = select(
    OutboxMessage.id, OutboxMessage.dedupe_key, OutboxMessage.state, OutboxMessage.attempts
).where(OutboxMessage.dedupe_key.in_(bindparam("keys", expanding=True)))
_DIGESTS_KEY_SHARE = _DIGESTS.with_for_update(read=True, key_share=True)


def _create(
    kind: str,
    recipients: list[tuple[dict[str, Any], str]],
    send_at: datetime,
    round_id: int | None,
    body_id: int | None,
) -> dict[str, int]:
    """Insert the missing digests (one statement; keys that exist meanwhile are skipped).

    Not handed to Celery after the commit: a digest is not due before ``send_at``; the outbox
    sweep sends it then. :returns: ``dedupe_key → id`` of the rows written.
    """
    from notifications.reminders import base_url

    now = utcnow()
    rows = [
        {
            "kind": kind,
            "recipient_email": user["email"],
            "recipient_id": user["id"],
            "locale": user.get("locale") or "cs",
            "dedupe_key": key,
            "payload": {"user": user, "base_url": base_url()},
            "round_id": round_id,
            "body_id": body_id,
            "state": PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": send_at,
        }
        for user, key in recipients
    ]
    dialect_insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        dialect_insert(OutboxMessage)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.dedupe_key, OutboxMessage.id)
    )
    return {key: message_id for key, message_id in db.session.execute(stmt)}


def items_of(message_id: int) -> list[dict[str, Any]]:
    """The items appended to digest ``message_id``, in the order they were appended (one query)."""
    return list(
        db.session.scalars(
            select(DigestItem.item).where(DigestItem.message_id == message_id).order_by(DigestItem.id)
        )
    )


def items_by_message(message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The appended items of several digests at once (one query; for lists of messages).

    :param message_ids: ids of digest messages (others simply have no items).
    :returns: message id → its items in the order they were appended; ids without items are absent.
    """
    found: dict[int, list[dict[str, Any]]] = {}
    if not message_ids:
        return found
    rows = db.session.execute(
        select(DigestItem.message_id, DigestItem.item)
        .where(DigestItem.message_id.in_(message_ids))
        .order_by(DigestItem.id)
    )
    for message_id, item in rows:
        found.setdefault(message_id, []).append(item)
    return found


def payload_for(message: OutboxMessage) -> dict[str, Any]:
    """The template context of ``message``: its payload, and for a digest the ``entries`` its
    items list (grouped by entry: the last item of an entry replaces an earlier one, and takes its
    place at the end). A message of another kind costs no query.

    :returns: a new dict; the message is not changed (:func:`materialize` does that).
    """
    payload = dict(message.payload or {})
    if message.kind not in DIGEST_KINDS or message.id is None:
        return payload
    entries: dict[Any, dict[str, Any]] = {}
    for item in [*payload.get("entries", []), *items_of(message.id)]:
        entries.pop(item.get("id"), None)
        entries[item.get("id")] = item
    payload["entries"] = list(entries.values())
    return payload


def materialize(message: OutboxMessage) -> dict[str, Any]:
    """Write the digest's entries into ``message.payload`` (what is being sent, kept with the
    message for the logs, „Odeslat znovu“ and the ``.eml`` copy) and clear ``body_id`` when the
    entries name several bodies. Other kinds are left as they are.

    :returns: the template context (:func:`payload_for`).
    """
    payload = payload_for(message)
    if message.kind in DIGEST_KINDS and payload != message.payload:
        message.payload = payload
        bodies = {(e.get("body") or {}).get("id") for e in payload.get("entries", [])}
        if len(bodies) > 1:
            message.body_id = None
    return payload
