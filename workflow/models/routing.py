"""Routing decisions that outlive an import (issue 14 §3): aliases a secretary decided on the
resolution page, groups of bodies, and explicit per-activity routing decisions.

- :class:`RoutingAlias` – a name as plans write it (matched by its lemma key, so „obcemi“ and
  „obce“ are one name) → a body, a group (a :class:`~workflow.models.Body` of kind ``group``) or
  „není subjekt“ (``body_id`` is ``None``). Used by every later import of any plan and by
  re-resolution (:func:`workflow.bodies.body_lookup`).
- :class:`BodyGroup` – „obce“, „poskytovatelé sociálních služeb“ …: the group's own body row,
  its members and whether a round gives one entry per member or one to the coordinating body.
- :class:`RoutingDecision` – the secretary decided an activity's routing on the plan (explicitly,
  or by saving a round's correction to the plan); re-resolution leaves the activity alone while
  its „Odpovědnost“ text is the one decided on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.models.bodies import Body

#: Expansion modes of a group in a round.
GROUP_MODES = ("each", "coordinator")

body_group_members = Table(
    "body_group_members",
    db.metadata,
    Column("group_id", ForeignKey("body_groups.body_id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True),
)


class BodyGroup(db.Model):
    """A group of bodies, itself a body (kind ``group``) so that plans can be routed to it.

    ``mode`` ``each``: a round gives one entry to every member (the first member in Czech order
    leads where the group leads); ``coordinator``: one entry to ``coordinator``.
    """

    __tablename__ = "body_groups"

    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), default="each")
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))

    body: Mapped[Body] = relationship(foreign_keys=[body_id])
    coordinator: Mapped[Body | None] = relationship(foreign_keys=[coordinator_id])
    members: Mapped[list[Body]] = relationship(
        secondary=body_group_members, order_by=lambda: Body.abbreviation
    )


class RoutingAlias(db.Model):
    """A decided name: ``normalized`` (lemma key, unique) → body or group; ``None`` = „není subjekt“."""

    __tablename__ = "routing_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    normalized: Mapped[str] = mapped_column(String(300), unique=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    body: Mapped[Body | None] = relationship()


class RoutingDecision(db.Model):
    """The secretary decided this activity's routing for the text ``responsibility_raw``."""

    __tablename__ = "routing_decisions"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    responsibility_raw: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
