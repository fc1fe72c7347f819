"""Consolidation history, closing and the report: versions, overrides, waivers, snapshots, exports.

* :class:`ConsolidationVersion` – every change of an activity's consolidated „Plnění“ text (and the
  „Komentář“ printed next to it): who, when, what. Append-only; the current text stays in
  :class:`workflow.models.rounds.Consolidation`.
* :class:`StatusOverride` – the fulfilment status of an activity in a round set by a reviewer or the
  secretary instead of the status derived from the entries, with the reason.
* :class:`Waiver` – an entry that need not be approved for the round to close, with the reason.
* :class:`RoundSnapshot` – the immutable JSON of the consolidated report written when a round
  closes (what every later export of the closed round prints).
* :class:`ReportExport` – a built export file (format, options, content hash, file, state and
  progress), reused until the content changes.

Source: issue 6 (consolidation, closing, the consolidated report) and DOMAIN.md §1.1.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from workflow.models.accounts import User
    from workflow.models.rounds import Entry


class ConsolidationVersion(db.Model):
    """One version of an activity's consolidated text in a round (``number`` counts from 1)."""

    __tablename__ = "consolidation_versions"
    __table_args__ = (UniqueConstraint("round_id", "activity_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    #: The „Komentář“ column of the report for this activity (empty when none).
    comment: Mapped[str] = mapped_column(Text, default="")
    #: ``merged`` (built from the approved entries) or ``edited`` (by a person).
    source: Mapped[str] = mapped_column(String(20), default="edited")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class StatusOverride(db.Model):
    """The fulfilment status of an activity in a round as set by a person, with the reason."""

    __tablename__ = "status_overrides"
    __table_args__ = (UniqueConstraint("round_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    set_by: Mapped[User | None] = relationship()


class Waiver(db.Model):
    """An entry released from the closing checklist („prominuto“), with the reason."""

    __tablename__ = "waivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
    waived_by: Mapped[User | None] = relationship()


class RoundSnapshot(db.Model):
    """The consolidated report of a round frozen when it closed (append-only; a reopened and
    closed-again round gets a new snapshot, the newest one counts)."""

    __tablename__ = "round_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    #: :meth:`workflow.report.ReportContent.to_dict` of the round at closing.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the canonical JSON of ``content``.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


EXPORT_STATES = ("pending", "running", "ready", "failed")


class ReportExport(db.Model):
    """An export file of a round's report; reused while ``content_hash`` matches the content."""

    __tablename__ = "report_exports"
    __table_args__ = (
        UniqueConstraint("round_id", "fmt", "options", "content_hash"),
        CheckConstraint("state IN ('pending', 'running', 'ready', 'failed')", name="state"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    #: ``docx``, ``pdf``, ``xlsx``, ``csv`` or ``html``.
    fmt: Mapped[str] = mapped_column(String(10))
    #: Optional sections, sorted and comma-separated (``assessments,statistics``); empty for none.
    options: Mapped[str] = mapped_column(String(100), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    #: File name under ``INSTANCE_PATH/exports`` (never a user-given name).
    path: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImmutableRecordError(RuntimeError):
    """Raised when code tries to change or delete a snapshot or a consolidation version."""


_IMMUTABLE = (RoundSnapshot, ConsolidationVersion)


@event.listens_for(Session, "before_flush")
def _refuse_snapshot_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """Snapshots and consolidation versions are append-only (database cascades may still delete)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, _IMMUTABLE) and (obj in session.deleted or session.is_modified(obj)):
            raise ImmutableRecordError(f"{type(obj).__name__} rows are append-only")
