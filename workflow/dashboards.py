"""Set-based read models for the round dashboard, „Moje úkoly“, the review queue and the API.

Every aggregate is one SQL ``GROUP BY``; every list is one query with its related rows loaded
eagerly, so the number of statements does not grow with the number of entries (tests count them).
Completeness and on-time rates follow DHIS2's reporting rates: completeness = entries submitted
or approved ÷ entries expected; on time = entries first submitted by their deadline ÷ expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import contains_eager

from workflow import clock, permissions
from workflow.collation import czech
from workflow.db import db
from workflow.models import Activity, Area, Body, Entry, Goal, ReportingRound, User
from workflow.states import EntryState, RoundState
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
    """The secretary's view of one round: totals, per body (with rates), per area."""

    total: Counts
    bodies: list[tuple[Body, Counts]]
    areas: list[tuple[Area, Counts]]

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
        base.add_columns(Area)
        .join(Activity, Activity.id == Entry.activity_id)
        .join(Goal, Goal.id == Activity.goal_id)
        .join(Area, Area.id == Goal.area_id)
        .group_by(Area.id)
        .order_by(Area.position, Area.code)
    ).all()
    return RoundDashboard(total, body_rows, [(r.Area, _counts(r)) for r in by_area])


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
def _entry_list() -> Any:
    return (
        select(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Activity, Activity.id == Entry.activity_id)
        .join(Goal, Goal.id == Activity.goal_id)
        .join(Area, Area.id == Goal.area_id)
        .join(Body, Body.id == Entry.body_id)
        .options(
            contains_eager(Entry.round),
            contains_eager(Entry.activity).contains_eager(Activity.goal).contains_eager(Goal.area),
            contains_eager(Entry.body),
        )
    )


@dataclass
class TaskGroup:
    """„Moje úkoly“: one round × body with its entries (nearest deadline first) and progress."""

    round: ReportingRound
    body: Body
    entries: list[Entry]
    #: The entries the page lists (all of them unless :func:`filter_tasks` narrowed the list).
    shown: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.shown:
            self.shown = self.entries

    @property
    def done(self) -> int:
        """Entries submitted or approved."""
        return sum(1 for e in self.entries if e.state in DONE_STATES)

    @property
    def progress(self) -> int:
        """Share done, in whole percent."""
        return round(100 * self.done / len(self.entries)) if self.entries else 0

    @property
    def deadline(self) -> date | None:
        """The nearest deadline among the entries still owed."""
        owed = [e.effective_deadline for e in self.entries if e.state in OPEN_STATES and e.effective_deadline]
        return min(owed) if owed else None


def my_tasks(user: User, today: date) -> list[TaskGroup]:
    """Entries of the bodies ``user`` acts for today (own and deputised) in open rounds, grouped
    by round and body, groups by nearest deadline. Constant number of queries."""
    body_ids = permissions.acting_body_ids(user, today)
    if not body_ids:
        return []
    entries = (
        db.session.scalars(
            _entry_list()
            .where(Entry.body_id.in_(sorted(body_ids)), ReportingRound.state == RoundState.open)
            .order_by(effective_deadline().asc(), Activity.sort_key)
        )
        .unique()
        .all()
    )
    groups: dict[tuple[int, int], TaskGroup] = {}
    for entry in entries:
        groups.setdefault(
            (entry.round_id, entry.body_id), TaskGroup(entry.round, entry.body, [])
        ).entries.append(entry)
    return sorted(groups.values(), key=lambda g: (g.deadline or date.max, g.body.abbreviation))


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
    area_id: int | None = None

    def matches(self, entry: Entry, today: date) -> bool:
        """True if ``entry`` passes every filter set."""
        if self.state and entry.state != self.state:
            return False
        if self.area_id and entry.activity.goal.area_id != self.area_id:
            return False
        if self.deadline in TASK_DEADLINES:
            due = entry.effective_deadline
            if entry.state not in OPEN_STATES or due is None:
                return False
            days = TASK_DEADLINES[self.deadline]
            in_range = due < today if days is None else today <= due <= today + timedelta(days=days)
            if not in_range:
                return False
        return search_matches(self.query, entry.activity.code, [entry.activity.description, entry.text])


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


def filter_tasks(groups: list[TaskGroup], filters: TaskFilter, today: date) -> list[TaskGroup]:
    """``groups`` with only the entries that match ``filters`` shown (progress still counts every
    entry); groups left without an entry are dropped."""
    for group in groups:
        group.shown = [e for e in group.entries if filters.matches(e, today)]
    return [g for g in groups if g.shown]


def task_areas(groups: list[TaskGroup]) -> list[tuple[int, str]]:
    """``[(area_id, "code – title")]`` of the areas the tasks in ``groups`` belong to, in plan order."""
    areas = {e.activity.goal.area.id: e.activity.goal.area for g in groups for e in g.entries}
    ordered = sorted(areas.values(), key=lambda a: (a.plan_id, a.position))
    return [(a.id, f"{a.code} – {a.title}") for a in ordered]


def next_open_task(user: User, after: Entry, today: date) -> Entry | None:
    """The next entry ``user`` still owes (not started, draft, returned) in the order of „Moje
    úkoly“: the first one listed after ``after``, else the first one; ``None`` when nothing is owed.
    Constant number of queries (:func:`my_tasks`)."""
    ordered = [e for g in my_tasks(user, today) for e in g.entries]
    owed = [e for e in ordered if e.state in OPEN_STATES and e.id != after.id]
    if not owed:
        return None
    position = {e.id: i for i, e in enumerate(ordered)}
    here = position.get(after.id, -1)
    return next((e for e in owed if position[e.id] > here), owed[0])


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


def review_queue(
    user: User, filters: QueueFilter, today: date, *, limit: int = 500, offset: int = 0
) -> list[Entry]:
    """Entries in ``user``'s reviewer scope (everything for a secretary) matching ``filters``,
    sorted by deadline, then submission time, then activity code; ``limit`` of them from
    ``offset``. One query."""
    query = _queue_query(user, filters, today).order_by(
        effective_deadline().asc().nulls_last(),
        Entry.submitted_at.asc().nulls_last(),
        Activity.sort_key,
        czech(Body.abbreviation),
        Entry.id,
    )
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())


def review_queue_total(user: User, filters: QueueFilter, today: date) -> int:
    """How many entries :func:`review_queue` would list without a limit. One query."""
    query = _queue_query(user, filters, today).with_only_columns(func.count(Entry.id)).options()
    return db.session.scalar(query) or 0


def _queue_query(user: User, filters: QueueFilter, today: date) -> Any:
    query = _entry_list().where(permissions.review_queue_clause(user))
    if filters.round_id:
        query = query.where(Entry.round_id == filters.round_id)
    if filters.state != "all":
        query = query.where(Entry.state == filters.state)
    if filters.body_id:
        query = query.where(Entry.body_id == filters.body_id)
    if filters.area_id:
        query = query.where(Goal.area_id == filters.area_id)
    searched = code_or_text_clause(filters.query)
    if searched is not None:
        query = query.where(searched)
    if filters.overdue:
        late_submission = and_(Entry.state == EntryState.submitted, ReportingRound.review_deadline < today)
        late_answer = and_(Entry.state.in_([s.value for s in OPEN_STATES]), effective_deadline() < today)
        query = query.where(late_submission | late_answer)
    return query


def round_entries(
    round_id: int, user: User, today: date, *, limit: int | None = None, offset: int = 0
) -> tuple[list[Entry], int]:
    """A round's entries ``user`` may see, in plan order (API), ``limit`` of them from ``offset``.

    :returns: ``(entries, total)``: the page and the number of visible entries. Two queries.
    """
    visible = and_(Entry.round_id == round_id, permissions.entry_visibility_clause(user, today))
    total = db.session.scalar(
        select(func.count())
        .select_from(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(visible)
    ) or 0
    query = _entry_list().where(visible).order_by(Activity.sort_key, czech(Body.abbreviation), Entry.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique()), total
