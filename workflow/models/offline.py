"""Filled XLSX files of a body waiting between the upload's preview and its confirmation (issue 18).

The parsed rows are kept in the database, not on a web process's disk, so the preview and the
confirmation may be served by different processes behind a load balancer. The bytes are not
kept: only what was read from them (the cells of the answer columns, the signed stamps and the
formula cells), which is evaluated again against the current entries when the user confirms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.accounts import User


class OfflineUpload(db.Model):
    """One uploaded workbook: who uploaded it, its name and digest, the rows read from it and the
    outcome (``pending`` until confirmed, then ``applied``)."""

    __tablename__ = "offline_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the uploaded bytes (hex), to recognise the same file uploaded twice.
    sha256: Mapped[str] = mapped_column(String(64))
    #: ``[{"row": 3, "cells": {key: text}, "formulas": {key: formula}}]``, see workflow.offline.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
