"""The outbox table: one row per e-mail, written in the transaction of the event that causes it.

The services that write and deliver the rows are in :mod:`notifications.outbox`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
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
