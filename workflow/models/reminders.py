"""Per-round reminder settings: when reminders, overdue notices and escalations go out.

A round without a row uses the defaults of issue 5 (:data:`DEFAULT_OFFSETS` etc.); the secretary's
form creates the row. The schedule itself is computed by :mod:`notifications.reminders`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import UTCDateTime, db, utcnow

#: Days before the (body's) deadline on which reminders go out; 0 = on the day itself.
DEFAULT_OFFSETS = (14, 7, 2, 0)
#: An overdue notice every N days after the deadline …
DEFAULT_OVERDUE_INTERVAL = 3
#: … at most M times.
DEFAULT_OVERDUE_MAX = 5
#: The head of the body is told after this many days overdue.
DEFAULT_ESCALATION_DAYS = 7


class ReminderSettings(db.Model):
    """The reminder schedule of one round, set by the secretary (issue 5 item 6)."""

    __tablename__ = "reminder_settings"
    __table_args__ = (
        CheckConstraint("overdue_interval_days >= 1", name="overdue_interval"),
        CheckConstraint("overdue_max >= 0", name="overdue_max"),
        CheckConstraint("escalation_days >= 1", name="escalation_days"),
    )

    round_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    #: Days before the deadline, e.g. ``[14, 7, 2, 0]`` (each 0–365, kept sorted descending).
    offsets: Mapped[list[int]] = mapped_column(JSON, default=lambda: list(DEFAULT_OFFSETS))
    overdue_interval_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_OVERDUE_INTERVAL)
    overdue_max: Mapped[int] = mapped_column(Integer, default=DEFAULT_OVERDUE_MAX)
    escalation_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ESCALATION_DAYS)
    #: While paused, no reminder, overdue notice or escalation of this round is sent.
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ReminderSettings round={self.round_id} {self.offsets} paused={self.paused}>"
