"""Plan list and plan page: the hierarchy areas → goals → activities with every field and routing.

Both pages issue a constant number of SQL statements, whatever the size of the plan: counts come
from correlated aggregate subqueries and the plan page eager-loads the whole tree (see
``tests/web/test_plans.py::test_plan_page_query_count_is_constant``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from web.extensions import db
from web.views.guards import requires
from workflow.models import Activity, Body, Plan, PlanNode
from workflow.models.plans import DEFAULT_LEVEL_NAMES
from workflow.permissions import Action
from workflow.text import czech_sort_key, fold, matches

bp = Blueprint("plans", __name__)

#: Czech names of the parsed deadline kinds (values of ``workflow.deadlines.DeadlineKind``).
DEADLINE_KIND_TITLES = {
    "ongoing": _l("průběžně"),
    "ongoing_until": _l("průběžně do data"),
    "ongoing_from": _l("průběžně od data"),
    "ongoing_range": _l("průběžně v období"),
    "range": _l("období"),
    "due": _l("termín"),
    "yearly": _l("opakovaně"),
    "conditional": _l("podmíněný termín"),
    "unknown": _l("nerozpoznaný termín"),
}


# --------------------------------------------------------------------------- presentation helpers


def _month(value: date) -> str:
    """``date(2024, 10, 1)`` → ``"říjen 2024"`` (nominative, stand-alone month name)."""
    return format_date(value, "LLLL y")


def _month_genitive(value: date) -> str:
    """``date(2025, 12, 31)`` → ``"prosince 2025"`` (as in „do konce prosince 2025“)."""
    return format_date(value, "MMMM y")


def _span(start: date | None, end: date | None) -> str:
    """A date span in words: whole years as ``"2024 – 2027"``, else ``"říjen 2024 – prosinec 2027"``."""
    if start is None or end is None:
        return _month(end) if end else (_month(start) if start else "")
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year} – {end.year}"
    return f"{_month(start)} – {_month(end)}"


def deadline_summary(activity: Activity) -> str:
    """The parsed „Termín plnění“ of ``activity`` in words, e.g. ``"říjen 2024 – prosinec 2027"``.

    Reads ``deadline_kind``/``deadline_start``/``deadline_end``/``deadline_frequency`` as the
    importer stored them (``workflow.deadlines.parse_deadline``); never raises.
    """
    kind = activity.deadline_kind
    start, end = activity.deadline_start, activity.deadline_end
    if kind == "ongoing":
        return _("průběžně")
    if kind == "ongoing_until" and end:
        return _("průběžně do konce %(month)s", month=_month_genitive(end))
    if kind == "ongoing_from" and start:
        return _("průběžně od %(span)s", span=str(start.year) if start.month == 1 else _month(start))
    if kind == "ongoing_range":
        return _("průběžně, %(span)s", span=_span(start, end))
    if kind == "range":
        return _span(start, end)
    if kind == "due" and end:
        return _("do konce %(month)s", month=_month_genitive(end))
    if kind == "yearly":
        return _("%(count)s× ročně", count=activity.deadline_frequency or 1)
    if kind == "conditional":
        return _("podle podmínky")
    return _("termín nelze rozpoznat")


def level_names(plan: Plan) -> list[str]:
    """The plan's level names, the activity's last (e.g. Okruh / Cíl / Aktivita; Aktivita alone
    for a flat plan)."""
    return list(plan.level_names or DEFAULT_LEVEL_NAMES)


def node_anchor(node: PlanNode) -> str:
    """The id of a node's section on the plan page: ``okruh-A`` for the top level, ``cil-A1`` for
    the second (the shipped plan's links), ``uroven-2.1.1`` below."""
    prefix = {0: "okruh", 1: "cil"}.get(node.depth, "uroven")
    return f"{prefix}-{node.code}"


def coordination_refs(item: dict[str, Any]) -> str:
    """The codes of one coordination entry (the JSON source says ``refs``, older data ``codes``)."""
    return str(item.get("refs") or item.get("codes") or "")


def deadline_kind_title(kind: str) -> str:
    """Czech name of a deadline kind, e.g. ``"range"`` → ``"období"``."""
    title = DEADLINE_KIND_TITLES.get(kind)
    return str(title) if title is not None else kind


# Template globals (not a context processor) so that imported macros see them too.
for _helper in (deadline_summary, deadline_kind_title, coordination_refs, node_anchor):
    bp.add_app_template_global(_helper)


# --------------------------------------------------------------------------------------- queries


def _count(model: type[PlanNode] | type[Activity], *where: Any) -> Any:
    return (
        select(func.count())
        .select_from(model)
        .where(model.plan_id == Plan.id, *where)
        .correlate(Plan)
        .scalar_subquery()
    )


def plans_with_counts() -> Select[Any]:
    """One statement: every plan with its counts of nodes on the top level (areas) and below it
    (goals and deeper), activities and activities to review."""
    return (
        select(
            Plan,
            _count(PlanNode, PlanNode.depth == 0).label("areas"),
            _count(PlanNode, PlanNode.depth > 0).label("goals"),
            _count(Activity).label("activities"),
            _count(Activity, Activity.routing_needs_review.is_(True)).label("review"),
        )
        .options(joinedload(Plan.default_body))
        .order_by(Plan.created_at.desc(), Plan.id.desc())
    )


def load_plan_tree(plan_id: int) -> Plan | None:
    """The plan with its default body, nodes, activities and routing, in four statements."""
    return db.session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            joinedload(Plan.default_body),
            selectinload(Plan.nodes),
            selectinload(Plan.activities).subqueryload(Activity.routing),  # one statement for any number
        )
    )


# --------------------------------------------------------------------------------------- filters


@dataclass
class PlanFilter:
    """The plan page's filter from the query string: ``q`` text, ``subjekt`` body id, ``k_revizi``."""

    query: str = ""
    body_id: int | None = None
    review_only: bool = False

    @classmethod
    def from_args(cls, args: Any) -> PlanFilter:
        """Read the filter from ``request.args``; malformed values are ignored, not refused."""
        body = args.get("subjekt", "")
        return cls(
            query=args.get("q", "").strip()[:200],
            body_id=int(body) if body.isdecimal() else None,
            review_only=args.get("k_revizi") == "1",
        )

    @property
    def active(self) -> bool:
        """True if any criterion is set (then empty areas and goals are hidden)."""
        return bool(fold(self.query)) or self.body_id is not None or self.review_only

    def accepts(self, activity: Activity) -> bool:
        """True if ``activity`` passes every criterion (text search ignores case and diacritics)."""
        if self.review_only and not activity.routing_needs_review:
            return False
        if self.body_id is not None and all(link.body_id != self.body_id for link in activity.routing):
            return False
        texts = [
            activity.code, activity.title, activity.description, activity.indicator, activity.deadline_raw,
            activity.responsibility_raw, activity.strategy_refs_raw, activity.cooperation,
            *(str(v) for v in (activity.extra or {}).values()),
        ]
        for link in activity.routing:
            texts += [link.body.abbreviation, link.body.name]
        return matches(self.query, texts)


@dataclass
class NodeView:
    """A node of the plan's levels with the nodes below it and its own activities to show (all, or
    those passing the filter); ``node`` is ``None`` for a flat plan's single list."""

    node: PlanNode | None
    activities: list[Activity] = field(default_factory=list)
    children: list[NodeView] = field(default_factory=list)


def filtered_tree(plan: Plan, plan_filter: PlanFilter) -> tuple[list[NodeView], int]:
    """The plan's nodes → activities that pass ``plan_filter`` (top level first) and how many
    activities they hold. Reads only what :func:`load_plan_tree` loaded.

    Without an active filter every node is kept, even an empty one; with one, nodes with nothing
    left below them are dropped.
    """
    kept: dict[int | None, list[Activity]] = {}
    shown = 0
    for activity in plan.activities:
        if plan_filter.accepts(activity):
            kept.setdefault(activity.node_id, []).append(activity)
            shown += 1
    if not plan.nodes:
        return ([NodeView(None, kept.get(None, []))] if kept or not plan_filter.active else []), shown
    views = {node.id: NodeView(node, kept.get(node.id, [])) for node in plan.nodes}
    roots: list[NodeView] = []
    for node in plan.nodes:  # ordered by depth, then position: parents come first
        (views[node.parent_id].children if node.parent_id in views else roots).append(views[node.id])

    def keep(view: NodeView) -> bool:
        view.children = [child for child in view.children if keep(child)]
        return bool(view.activities or view.children) or not plan_filter.active

    return [view for view in roots if keep(view)], shown


# ----------------------------------------------------------------------------------------- views


@bp.get("/plany")
@requires(Action.view_plans)
def list_plans() -> ResponseReturnValue:
    """All plans with their counts (any signed-in user); ``region_levels``: every plan has the
    shipped plan's levels (Okruh / Cíl / Aktivita), so the page may name them in its lead."""
    rows = db.session.execute(plans_with_counts()).all()
    region_levels = all((row[0].level_names or DEFAULT_LEVEL_NAMES) == DEFAULT_LEVEL_NAMES for row in rows)
    return render_template("plans/list.html", rows=rows, region_levels=region_levels)


@bp.get("/plany/<int:plan_id>")
@requires(Action.view_plans)
def detail(plan_id: int) -> ResponseReturnValue:
    """The plan page: metadata, hierarchy with every activity field, abbreviations (any signed-in user)."""
    plan = load_plan_tree(plan_id)
    if plan is None:
        abort(404)
    plan_filter = PlanFilter.from_args(request.args)
    tree, shown = filtered_tree(plan, plan_filter)

    all_activities = list(plan.activities)
    names = level_names(plan)
    bodies: dict[int, Body] = {}
    for activity in all_activities:
        for link in activity.routing:
            bodies.setdefault(link.body_id, link.body)
    return render_template(
        "plans/detail.html",
        plan=plan,
        levels=names,
        tree=tree,
        shown=shown,
        plan_filter=plan_filter,
        total=len(all_activities),
        review_total=sum(1 for a in all_activities if a.routing_needs_review),
        level_counts=[
            (names[depth], sum(1 for node in plan.nodes if node.depth == depth))
            for depth in range(plan.levels)
        ],
        filter_bodies=sorted(bodies.values(), key=lambda b: czech_sort_key(b.abbreviation)),
        abbreviations=sorted((plan.abbreviations or {}).items(), key=lambda kv: czech_sort_key(kv[0])),
    )
