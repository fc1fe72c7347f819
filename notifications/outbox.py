"""The transactional outbox: every notification is a row written with the event that causes it.

* :func:`enqueue` inserts an :class:`OutboxMessage` in the caller's transaction (:func:`enqueue_many`
  many of them in one statement). Its unique
  ``dedupe_key`` makes repeats harmless (beat firing twice, two workers, a restart): the second
  insert of the same key does nothing.
* After the transaction commits, the ids enqueued in it are handed to Celery
  (``notifications.deliver_message``). If the broker is unreachable at that moment (Redis down),
  nothing is lost: the row stays ``pending`` and the periodic sweep hands it over later.
* Delivery is **at-least-once**: a worker killed after the SMTP server accepted a message but
  before the row was marked sent delivers it again (one duplicate at most per such crash).

The table itself is :class:`workflow.models.outbox.OutboxMessage` (re-exported here). This module
imports only ``workflow.db``, ``workflow.models.outbox``, the mailer and
:mod:`notifications.digest` (a digest's entries are rows, read when it is sent).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow.db import db, utcnow
from workflow.models.outbox import FAILED, PENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)

#: Default seconds to wait before attempt n+1 after n failed attempts (exponential, capped at 2 h);
#: the setting ``OUTBOX_RETRY_SECONDS`` replaces it.
RETRY_DELAYS = (30, 60, 120, 300, 600, 1800, 3600, 7200)
#: After this many failed attempts a message is marked ``failed`` (with the default waits).
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def retry_delays() -> tuple[int, ...]:
    """The configured waits (seconds) between attempts; ``len + 1`` attempts in all."""
    return tuple(current_app.config.get("OUTBOX_RETRY_SECONDS") or RETRY_DELAYS)


def enqueue(
    kind: str,
    recipient_email: str,
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
    *,
    recipient_id: int | None = None,
    locale: str = "cs",
    round_id: int | None = None,
    body_id: int | None = None,
) -> int | None:
    """Write a message to the outbox in the current transaction, unless its key exists already.

    :param kind: e-mail template name under ``templates/email/``.
    :param dedupe_key: unique key, e.g. ``"reminder:7:OSV:2026-01-17:user:12"``.
    :param payload: JSON-serialisable context for the template.
    :returns: the new row's id, or ``None`` when a message with ``dedupe_key`` already existed.
    """
    values = {
        "kind": kind,
        "recipient_email": recipient_email,
        "recipient_id": recipient_id,
        "locale": locale,
        "dedupe_key": dedupe_key,
        "payload": payload or {},
        "round_id": round_id,
        "body_id": body_id,
        "state": PENDING,
        "attempts": 0,
        "created_at": utcnow(),
        "next_attempt_at": utcnow(),
    }
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    message_id = db.session.execute(stmt).scalar_one_or_none()
    if message_id is not None:
        db.session.info.setdefault("outbox_new_ids", []).append(message_id)
    return message_id


#: Rows per multi-row ``INSERT`` of :func:`enqueue_many` (12 columns: well under SQLite's 32,766 parameters).
ENQUEUE_BATCH = 1000


def enqueue_many(messages: list[dict[str, Any]]) -> list[int]:
    """Write many messages to the outbox in one multi-row ``INSERT … ON CONFLICT DO NOTHING`` per
    :data:`ENQUEUE_BATCH` rows (the reminder sweep: one statement for hundreds of e-mails).

    :param messages: dicts with the keyword arguments of :func:`enqueue` (``kind``,
        ``recipient_email``, ``dedupe_key``, ``payload``, and optionally ``recipient_id``,
        ``locale``, ``round_id``, ``body_id``).
    :returns: the ids of the rows newly written (keys that existed already are skipped).
    """
    if not messages:
        return []
    now = utcnow()
    rows = [
        {
            "kind": m["kind"],
            "recipient_email": m["recipient_email"],
            "recipient_id": m.get("recipient_id"),
            "locale": m.get("locale", "cs"),
            "dedupe_key": m["dedupe_key"],
            "payload": m.get("payload") or {},
            "round_id": m.get("round_id"),
            "body_id": m.get("body_id"),
            "state": PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for m in messages
    ]
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    new_ids: list[int] = []
    for start in range(0, len(rows), ENQUEUE_BATCH):
        stmt = (
            insert(OutboxMessage)
            .values(rows[start : start + ENQUEUE_BATCH])
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.id)
        )
        new_ids.extend(db.session.execute(stmt).scalars().all())
    db.session.info.setdefault("outbox_new_ids", []).extend(new_ids)
    return new_ids


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    ids = session.info.pop("outbox_new_ids", None)
    if ids:
        dispatch(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop("outbox_new_ids", None)


def dispatch(message_ids: list[int]) -> int:
    """Hand messages to Celery; a broker failure is logged, the sweep will retry.

    :returns: how many were handed over.
    """
    celery = current_app.extensions["celery"]  # this app's broker, whatever Celery app is "current"
    handed = 0
    for message_id in message_ids:
        try:
            celery.send_task("notifications.deliver_message", (message_id,), retry=False)
            handed += 1
        except Exception as exc:  # broker unreachable: the row stays pending for the sweep
            log.warning("outbox: broker unavailable, message %s left for the sweep (%s)", message_id,
                        exc.__class__.__name__)
            break
    return handed


def deliver(message_id: int) -> str:
    """Render and send one message, recording the outcome; commits.

    Safe to call twice or concurrently: the row is locked (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL) and a message already sent, failed or not yet due is left alone.

    :returns: the message's state afterwards (``sent``, ``pending`` for a retry later,
        ``failed``), or ``"skipped"`` when another worker holds it or it is not due.
    """
    from notifications.digest import materialize
    from notifications.mailer import render_email, send_email

    stmt = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    message = db.session.scalar(stmt)
    if message is None or message.state != PENDING or message.next_attempt_at > utcnow():
        db.session.rollback()
        return "skipped"
    try:
        payload = materialize(message)  # a digest: the entries appended to it (notifications.digest)
        subject, text, html = render_email(message.kind, message.locale, **payload)
        send_email(message.recipient_email, subject, text, html)
    except Exception as exc:  # SMTP refused, network down, template error: record and retry
        message.attempts += 1
        message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        delays = retry_delays()
        if message.attempts > len(delays):
            message.state = FAILED
            log.error("outbox: message %s failed for good after %s attempts", message.id, message.attempts)
        else:
            message.next_attempt_at = utcnow() + timedelta(seconds=delays[message.attempts - 1])
        db.session.commit()
        return message.state
    message.state = SENT
    message.sent_at = utcnow()
    message.attempts += 1
    message.last_error = None
    db.session.commit()
    return SENT


def due_message_ids(limit: int = 500) -> list[int]:
    """Ids of pending messages whose next attempt is due, oldest first (what the sweep re-dispatches)."""
    stmt = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == PENDING, OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def resend(message: OutboxMessage) -> None:
    """Put a failed message back in the queue (the administrator's „Odeslat znovu“); flushes."""
    message.state = PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
    db.session.info.setdefault("outbox_new_ids", []).append(message.id)
