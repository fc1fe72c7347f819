"""Reporting rounds, entries (activity × body × round) and per-activity consolidated texts.

This module holds the columns that the plan import needs to record the history of a past round
(the „Plnění“ column of the real plan becomes an approved, closed 2024–2025 round). The entry
workflow (issue 4) and the consolidation (issue 6) build on these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.states import EntryState, RoundState

if TYPE_CHECKING:
    from workflow.models.bodies import Body
    from workflow.models.plans import Activity, Plan


class ReportingRound(db.Model):
    """A yearly round in which every routed body reports on its activities."""

    __tablename__ = "reporting_rounds"
    __table_args__ = (UniqueConstraint("plan_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    opens_on: Mapped[date | None] = mapped_column(Date)
    submission_deadline: Mapped[date | None] = mapped_column(Date)
    review_deadline: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default=RoundState.planned)
    #: True for rounds recorded from an imported document rather than run in the product.
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[Plan] = relationship()
    entries: Mapped[list[Entry]] = relationship(back_populates="round", cascade="all, delete-orphan")


class Entry(db.Model):
    """What one body reports on one activity in one round („plnění“)."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("round_id", "activity_id", "body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="RESTRICT"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=EntryState.not_started, index=True)
    fulfilment_status: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Optimistic-locking counter, bumped by every change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[ReportingRound] = relationship(back_populates="entries")
    activity: Mapped[Activity] = relationship()
    body: Mapped[Body] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook


class Consolidation(db.Model):
    """The consolidated „Plnění“ text of one activity in one round (what the report prints)."""

    __tablename__ = "consolidations"
    __table_args__ = (UniqueConstraint("round_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    #: ``imported`` (taken from a document), ``merged`` or ``edited``.
    source: Mapped[str] = mapped_column(String(20), default="imported")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    round: Mapped[ReportingRound] = relationship()
    activity: Mapped[Activity] = relationship()
