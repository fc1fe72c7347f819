"""„Moje úkoly“ is paged (issue 17): a contributor of bodies with 1,500 entries in the open round
gets the same statements per page as one with 40, and a page of :data:`TASKS_PAGE_SIZE` rows; the
page reads only the entries of its groups (the groups' figures come from the cached round
summaries), and its pages, with and without filters, list every entry once in the list's order."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from factories import make_user
from flask import Flask
from sqlalchemy import func, select
from support import TEST_PASSWORD, count_statements, login

from devdata.largedata import generate, scaled
from devdata.world import TODAY
from web.extensions import db
from web.views.tasks import TASKS_PAGE_SIZE
from workflow.dashboards import OPEN_STATES, effective_deadline
from workflow.models import Activity, Body, Entry, ReportingRound, User
from workflow.states import Role, RoundState
from workflow.text import czech_sort_key

PRAGUE = ZoneInfo("Europe/Prague")


def _bodies_with(at_least: int) -> tuple[list[Body], int]:
    """Bodies (fewest first) whose entries in open rounds add up to ``at_least`` or more, and the sum."""
    per_body = db.session.execute(
        select(Entry.body_id, func.count())
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(ReportingRound.state == RoundState.open)
        .group_by(Entry.body_id)
        .order_by(func.count(), Entry.body_id)
    ).all()
    picked, total = [], 0
    for body_id, n in per_body:
        if total >= at_least:
            break
        picked.append(db.session.get(Body, body_id))
        total += n
    assert total >= at_least, f"the world has {total} entries in open rounds"
    return picked, total


def _page(app: Flask, email: str, url: str, *, cached: bool = False) -> tuple[list[str], str]:
    """The statements of one GET of ``url`` as ``email`` and the page. Warmed first with another
    query string: the first request of a session may load more (e.g. the locale), and the rounds'
    summaries are then cached, but not this page's rendered groups (``cached``: also warmed with
    ``url`` itself, so the groups come from the page cache)."""
    client = app.test_client()
    db.session.remove()
    user = db.session.scalar(select(User).where(User.email == email))
    assert login(client, user).status_code == 302
    client.get(url + ("&" if "?" in url else "?") + "warm=1")
    if cached:
        client.get(url)
    db.session.remove()  # an empty identity map per request, as in production
    with count_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def _expected_order(body_ids: list[int], state: str = "") -> list[int]:
    """The entries of the bodies ``body_ids`` in open rounds in the order of „Moje úkoly“, computed here from
    every entry: groups (round × body) by their nearest owed deadline, body (Czech order) and
    round; within a group by deadline (none last), plan order and id."""
    rows = db.session.execute(
        select(Entry.id, Entry.round_id, Entry.body_id, Entry.state, effective_deadline().label("due"),
               Activity.sort_key, Body.abbreviation)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Activity, Activity.id == Entry.activity_id)
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.body_id.in_(body_ids), ReportingRound.state == RoundState.open)
    ).all()
    groups: dict[tuple[int, int], list] = {}
    for r in rows:
        groups.setdefault((r.round_id, r.body_id), []).append(r)

    def group_key(key):
        owed = [r.due for r in groups[key] if r.state in OPEN_STATES and r.due]
        return (min(owed) if owed else date.max, czech_sort_key(groups[key][0].abbreviation), key[0])

    ordered = []
    for key in sorted(groups, key=group_key):
        ordered += sorted(groups[key], key=lambda r: (r.due is None, r.due or date.min, r.sort_key, r.id))
    return [r.id for r in ordered if not state or r.state == state]


def _listed(client, url: str) -> list[int]:
    page = client.get(url).get_data(as_text=True)
    return [int(i) for i in re.findall(r'href="/zaznamy/(\d+)(?:/upravit)?"', page)]


def test_moje_ukoly_costs_the_same_per_page_for_40_and_1500_entries(app: Flask) -> None:
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=PRAGUE), tick=True):
        generate(scaled(1000), today=TODAY, password=TEST_PASSWORD)
        few_bodies, few = _bodies_with(40)
        many_bodies, many = _bodies_with(1500)
        make_user("malo@kraj-lbc.cz", roles=[Role.contributor], bodies=few_bodies)
        make_user("mnoho@kraj-lbc.cz", roles=[Role.contributor], bodies=many_bodies)
        db.session.commit()
        many_ids = [b.id for b in many_bodies]
        for query in ("?strana=2", "?q=aktivita", "?state=draft", ""):  # the plain page last
            small, _ = _page(app, "malo@kraj-lbc.cz", "/moje-ukoly" + query)
            large, page = _page(app, "mnoho@kraj-lbc.cz", "/moje-ukoly" + query)
            assert len(small) == len(large), (query, small, large)
        entry_reads = [s for s in large if "FROM entries" in s]
        assert len(entry_reads) == 1 and "GROUP BY" not in entry_reads[0], entry_reads  # the page only
        # the same page again: its groups from the page cache, no entry read at all, the same HTML
        hit, cached_page = _page(app, "mnoho@kraj-lbc.cz", "/moje-ukoly", cached=True)
        assert len(hit) == len(large) - 1 and not [s for s in hit if "FROM entries" in s], hit
        token = re.compile(r'(csrf[-_]token"[^>]*(?:content|value)=")[^"]+')  # per session
        assert token.sub(r"\1", cached_page) == token.sub(r"\1", page)
        client = app.test_client()
        mnoho = db.session.scalar(select(User).where(User.email == "mnoho@kraj-lbc.cz"))
        assert login(client, mnoho).status_code == 302
        for state in ("", "draft"):
            expected = _expected_order(many_ids, state)
            pages = -(-len(expected) // TASKS_PAGE_SIZE)
            urls = [f"/moje-ukoly?state={state}&strana={n}" for n in range(1, pages + 1)]
            listed = [i for url in urls for i in _listed(client, url)]
            assert listed == expected, state
    assert len(re.findall(r'class="activity-code"', page)) == TASKS_PAGE_SIZE
    assert f"Nalezeno záznamů: {many}<" in page
    last = -(-many // TASKS_PAGE_SIZE)
    assert f"strana={last}" in page and f"strana={last + 1}" not in page
    assert len(many_bodies) > len(few_bodies) and few >= 40 and many >= 1500
