"""„Moje úkoly“: the entries of the bodies a contributor acts for in open rounds, grouped by round
and body, a page at a time — and a page costs the same whatever the number of entries (issue 17).

* The groups' figures (entries, done, owed, the nearest owed deadline, the areas) are summed per
  round for **every** body of the round at once and kept in a cache under the round's change
  counter and the reference generation (:mod:`workflow.models.changes`: renewed by every commit
  that changes the round's entries, the round, a body or the plan's structure). A request reads
  the open rounds, their keys and their plans' names (for the area filter) in one statement and
  the summaries from the cache; a miss sums the missing rounds in one ``GROUP BY``.
* The groups are ordered in Python (nearest owed deadline, body in Czech order, round); with the
  number of entries of each group known, a page covers a window of one or a few groups, and only
  the entries of those groups are read and sorted (in SQL: deadline, plan order, id).
* A filter other than a text search counts the matching entries per group (one ``GROUP BY``); a
  text search is matched in Python (:func:`workflow.dashboards.search_matches`) over the ids,
  codes and texts of the candidates, then the page is read by id.

Statements per page: the open rounds (+1 on a cache miss), the count per group when filtered (or
the candidates of a text search), the page — whatever the number of entries or groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from workflow.dashboards import DONE_STATES, OPEN_STATES, TaskFilter, effective_deadline, search_matches
from workflow.db import db
from workflow.level_labels import top_level_name
from workflow.models import Activity, Body, Entry, Plan, PlanNode, ReportingRound, User
from workflow.models.changes import reference_generation, round_version
from workflow.states import RoundState
from workflow.text import czech_sort_key


class SummaryCache(Protocol):
    """What :func:`task_list` needs of a cache (Flask-Caching's ``Cache`` has it)."""

    def get_many(self, *keys: str) -> list[Any]: ...

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> Any: ...


@dataclass(frozen=True)
class BodySummary:
    """One body's entries in one round: its abbreviation, how many, how many done (submitted or
    approved) and owed (not started, draft, returned), the nearest owed deadline, the areas."""

    abbreviation: str
    total: int
    done: int
    owed: int
    deadline: date | None
    area_ids: frozenset[int]


@dataclass(frozen=True)
class RoundSummary:
    """A round's :class:`BodySummary` per body id, and its areas: ``{id: (plan_id, position, label)}``."""

    bodies: dict[int, BodySummary]
    areas: dict[int, tuple[int, int, str]]


@dataclass
class TaskGroup:
    """„Moje úkoly“: one round × body with its progress over all its entries and the entries of
    the page shown (nearest deadline first, only those matching the filters)."""

    round_id: int
    round_title: str
    body_id: int
    body_abbreviation: str
    #: Entries of the round × body, and how many of them are submitted or approved / still owed.
    total: int
    done: int
    owed: int
    #: The nearest deadline among the entries still owed (``None``: nothing owed with a deadline).
    deadline: date | None
    area_ids: frozenset[int] = frozenset()
    #: The rows of the current page in this group (:func:`task_page`).
    shown: list[Any] = field(default_factory=list)

    @property
    def progress(self) -> int:
        """Share done, in whole percent."""
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def key(self) -> tuple[int, int]:
        """``(round_id, body_id)``."""
        return (self.round_id, self.body_id)


@dataclass(frozen=True)
class AreaPlan:
    """A plan of the areas of „Moje úkoly“ (for the area filter): its title, the name of its top
    level (:func:`workflow.level_labels.top_level_name`) and the areas the list's entries belong
    to, ``[(area_id, "code – title")]`` in plan order."""

    title: str
    level: str
    areas: list[tuple[int, str]]


@dataclass
class TaskList:
    """The groups of „Moje úkoly“ in their order and the areas their entries belong to, per plan
    in plan order (:class:`AreaPlan`; none of a flat plan)."""

    groups: list[TaskGroup]
    area_plans: list[AreaPlan]
    #: What the groups and their entries depend on: the cache keys of the open rounds' summaries
    #: (each holds the round's change counter and the reference generation), ``""`` when they
    #: cannot be told (no generation yet): then nothing derived from the list may be cached.
    version: str = ""

    @property
    def areas(self) -> list[tuple[int, str]]:
        """Every area of :attr:`area_plans`, ``[(area_id, "code – title")]`` in plan order."""
        return [area for plan in self.area_plans for area in plan.areas]


def task_list(body_ids: set[int], cache: SummaryCache | None = None) -> TaskList:
    """The groups of the bodies ``body_ids`` (own and deputised,
    :func:`workflow.permissions.acting_body_ids`) in open rounds: nearest owed deadline first,
    then body (Czech order), then round.

    :param cache: where round summaries are kept between requests (``None``: summed every time).
    :returns: the :class:`TaskList`. One statement when the summaries are cached, two when not.
    """
    if not body_ids:
        return TaskList([], [])
    rounds = db.session.execute(
        select(
            ReportingRound.id,
            ReportingRound.title,
            ReportingRound.change_counter,
            ReportingRound.created_at,
            ReportingRound.plan_id,
            Plan.title.label("plan_title"),
            Plan.level_names,
            reference_generation().label("generation"),
        )
        .join(Plan, Plan.id == ReportingRound.plan_id)
        .where(ReportingRound.state == RoundState.open)
        .order_by(ReportingRound.id)
    ).all()
    if not rounds:
        return TaskList([], [])
    versions = {r.id: round_version(r.id, r.created_at, r.change_counter, r.generation) for r in rounds}
    keys = {i: f"my-tasks:{v}" for i, v in versions.items() if v is not None}
    found = dict(zip(keys, cache.get_many(*keys.values()), strict=True)) if cache and keys else {}
    summaries = {i: s for i, s in found.items() if isinstance(s, RoundSummary)}
    missing = [r.id for r in rounds if r.id not in summaries]
    if missing:
        computed = summarise_rounds(missing)
        summaries.update(computed)
        if cache:
            cache.set_many({keys[i]: s for i, s in computed.items() if i in keys})
    groups = [
        TaskGroup(r.id, r.title, body_id, b.abbreviation, b.total, b.done, b.owed, b.deadline, b.area_ids)
        for r in rounds
        for body_id, b in summaries[r.id].bodies.items()
        if body_id in body_ids
    ]
    groups.sort(key=lambda g: (g.deadline or date.max, czech_sort_key(g.body_abbreviation), g.round_id))
    labels: dict[int, tuple[int, int, str]] = {}
    for g in groups:
        areas = summaries[g.round_id].areas
        labels.update((a, areas[a]) for a in g.area_ids)
    ordered = sorted(labels.items(), key=lambda item: (item[1][0], item[1][1], item[0]))
    plans = {r.plan_id: (r.plan_title, top_level_name(r.level_names)) for r in rounds}
    area_plans: dict[int, AreaPlan] = {}
    for area_id, (plan_id, _position, label) in ordered:
        title, level = plans[plan_id]  # an area of a round's summary is a node of the round's plan
        area_plans.setdefault(plan_id, AreaPlan(title, level, [])).areas.append((area_id, label))
    version = "|".join(keys[r.id] for r in rounds) if len(keys) == len(rounds) else ""
    return TaskList(groups, list(area_plans.values()), version)


def summarise_rounds(round_ids: list[int]) -> dict[int, RoundSummary]:
    """:class:`RoundSummary` of each round of ``round_ids`` (every body with entries). One
    ``GROUP BY`` statement (per round, body and area)."""
    owed = Entry.state.in_([s.value for s in OPEN_STATES])
    rows = db.session.execute(
        select(
            Entry.round_id,
            Entry.body_id,
            Body.abbreviation,
            PlanNode.id.label("area_id"),
            PlanNode.plan_id,
            PlanNode.position,
            PlanNode.code,
            PlanNode.title,
            func.count().label("total"),
            func.sum(case((Entry.state.in_([s.value for s in DONE_STATES]), 1), else_=0)).label("done"),
            func.sum(case((owed, 1), else_=0)).label("owed"),
            func.min(case((owed, effective_deadline()), else_=None)).label("deadline"),
        )
        .select_from(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Body, Body.id == Entry.body_id)
        .join(Activity, Activity.id == Entry.activity_id)
        # The area is the activity's top-level node (none in a flat plan).
        .outerjoin(PlanNode, PlanNode.id == Activity.top_node_id)
        .where(Entry.round_id.in_(sorted(round_ids)))
        .group_by(
            Entry.round_id, Entry.body_id, Body.abbreviation,
            PlanNode.id, PlanNode.plan_id, PlanNode.position, PlanNode.code, PlanNode.title,
        )
    ).all()
    sums: dict[int, dict[int, list[Any]]] = {i: {} for i in round_ids}
    areas: dict[int, dict[int, tuple[int, int, str]]] = {i: {} for i in round_ids}
    for r in rows:
        deadline = _as_date(r.deadline)
        item = sums[r.round_id].setdefault(r.body_id, [r.abbreviation, 0, 0, 0, None, set()])
        item[1] += int(r.total)
        item[2] += int(r.done or 0)
        item[3] += int(r.owed or 0)
        if deadline is not None and (item[4] is None or deadline < item[4]):
            item[4] = deadline
        if r.area_id is not None:
            item[5].add(r.area_id)
            areas[r.round_id][r.area_id] = (r.plan_id, r.position, f"{r.code} – {r.title}")
    return {
        i: RoundSummary(
            bodies={
                body_id: BodySummary(abbreviation, total, done, owed_n, deadline, frozenset(area_ids))
                for body_id, (abbreviation, total, done, owed_n, deadline, area_ids) in sums[i].items()
            },
            areas=areas[i],
        )
        for i in round_ids
    }


def _as_date(value: Any) -> date | None:
    # SQLite returns a computed MIN() of dates as text
    return date.fromisoformat(value) if isinstance(value, str) else value


def _of_groups(groups: list[TaskGroup], *, every: bool = False) -> ColumnElement[bool]:
    """SQL: the entry belongs to one of ``groups``; ``every``: they are all the groups of
    :func:`task_list` (every open round × body of the list with entries), so the rounds and the
    bodies name them."""
    rounds, bodies = sorted({g.round_id for g in groups}), sorted({g.body_id for g in groups})
    in_both = and_(Entry.round_id.in_(rounds), Entry.body_id.in_(bodies))
    if every or len(rounds) == 1:
        return in_both
    pairs = [and_(Entry.round_id == g.round_id, Entry.body_id == g.body_id) for g in groups]
    return and_(in_both, or_(*pairs))


def _in_group_order() -> tuple[Any, ...]:
    """The order of the entries within a group: nearest deadline, plan order, id."""
    return (effective_deadline().asc(), Activity.sort_key, Entry.id)


#: The columns of a row of the page (:func:`task_page`).
ROW_COLUMNS = (
    Entry.id,
    Entry.round_id,
    Entry.body_id,
    Entry.state,
    Entry.deadline,
    effective_deadline().label("due"),
    Entry.carried_over,
    Activity.code,
    func.substr(Activity.description, 1, 120).label("description"),
)


def _rows(*columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Activity, Activity.id == Entry.activity_id)
    )


def task_page(
    groups: list[TaskGroup], filters: TaskFilter, today: date, *, page: int, per_page: int
) -> tuple[int, int]:
    """Fill ``shown`` of ``groups`` (:func:`task_list`, in its order) with the rows of page
    ``page`` (from 1; a page past the end gives the last one): the entries matching ``filters``,
    group by group, within a group nearest deadline first, then plan order, ``per_page`` of them.
    A row has ``id``, ``round_id``, ``body_id``, ``state``, ``deadline`` (the extension, or
    ``None``), ``due`` (the effective deadline), ``carried_over``, ``code`` and ``description``
    (its first 120 characters).

    :returns: ``(total, page)``: how many entries match the filters, and the page shown. One
        statement without filters (only the entries of the page's groups are read), two with (the
        count per group, or the candidates of a text search; then the page).
    """
    for group in groups:
        group.shown = []
    if not groups:
        return 0, 1
    conditions = filters.clauses(today)
    text = filters.text_query
    matched: dict[tuple[int, int], list[int]] = {}
    if text:
        candidates = db.session.execute(
            _rows(Entry.id, Entry.round_id, Entry.body_id, Activity.code, Activity.description, Entry.text)
            .where(_of_groups(groups, every=True), *conditions)
            .order_by(*_in_group_order())
        ).all()
        for r in candidates:
            if search_matches(text, r.code, [r.description, r.text]):
                matched.setdefault((r.round_id, r.body_id), []).append(r.id)
        counts = {key: len(ids) for key, ids in matched.items()}
    elif conditions:
        counts = {
            (r.round_id, r.body_id): int(r.n)
            for r in db.session.execute(
                _rows(Entry.round_id, Entry.body_id, func.count().label("n"))
                .where(_of_groups(groups, every=True), *conditions)
                .group_by(Entry.round_id, Entry.body_id)
            )
        }
    else:
        counts = {g.key: g.total for g in groups}
    total = sum(counts.values())
    page = min(max(1, page), max(1, -(-total // per_page)))
    offset = (page - 1) * per_page
    window: list[TaskGroup] = []  # the groups the page shows part of, and where the first starts
    start = first_start = 0
    for g in groups:
        n = counts.get(g.key, 0)
        if n and start + n > offset and start < offset + per_page:
            if not window:
                first_start = start
            window.append(g)
        start += n
    if not window:
        return total, page
    if text:
        wanted = [i for g in groups for i in matched.get(g.key, [])][offset : offset + per_page]
        position = {entry_id: i for i, entry_id in enumerate(wanted)}
        rows = sorted(
            db.session.execute(_rows(*ROW_COLUMNS).where(Entry.id.in_(wanted))).all(),
            key=lambda r: position[r.id],
        )
    else:
        in_group = [and_(Entry.round_id == g.round_id, Entry.body_id == g.body_id) for g in window]
        rank = case(*((condition, i) for i, condition in enumerate(in_group)), else_=len(window))
        rows = db.session.execute(
            _rows(*ROW_COLUMNS)
            .where(_of_groups(window), *conditions)
            .order_by(rank, *_in_group_order())
            .limit(per_page)
            .offset(offset - first_start)
        ).all()
    by_key = {g.key: g for g in window}
    for row in rows:
        by_key[(row.round_id, row.body_id)].shown.append(row)
    return total, page


def next_open_task(user: User, after: Entry, today: date, cache: SummaryCache | None = None) -> Entry | None:
    """The next entry ``user`` still owes (not started, draft, returned) in the order of „Moje
    úkoly“: the first one listed after ``after``, else the first one; ``None`` when nothing is owed.

    Three statements when the summaries are cached (the open rounds, the ids of the owed entries
    of the groups that owe any, the entry), whatever the number of groups."""
    from workflow import permissions

    own_group = (after.round_id, after.body_id)
    groups = [
        g for g in task_list(permissions.acting_body_ids(user, today), cache).groups
        if g.owed or g.key == own_group  # ``after``'s group gives its place in the list
    ]
    if not any(g.owed for g in groups):
        return None
    owed_states = [s.value for s in OPEN_STATES]
    rows = db.session.execute(
        _rows(Entry.id, Entry.round_id, Entry.body_id, Entry.state)
        .where(_of_groups(groups), or_(Entry.state.in_(owed_states), Entry.id == after.id))
        .order_by(*_in_group_order())
    ).all()
    per_group: dict[tuple[int, int], list[Any]] = {}
    for r in rows:
        per_group.setdefault((r.round_id, r.body_id), []).append(r)
    ordered = [r for g in groups for r in per_group.get(g.key, [])]
    here = next((i for i, r in enumerate(ordered) if r.id == after.id), -1)
    owed = [(i, r.id) for i, r in enumerate(ordered) if r.state in owed_states and r.id != after.id]
    if not owed:
        return None
    return db.session.get(Entry, next((i for n, i in owed if n > here), owed[0][1]))
