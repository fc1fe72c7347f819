"""The publication of a closed round's report (issue 18): which snapshot anyone may read, since
when, and whether it was withdrawn. The history of publishing and withdrawing is kept as
:class:`~workflow.models.RoundEvent` rows (``published`` / ``unpublished``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db
from workflow.models.reports import RoundSnapshot


class ReportPublication(db.Model):
    """One row per round whose report was ever published; ``withdrawn_at`` set = not public now.

    The row points at the :class:`RoundSnapshot` that was published, so the public page stays
    exactly what was published even when the round is reopened and closed again (the secretary
    publishes the new snapshot explicitly).
    """

    __tablename__ = "report_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_rounds.id", ondelete="CASCADE"), unique=True, index=True
    )
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("round_snapshots.id", ondelete="RESTRICT"))
    #: When the current publication started (UTC); the „date of publication“ of the metadata.
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Set while the report is withdrawn (not public); cleared by publishing again.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    snapshot: Mapped[RoundSnapshot] = relationship()
