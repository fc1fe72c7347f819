"""The action plan: plan → 0 to 4 levels of nodes → activities, and the routing of activities to bodies.

Source of the shape: seed 002 (the Liberec Region's action plan of its social-inclusion strategy,
DOMAIN.md §1.1: okruh → cíl → aktivita). Other plans have other levels, named per plan in
:attr:`Plan.level_names`: Oblast / Cíl / Karta (seed 001), Strategický cíl / Specifický cíl /
Opatření / Aktivita (seed 000), or none at all (a small town's numbered list).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from workflow.models.bodies import Body

DEFAULT_LEVEL_NAMES = ["Okruh", "Cíl", "Aktivita"]
#: At most this many levels above the activity (issue 14: a flat list has none, a city strategy
#: three — Strategický cíl / Specifický cíl / Opatření — above its activities).
MAX_LEVELS = 4


def default_level_names(levels: int) -> list[str]:
    """Names of a plan with ``levels`` (0–4) levels above the activity, the activity level last.

    The shipped plan's names for two levels (Okruh / Cíl / Aktivita), else numbered levels.
    """
    if levels == 2:
        return list(DEFAULT_LEVEL_NAMES)
    if levels == 1:
        return ["Okruh", "Aktivita"]
    return [f"{n}. úroveň" for n in range(1, levels + 1)] + ["Aktivita"]


class Plan(db.Model):
    """An action plan of a strategy: its level names, default body and abbreviations.

    ``level_names`` names every level, the activity's last: ``["Okruh", "Cíl", "Aktivita"]`` for
    the shipped plan, ``["Aktivita"]`` for a flat list, ``["Strategický cíl", "Specifický cíl",
    "Opatření", "Aktivita"]`` for a city strategy (seed 000). Its length − 1 is :attr:`levels`.
    """

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
    #: Every node of every level, top level first, each level in the document's order.
    nodes: Mapped[list[PlanNode]] = relationship(
        back_populates="plan", order_by="(PlanNode.depth, PlanNode.position)", cascade="all, delete-orphan"
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="plan", order_by="Activity.sort_key", cascade="all, delete-orphan",
        overlaps="node,activities",
    )

    @property
    def levels(self) -> int:
        """Number of levels above the activity (0 for a flat list, at most :data:`MAX_LEVELS`)."""
        return max(len(self.level_names or DEFAULT_LEVEL_NAMES) - 1, 0)

    @property
    def roots(self) -> list[PlanNode]:
        """The top-level nodes in the document's order (empty for a flat plan)."""
        return [node for node in self.nodes if node.parent_id is None and node.depth == 0]

    def level_name(self, depth: int) -> str:
        """Name of level ``depth`` (0 = top; :attr:`levels` = the activity)."""
        names = self.level_names or DEFAULT_LEVEL_NAMES
        return names[min(depth, len(names) - 1)]

    @property
    def activity_level_name(self) -> str:
        """Name of the activity level („Aktivita“, „Karta“, „Opatření“ …)."""
        return self.level_name(self.levels)

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.title!r}>"


class PlanNode(db.Model):
    """One node of a level above the activity: an okruh, a cíl, a strategický cíl, an opatření …

    Source of the fields: seed 002 (DOMAIN.md §1.1) — an okruh has a title, an intro paragraph
    (:attr:`description`) and footnotes; a cíl has a title (may be empty, as D1's is), the
    „Komentář“ printed after its table (:attr:`notes`) and „Koordinace s dalšími aktivitami
    ostatních strategií“ (:attr:`coordination`). Other plans carry any of them at any level.
    ``depth`` 0 is the top level; a node's children are one level deeper.
    """

    __tablename__ = "plan_nodes"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_nodes.id", ondelete="CASCADE"), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text, default="")
    #: Printed under the node's heading (the okruh's intro paragraph in seed 002).
    description: Mapped[str] = mapped_column(Text, default="")
    #: Printed after the node's activities (the cíl's „Komentář“ in seed 002).
    notes: Mapped[str] = mapped_column(Text, default="")
    #: ``[{"marker": "1", "text": "…", "attached_to": "…"}]``
    footnotes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: „Koordinace s dalšími aktivitami ostatních strategií“: ``[{"strategy": "…", "codes": "…"}]``
    coordination: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="nodes")
    parent: Mapped[PlanNode | None] = relationship(back_populates="children", remote_side=[id])
    children: Mapped[list[PlanNode]] = relationship(
        back_populates="parent", order_by="PlanNode.position", cascade="all, delete-orphan"
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="node", order_by="Activity.sort_key", foreign_keys="Activity.node_id",
        overlaps="plan,activities",
    )

    @property
    def lineage(self) -> list[PlanNode]:
        """This node's ancestors from the top level down, and the node itself last."""
        chain: list[PlanNode] = []
        node: PlanNode | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def label(self) -> str:
        """``"A Systémová opatření"``: code and title as headings and filters show them."""
        return f"{self.code} {self.title}".strip()

    def __repr__(self) -> str:
        return f"<PlanNode {self.depth}:{self.code}>"


class Activity(db.Model):
    """An activity (dílčí aktivita, karta, opatření …): one row of the action plan, with raw and
    parsed columns, under a node of the plan's lowest level (or none in a flat plan).

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
    #: The node the activity sits under (``None`` in a flat plan); set with :func:`place_activity`.
    node_id: Mapped[int | None] = mapped_column(ForeignKey("plan_nodes.id", ondelete="CASCADE"), index=True)
    #: The top-level node above it (the okruh; the node itself in a one-level plan; ``None`` in a
    #: flat plan): what reviewer scopes, queue filters, dashboards and report pages group by.
    top_node_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_nodes.id", ondelete="CASCADE"), index=True
    )
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

    plan: Mapped[Plan] = relationship(back_populates="activities", overlaps="node,activities")
    node: Mapped[PlanNode | None] = relationship(
        back_populates="activities", foreign_keys=[node_id], overlaps="plan,activities"
    )
    top_node: Mapped[PlanNode | None] = relationship(foreign_keys=[top_node_id])
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
    def lineage(self) -> list[PlanNode]:
        """The nodes above the activity, top level first (empty in a flat plan)."""
        return self.node.lineage if self.node is not None else []

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


def place_activity(activity: Activity, node: PlanNode | None) -> None:
    """Put ``activity`` under ``node`` (``None``: a flat plan), keeping its top-level node in step.

    The one place that sets :attr:`Activity.node_id` and :attr:`Activity.top_node_id`.
    """
    activity.node = node
    activity.top_node = node.lineage[0] if node is not None else None


def plan_nodes(plan_id: int) -> list[PlanNode]:
    """Every node of plan ``plan_id`` in one statement, top level first.

    Hold the list while reading :attr:`Activity.lineage` of the plan's activities: their nodes and
    parents then come from the session's identity map (which keeps objects only while they are
    referenced), with no statement per activity.
    """
    return list(
        db.session.scalars(
            select(PlanNode).where(PlanNode.plan_id == plan_id).order_by(PlanNode.depth, PlanNode.position)
        )
    )
