"""The action plan: plan → areas → goals → activities, and the routing of activities to bodies.

Source of the shape: seed 002 (the Liberec Region's action plan of its social-inclusion strategy,
DOMAIN.md §1.1). Other plans name their three levels differently (Oblast / Cíl / Karta,
Strategický cíl / Specifický cíl / Opatření); :attr:`Plan.level_names` keeps that per plan.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from workflow.models.bodies import Body

DEFAULT_LEVEL_NAMES = ["Okruh", "Cíl", "Aktivita"]


class Plan(db.Model):
    """An action plan of a strategy, with its three level names, default body and abbreviations."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    strategy: Mapped[str] = mapped_column(String(300), default="")
    period: Mapped[str] = mapped_column(String(50), default="")
    level_names: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_LEVEL_NAMES))
    default_body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    #: „Seznam zkratek“: abbreviation → meaning, as printed in the plan's report.
    abbreviations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Further attributes (:attr:`Activity.extra` labels) the secretary hid, per place:
    #: ``{"form": [label, …], "report": [label, …]}`` — "form" is the contributor's entry form and
    #: the review page, "report" the report and every export (DOCX, PDF, XLSX, CSV, HTML, JSON API).
    #: Empty (the default) shows every attribute everywhere, also those a later import adds.
    hidden_attributes: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    #: The column mapping of the last import (:mod:`workflow.importing.mapping`), reused by the next
    #: import of this plan: ``{"columns": {header: field}, "sheets": {sheet: role}}``.
    import_mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    default_body: Mapped[Body | None] = relationship()
    areas: Mapped[list[Area]] = relationship(
        back_populates="plan", order_by="Area.position", cascade="all, delete-orphan"
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="plan", order_by="Activity.sort_key", cascade="all, delete-orphan",
        overlaps="goal,activities",
    )

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.title!r}>"


class Area(db.Model):
    """Level 1 (okruh): code A–E, title, intro paragraph and its footnotes."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    #: ``[{"marker": "1", "text": "…", "attached_to": "…"}]``
    footnotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="areas")
    goals: Mapped[list[Goal]] = relationship(
        back_populates="area", order_by="Goal.position", cascade="all, delete-orphan"
    )


class Goal(db.Model):
    """Level 2 (cíl): code such as A1, a title (may be empty, as D1's is), comment, coordination."""

    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    #: The „Komentář“ paragraph printed after the goal's table (static plan text).
    comment: Mapped[str] = mapped_column(Text, default="")
    #: „Koordinace s dalšími aktivitami ostatních strategií“: ``[{"strategy": "…", "codes": "…"}]``
    coordination: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    area: Mapped[Area] = relationship(back_populates="goals")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="goal", order_by="Activity.sort_key", overlaps="plan,activities"
    )


class Activity(db.Model):
    """Level 3 (dílčí aktivita): one row of the action plan, with raw and parsed columns.

    ``deadline_*`` hold the parsed „Termín plnění“ (see :mod:`workflow.deadlines`),
    ``strategy_*`` the parsed „Dotčená opatření krajské strategie“ (:mod:`workflow.strategy_refs`).
    ``extra`` keeps the further attributes: columns that other plans have and this model does not
    (e.g. „Zdroje financování“ of the social-services plan's cards, seed 001), source label →
    cell text, in the source's column order (JSON keeps the order on both databases).
    """

    __tablename__ = "activities"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    #: The activity's name where the plan gives one apart from its description (seed 001's
    #: „Název aktivity“); empty where it does not (seed 002).
    title: Mapped[str] = mapped_column(Text, default="")
    #: Zero-padded natural sort key (A1.2 before A1.10), so SQL ORDER BY sorts right.
    sort_key: Mapped[str] = mapped_column(String(120), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    indicator: Mapped[str] = mapped_column(Text, default="")
    deadline_raw: Mapped[str] = mapped_column(String(200), default="")
    deadline_kind: Mapped[str] = mapped_column(String(20), default="unknown")
    deadline_start: Mapped[date | None] = mapped_column(Date)
    deadline_end: Mapped[date | None] = mapped_column(Date)
    deadline_frequency: Mapped[int | None] = mapped_column(Integer)
    deadline_condition: Mapped[str | None] = mapped_column(Text)
    responsibility_raw: Mapped[str] = mapped_column(Text, default="")
    #: True when the routing fell back to the plan's default body (no department named).
    routing_needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Tokens of „Odpovědnost“ that matched no body (listed in the import report, never dropped).
    routing_unmatched: Mapped[list[str]] = mapped_column(JSON, default=list)
    strategy_refs_raw: Mapped[str] = mapped_column(Text, default="")
    strategy_measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    strategy_goals: Mapped[list[int]] = mapped_column(JSON, default=list)
    cooperation: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="activities", overlaps="goal,activities")
    goal: Mapped[Goal] = relationship(back_populates="activities", overlaps="plan,activities")
    routing: Mapped[list[ActivityBody]] = relationship(
        back_populates="activity", order_by="ActivityBody.position", cascade="all, delete-orphan"
    )

    @property
    def bodies(self) -> list[Body]:
        """The responsible bodies in routing order; the first is the lead."""
        return [link.body for link in self.routing]

    @property
    def lead_body(self) -> Body | None:
        """The lead responsible body, or ``None`` if the activity is not routed."""
        return self.routing[0].body if self.routing else None

    @property
    def cooperation_is_none(self) -> bool:
        """True when „Spolupráce“ is the document's explicit "nobody" (``---------``)."""
        return set(self.cooperation.strip()) == {"-"}

    def __repr__(self) -> str:
        return f"<Activity {self.code}>"


class ActivityBody(db.Model):
    """Routing of an activity to a responsible body; ``position`` 0 is the lead."""

    __tablename__ = "activity_bodies"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    activity: Mapped[Activity] = relationship(back_populates="routing")
    body: Mapped[Body] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_lead(self) -> bool:
        """True for the first body named in „Odpovědnost“."""
        return self.position == 0
