"""„Moje úkoly“ over two open rounds (workflow.my_tasks, issue 17): small pages walk the groups of
both rounds in the list's order — each entry once — and a page's window of groups from two rounds
reads exactly its groups' entries; the next open task follows the same order."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from round_fixtures import entry_of
from sqlalchemy import select

from devdata.world import opened_round
from web.extensions import cache, db
from workflow.dashboards import TaskFilter
from workflow.models import Activity, Body, Entry, ReportingRound
from workflow.my_tasks import next_open_task, task_list, task_page
from workflow.states import RoundState
from workflow.text import czech_sort_key


def _expected(body_ids: set[int], state: str = "") -> list[int]:
    """Every entry of ``body_ids`` in open rounds in the list's order, computed here: groups by
    nearest owed deadline (all equal here), body in Czech order, round; then deadline, plan order, id."""
    rows = db.session.execute(
        select(Entry.id, Entry.round_id, Entry.state, Activity.sort_key, Body.abbreviation)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Activity, Activity.id == Entry.activity_id)
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.body_id.in_(body_ids), ReportingRound.state == RoundState.open)
    ).all()
    rows.sort(key=lambda r: (czech_sort_key(r.abbreviation), r.round_id, r.sort_key, r.id))
    return [r.id for r in rows if not state or r.state == state]


def _pages(body_ids: set[int], filters: TaskFilter, per_page: int) -> tuple[list[int], int]:
    listed: list[int] = []
    page, total = 1, None
    while True:
        groups = task_list(body_ids, cache).groups
        total, shown = task_page(groups, filters, date(2026, 3, 2), page=page, per_page=per_page)
        if shown != page:
            return listed, total
        listed += [row.id for g in groups for row in g.shown]
        page += 1


def test_pages_over_two_open_rounds_list_every_entry_once_in_order(opened, small_plan, people):
    second = opened_round(small_plan.plan.id, people.secretary, year=2026)
    assert second.state == RoundState.open and opened.state == RoundState.open
    bodies = {b.id for b in small_plan.bodies.values()}
    expected = _expected(bodies)
    assert len(set(expected)) == len(expected) > 6
    for per_page in (1, 2, 3, 5, len(expected)):
        listed, total = _pages(bodies, TaskFilter(), per_page)
        assert total == len(expected) and listed == expected, per_page
    draft = entry_of(second, "A1.1", "OSV")
    draft.state = "draft"
    db.session.commit()
    listed, total = _pages(bodies, TaskFilter(state="draft"), 2)
    assert listed == _expected(bodies, "draft") and total == len(listed) >= 1
    listed, total = _pages(bodies, TaskFilter(query="A1.1"), 1)  # a code: counted per group in SQL
    assert total == len(listed) and set(listed) == {
        e.id for e in db.session.scalars(select(Entry).join(Activity).where(Activity.code == "A1.1"))
        if e.round_id in (opened.id, second.id)
    }


def test_the_next_open_task_follows_the_list_over_both_rounds(opened, small_plan, people):
    second = opened_round(small_plan.plan.id, people.secretary, year=2026)
    osv = small_plan.bodies["OSV"].id
    order = _expected({osv})
    assert {db.session.get(Entry, i).round_id for i in order} == {opened.id, second.id}
    def next_after(entry_id: int) -> int:
        return next_open_task(people.osv, db.session.get(Entry, entry_id), date(2026, 3, 2), cache).id

    for here, then in pairwise(order):
        assert next_after(here) == then
    assert next_after(order[-1]) == order[0]  # after the last: the first
