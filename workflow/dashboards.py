"""Set-based read models for the round dashboard, „Moje úkoly“, the review queue and the API.

Every aggregate is one SQL ``GROUP BY``; every list is one query with its related rows loaded
eagerly, so the number of statements does not grow with the number of entries (tests count them).
Completeness and on-time rates follow DHIS2's reporting rates: completeness = entries submitted
or approved ÷ entries expected; on time = entries first submitted by their deadline ÷ expected.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import contains_eager

from workflow import clock, permissions
from workflow.collation import czech
from workflow.db import db
from workflow.models import Activity, Body, Entry, PlanNode, ReportingRound, User
from workflow.states import EntryState
from workflow.text import fold, matches

#: States in which the body still owes its answer.
OPEN_STATES = (EntryState.not_started, EntryState.draft, EntryState.returned)
DONE_STATES = (EntryState.submitted, EntryState.approved)


def effective_deadline() -> ColumnElement[Any]:
    """SQL: the entry's own (extended) deadline, else its round's submission deadline."""
    return func.coalesce(Entry.deadline, ReportingRound.submission_deadline)


def _state_sums() -> list[Any]:
    return [func.sum(case((Entry.state == s.value, 1), else_=0)).label(s.value) for s in EntryState]


@dataclass
class Counts:
    """Entries per state with the derived totals and rates (rates in percent, 0–100)."""

    by_state: dict[str, int] = field(default_factory=dict)
    on_time: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        """All entries."""
        return sum(self.by_state.values())

    @property
    def done(self) -> int:
        """Submitted or approved."""
        return sum(self.by_state.get(s.value, 0) for s in DONE_STATES)

    @property
    def completeness(self) -> float:
        """Submitted or approved ÷ expected, in percent."""
        return 100.0 * self.done / self.total if self.total else 0.0

    @property
    def on_time_rate(self) -> float:
        """First submitted by the deadline ÷ expected, in percent."""
        return 100.0 * self.on_time / self.total if self.total else 0.0

    def percent(self, state: str) -> float:
        """Share of ``state`` among all entries, in percent."""
        return 100.0 * self.by_state.get(state, 0) / self.total if self.total else 0.0


def _counts(row: Any) -> Counts:
    return Counts(
        {s.value: int(getattr(row, s.value) or 0) for s in EntryState},
        int(row.on_time or 0),
        int(row.overdue or 0),
    )


def _aggregate(today: date) -> list[Any]:
    overdue = and_(Entry.state.in_([s.value for s in OPEN_STATES]), effective_deadline() < today)
    return [
        *_state_sums(),
        func.sum(case((Entry.submitted_on_time.is_(True), 1), else_=0)).label("on_time"),
        func.sum(case((overdue, 1), else_=0)).label("overdue"),
    ]


@dataclass
class RoundDashboard:
    """The secretary's view of one round: totals, per body (with rates), per area (a top-level
    node of the plan; none for a flat plan)."""

    total: Counts
    bodies: list[tuple[Body, Counts]]
    areas: list[tuple[PlanNode, Counts]]

    @property
    def overdue_bodies(self) -> list[tuple[Body, Counts]]:
        """Bodies with at least one unanswered entry past its deadline, most overdue first."""
        return sorted((bc for bc in self.bodies if bc[1].overdue), key=lambda bc: -bc[1].overdue)

    def chart_rows(self, *, label_width: float = 200.0, bar_width: float = 800.0) -> list[ChartRow]:
        """The stacked bars of the per-body chart, computed here rather than in the template: per
        body (in :attr:`bodies` order) one :class:`ChartBar` per state with entries, left to right
        in :class:`~workflow.states.EntryState` order.

        :param label_width: where the bars start (SVG user units; the body's abbreviation is left of it).
        :param bar_width: the width of a body's whole bar (100 % of its entries), SVG user units.
        """
        rows = []
        for index, (body, counts) in enumerate(self.bodies):
            x, bars = label_width, []
            for state in EntryState:
                count = counts.by_state.get(state.value, 0)
                width = bar_width * count / counts.total if counts.total else 0.0
                if width > 0:
                    bars.append(ChartBar(state.value, count, f"{x:.1f}", f"{width:.1f}"))
                x += width
            rows.append(ChartRow(body.abbreviation, 4 + 26 * index, bars))
        return rows


@dataclass(frozen=True)
class ChartBar:
    """One state's segment of a body's bar: ``x`` and ``width`` formatted for the SVG (one decimal)."""

    state: str
    count: int
    x: str
    width: str


@dataclass(frozen=True)
class ChartRow:
    """One body's bar in the chart: its label, its top ``y`` (SVG user units) and its segments."""

    label: str
    y: int
    bars: list[ChartBar]


def round_dashboard(round_id: int, today: date) -> RoundDashboard:
    """Counts per state per body and per area, overdue entries and rates of one round.

    Four queries whatever the number of entries.
    """
    base = (
        select(*_aggregate(today))
        .select_from(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(Entry.round_id == round_id)
    )
    total = _counts(db.session.execute(base).one())
    by_body = db.session.execute(base.add_columns(Entry.body_id).group_by(Entry.body_id)).all()
    bodies = {
        b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_([r.body_id for r in by_body])))
    }
    body_rows = sorted(((bodies[r.body_id], _counts(r)) for r in by_body), key=lambda bc: bc[0].abbreviation)
    by_area = db.session.execute(
        base.add_columns(PlanNode)
        .join(Activity, Activity.id == Entry.activity_id)
        .join(PlanNode, PlanNode.id == Activity.top_node_id)
        .group_by(PlanNode.id)
        .order_by(PlanNode.position, PlanNode.code)
    ).all()
    return RoundDashboard(total, body_rows, [(r.PlanNode, _counts(r)) for r in by_area])


def state_counts(round_id: int, user: User | None = None, today: date | None = None) -> dict[str, int]:
    """``{state: count}`` of a round's entries (only those ``user`` may see, when given)."""
    query = (
        select(Entry.state, func.count())
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(Entry.round_id == round_id)
        .group_by(Entry.state)
    )
    if user is not None:
        query = query.where(permissions.entry_visibility_clause(user, today or clock.today()))
    found = dict(db.session.execute(query).all())
    return {s.value: int(found.get(s.value, 0)) for s in EntryState}


def body_state_counts(round_id: int, user: User | None, today: date) -> list[tuple[Body, dict[str, int]]]:
    """Per body: ``{state: count}`` of the round's entries ``user`` may see (one query)."""
    rows = db.session.execute(
        select(Body, *_state_sums())
        .select_from(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.round_id == round_id, permissions.entry_visibility_clause(user, today))
        .group_by(Body.id)
        .order_by(czech(Body.abbreviation))
    ).all()
    return [(r.Body, {s.value: int(getattr(r, s.value) or 0) for s in EntryState}) for r in rows]


# --- lists ----------------------------------------------------------------------------------------
def _joined(*columns: Any) -> Any:
    """SELECT ``columns`` from entries with their round, activity, area (the activity's top-level
    node, ``NULL`` in a flat plan) and body joined."""
    return (
        select(*columns)
        .select_from(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Activity, Activity.id == Entry.activity_id)
        .outerjoin(PlanNode, PlanNode.id == Activity.top_node_id)
        .join(Body, Body.id == Entry.body_id)
    )


def _entry_list() -> Any:
    return _joined(Entry).options(
        contains_eager(Entry.round),
        contains_eager(Entry.activity).contains_eager(Activity.top_node),
        contains_eager(Entry.body),
    )


#: Deadline filters of „Moje úkoly“: value → days from today the deadline may lie (``None``: past).
TASK_DEADLINES = {"overdue": None, "week": 7, "month": 31}


@dataclass
class TaskFilter:
    """Filters of „Moje úkoly“ (all optional): ``query`` matches the activity's code (prefix) or any
    words of its description or of the entry's text (case-insensitive); ``deadline`` is a key of
    :data:`TASK_DEADLINES` (only entries still owed)."""

    query: str = ""
    state: str = ""
    deadline: str = ""
    #: A top-level node of the plan (an okruh): entries of the activities under it.
    area_id: int | None = None

    def clauses(self, today: date) -> list[ColumnElement[bool]]:
        """SQL conditions (``entries``, ``reporting_rounds`` and ``activities`` joined) of every
        filter but a text query (see :attr:`text_query`); a code query is one of them."""
        found: list[ColumnElement[bool]] = []
        if self.state:
            found.append(Entry.state == self.state)
        if self.area_id:
            in_area = select(Activity.id).where(Activity.top_node_id == self.area_id)
            found.append(Entry.activity_id.in_(in_area))
        if self.deadline in TASK_DEADLINES:
            due, days = effective_deadline(), TASK_DEADLINES[self.deadline]
            found.append(Entry.state.in_([s.value for s in OPEN_STATES]))
            found.append(due < today if days is None else due.between(today, today + timedelta(days=days)))
        if self.query.strip() and not self.text_query:
            code = code_or_text_clause(self.query)
            if code is not None:
                found.append(code)
        return found

    @property
    def text_query(self) -> str:
        """The query when it is text, not a code: matched in Python (:func:`search_matches`: no
        diacritics, case or spaces, which SQL here cannot); ``""`` otherwise."""
        query = (self.query or "").strip()
        return "" if not query or _CODE_QUERY.fullmatch(query) else query


#: A query that is an activity code (``A1.9``, ``B2``): matched against codes, not texts.
_CODE_QUERY = re.compile(r"[A-Za-z]\d+(\.\d+)*\.?")


def search_matches(query: str, code: str | None, texts: list[str | None]) -> bool:
    """The one search rule of „Moje úkoly“ and the review queue: a code (``A1.9``) matches that
    activity and those under it (``A1.9.1``), not ``A1.90``; anything else is looked up in the
    ``texts`` and the code, ignoring case, diacritics and spaces (:func:`workflow.text.matches`)."""
    query = (query or "").strip()
    if not query:
        return True
    if _CODE_QUERY.fullmatch(query):
        wanted, have = fold(query).rstrip("."), fold(code)
        return have == wanted or have.startswith(wanted + ".")
    return matches(query, [code, *texts])


def code_or_text_clause(query: str) -> ColumnElement[bool] | None:
    """SQL of :func:`search_matches` for the review queue (case-insensitive ``LIKE``; diacritics
    count in SQL), or ``None`` for an empty query."""
    query = (query or "").strip()
    if not query:
        return None
    if _CODE_QUERY.fullmatch(query):
        code = query.rstrip(".").lower()
        return or_(func.lower(Activity.code) == code, func.lower(Activity.code).like(f"{code}.%"))
    pattern = "%" + query.replace("\\", "").replace("%", "").replace("_", "") + "%"
    return or_(
        Activity.description.ilike(pattern), Entry.text.ilike(pattern), Body.abbreviation.ilike(pattern)
    )


@dataclass
class QueueFilter:
    """Filters of the review queue; ``state`` ``"all"`` means every state."""

    round_id: int | None = None
    state: str = EntryState.submitted.value
    body_id: int | None = None
    area_id: int | None = None
    overdue: bool = False
    #: Search by activity code or text (:func:`code_or_text_clause`).
    query: str = ""


def _queue_order() -> tuple[Any, ...]:
    return (
        effective_deadline().asc().nulls_last(),
        Entry.submitted_at.asc().nulls_last(),
        Activity.sort_key,
        czech(Body.abbreviation),
        Entry.id,
    )


def review_queue(
    user: User, filters: QueueFilter, today: date, *, limit: int = 500, offset: int = 0
) -> list[Entry]:
    """Entries in ``user``'s reviewer scope (everything for a secretary) matching ``filters``,
    sorted by deadline, then submission time, then activity code; ``limit`` of them from
    ``offset``, as entities with their round, activity, goal, area and body (the bulk approval
    checks each). One query."""
    query = _queue_where(_entry_list(), user, filters, today).order_by(*_queue_order())
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())


#: The columns of a row of the review queue's page (:func:`review_queue_page`).
QUEUE_COLUMNS = (
    Entry.id,
    Entry.state,
    Entry.fulfilment_status,
    Entry.submitted_at,
    effective_deadline().label("due"),
    Activity.code.label("activity_code"),
    Body.abbreviation.label("body"),
    PlanNode.code.label("area_code"),
    PlanNode.title.label("area_title"),
)


def review_queue_page(
    user: User, filters: QueueFilter, today: date, *, page: int, per_page: int
) -> tuple[list[Any], int, int]:
    """Page ``page`` (from 1; past the end: the last page) of :func:`review_queue`, ``per_page``
    entries a page, with the number of entries the filters match. One statement: the count in a
    CTE, the page's offset computed from it (CASE, which PostgreSQL and SQLite both have), the page
    joined to it.

    :returns: ``(rows, total, page)``: the rows of :data:`QUEUE_COLUMNS` (``id``, ``state``,
        ``fulfilment_status``, ``submitted_at`` (UTC), ``due`` (the effective deadline),
        ``activity_code``, ``body``, ``area_code``, ``area_title``), not entities; the number of
        entries matching; the page shown (1 when nothing matches).
    """
    page = max(1, page)
    counted = _queue_where(_joined(func.count(Entry.id).label("n")), user, filters, today).cte("queue_total")
    wanted = (page - 1) * per_page
    # the requested page's offset, or the last page's when it lies past the end (integer division)
    last = case((counted.c.n > 0, ((counted.c.n - 1) // per_page) * per_page), else_=0)
    start = select(case((last < wanted, last), else_=wanted)).select_from(counted).scalar_subquery()
    rows = (
        _queue_where(_joined(*QUEUE_COLUMNS, Activity.sort_key.label("sort_key")), user, filters, today)
        .order_by(*_queue_order())
        .limit(per_page)
        .offset(start)
        .subquery("queue_page")
    )
    query = (
        select(counted.c.n.label("total"), *(rows.c[c.key] for c in QUEUE_COLUMNS))
        .select_from(counted)
        .outerjoin(rows, true())  # one row of NULLs when nothing matches
        .order_by(  # the page's rows again in the queue's order (_queue_order)
            rows.c.due.asc().nulls_last(),
            rows.c.submitted_at.asc().nulls_last(),
            rows.c.sort_key,
            czech(rows.c.body),
            rows.c.id,
        )
    )
    result = db.session.execute(query).all()
    total = int(result[0].total) if result else 0
    pages = max(1, (total + per_page - 1) // per_page)
    return [r for r in result if r.id is not None], total, min(page, pages)


def review_queue_ids(user: User, filters: QueueFilter, today: date, *, limit: int = 500) -> list[int]:
    """The ids of :func:`review_queue`, in its order (at most ``limit``). One query."""
    query = _queue_where(_joined(Entry.id), user, filters, today).order_by(*_queue_order())
    return list(db.session.scalars(query.limit(limit)))


def _queue_where(query: Any, user: User, filters: QueueFilter, today: date) -> Any:
    query = query.where(permissions.review_queue_clause(user))
    if filters.round_id:
        query = query.where(Entry.round_id == filters.round_id)
    if filters.state != "all":
        query = query.where(Entry.state == filters.state)
    if filters.body_id:
        query = query.where(Entry.body_id == filters.body_id)
    if filters.area_id:
        query = query.where(Activity.top_node_id == filters.area_id)
    searched = code_or_text_clause(filters.query)
    if searched is not None:
        query = query.where(searched)
    if filters.overdue:
        late_submission = and_(Entry.state == EntryState.submitted, ReportingRound.review_deadline < today)
        late_answer = and_(Entry.state.in_([s.value for s in OPEN_STATES]), effective_deadline() < today)
        query = query.where(late_submission | late_answer)
    return query


#: The columns of a row of the API's list of a round's entries (:func:`round_entries`).
ROUND_ENTRY_COLUMNS = (
    Entry.id,
    Activity.code.label("activity_code"),
    Body.abbreviation.label("body"),
    Entry.state,
    Entry.fulfilment_status,
    Entry.text,
    Entry.updated_at,
)


class RoundEntryRow(NamedTuple):
    """One row of :func:`round_entries`: plain values, so that a page of them is small in the cache."""

    id: int
    activity_code: str
    body: str
    state: str  #: :class:`~workflow.states.EntryState` value
    fulfilment_status: str | None  #: :class:`~workflow.states.FulfilmentStatus` value
    text: str | None
    updated_at: datetime | None  #: UTC


def round_entries(
    round_id: int,
    user: User,
    today: date,
    *,
    limit: int | None = None,
    offset: int = 0,
    cache: Any = None,
    round_version: str | None = None,
) -> tuple[list[RoundEntryRow], int]:
    """A round's entries ``user`` may see, in plan order (API), ``limit`` of them from ``offset``.

    :param cache: a Flask-Caching cache for the number of visible entries and for the page's
        rows, keyed by ``round_version`` and what the user's visibility depends on
        (:func:`~workflow.permissions.entry_visibility_scope`): counting a round's 3,000 entries
        for every page of 100 made a page's cost grow with the round, and reading the same page
        again for every caller of an unchanged round cost a join of four tables (issue 17).
    :param round_version: what changes whenever the round's entries or the plan's structure do
        (:func:`workflow.models.changes.round_version`); ``None``: nothing is cached.
    :returns: ``(rows, total)``: the page as :class:`RoundEntryRow` and the number of visible
        entries. Two queries, none when both are cached (one cache round trip).
    """
    visible = and_(Entry.round_id == round_id, permissions.entry_visibility_clause(user, today))
    total_key = page_key = None
    total: int | None = None
    rows: list[RoundEntryRow] | None = None
    if cache is not None and round_version is not None:
        scope = permissions.entry_visibility_scope(user, today)
        digest = hashlib.sha256(repr((round_id, round_version, scope)).encode()).hexdigest()[:32]
        total_key = f"round-entries-total:{digest}"
        page_key = f"round-entries-page:{digest}:{limit}:{offset}"
        found_total, found_rows = cache.get_many(total_key, page_key)
        total = found_total if isinstance(found_total, int) else None
        rows = found_rows if isinstance(found_rows, list) else None
    if total is None:
        total = db.session.scalar(
            select(func.count())
            .select_from(Entry)
            .join(ReportingRound, ReportingRound.id == Entry.round_id)
            .where(visible)
        ) or 0
        if total_key is not None:
            cache.set(total_key, total)
    if rows is None:
        query = (
            select(*ROUND_ENTRY_COLUMNS)
            .select_from(Entry)
            .join(ReportingRound, ReportingRound.id == Entry.round_id)
            .join(Activity, Activity.id == Entry.activity_id)
            .join(Body, Body.id == Entry.body_id)
            .where(visible)
            .order_by(Activity.sort_key, czech(Body.abbreviation), Entry.id)
        )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        rows = [
            RoundEntryRow(
                r.id, r.activity_code, r.body, str(r.state),
                None if r.fulfilment_status is None else str(r.fulfilment_status), r.text, r.updated_at,
            )
            for r in db.session.execute(query)
        ]
        if page_key is not None:
            cache.set(page_key, rows)
    return rows, total
