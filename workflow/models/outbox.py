"""The outbox table: one row per e-mail, written in the transaction of the event that causes it;
and the items of the digests (one appended row per entry a digest lists).

The services that write and deliver the rows are in :mod:`notifications.outbox` and
:mod:`notifications.digest`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import UTCDateTime, db, utcnow

#: Delivery states of a message.
PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMessage(db.Model):
    """One e-mail to one recipient: what to render (``kind`` + ``payload``) and its delivery state."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    recipient_email: Mapped[str] = mapped_column(String(254))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="cs")
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Optional links for the per-round, per-body and per-entry "what was sent" logs.
    round_id: Mapped[int | None] = mapped_column(Integer, index=True)
    body_id: Mapped[int | None] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} → {self.recipient_email} {self.state}>"


class DigestItem(db.Model):
    """One entry listed by a digest (``reviewer_digest``, ``entry_approved_digest``): appended, never
    updated, by each event of the digest's window (one ``INSERT``, no lock on the digest's row
    beyond ``FOR KEY SHARE``), and read, grouped by entry, when the digest is sent
    (:func:`notifications.digest.payload_for`).

    ``item`` is the entry as the e-mail shows it (code, title, state, link, body, round), as it was
    when the event happened; a later item of the same entry replaces an earlier one in the e-mail.
    """

    __tablename__ = "digest_items"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    #: The entry listed (no foreign key: the item is a record of what was announced).
    entry_id: Mapped[int] = mapped_column(Integer)
    body_id: Mapped[int | None] = mapped_column(Integer)
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<DigestItem {self.id} of message {self.message_id}: entry {self.entry_id}>"
