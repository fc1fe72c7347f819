"""Plan imports: the uploaded file between preview and commit, and what each commit changed.

The file itself is kept in the database, not on a web process's disk, so the preview and the
commit may be served by different processes behind a load balancer. A committed import keeps its
change set (:class:`PlanImportChange`): every plan, area, goal, activity and past-round row it
created, changed or removed, with the values before the import, so that it can be reverted
(:mod:`workflow.plan_history`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.accounts import User
from workflow.models.plans import Plan


class PlanImport(db.Model):
    """One upload: its bytes, the column mapping chosen, and the outcome.

    ``status`` is ``pending`` (uploaded, not imported), ``committed`` or ``reverted``.
    """

    __tablename__ = "plan_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When and by whom the import was reverted (``status == "reverted"``).
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    plan: Mapped[Plan | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reverted_by: Mapped[User | None] = relationship(foreign_keys=[reverted_by_id])
    changes: Mapped[list[PlanImportChange]] = relationship(
        back_populates="plan_import", order_by="PlanImportChange.position", cascade="all, delete-orphan"
    )


class PlanImportChange(db.Model):
    """One row an import created, changed or removed (the import's change set).

    :ivar kind: the table's model: ``plan``, ``area``, ``goal``, ``activity``, ``round``,
        ``entry`` or ``consolidation``.
    :ivar action: ``created``, ``updated`` or ``deleted``.
    :ivar object_id: the row's primary key (for ``deleted``: the id it had).
    :ivar label: what the history page shows (an activity's code, a round's title).
    :ivar before: the column values before the import (``updated``, ``deleted``; dates as ISO
        text; an activity's routing as ``"routing": [body id, …]``, lead first).
    """

    __tablename__ = "plan_import_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("plan_imports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    plan_import: Mapped[PlanImport] = relationship(back_populates="changes")
