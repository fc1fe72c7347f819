"""The round dashboard's fragment cache (issue 17): keyed by the round's change counter, which every
transaction that changes the round or its entries bumps once before it commits. After every kind
of change the cached page equals a freshly rendered one, and an unchanged round is served from
the cache without the dashboard's queries."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from round_fixtures import entry_of, login
from sqlalchemy import select
from support import count_statements

from web.extensions import cache, db
from workflow import closing, publishing
from workflow.models import DeadlineExtension, Entry, ReportingRound
from workflow.rounds import reopen_round


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302


def _dashboard(client, round_id: int) -> str:
    """The secretary's cached parts of the round page: the dashboard, the requests for a later
    deadline and the round's history."""
    page = unescape(client.get(f"/kola/{round_id}").get_data(as_text=True))
    start, end = page.index('id="souhrn"'), page.index("</main>")
    return page[start:end]


def _fresh(client, round_id: int) -> str:
    cache.clear()
    return _dashboard(client, round_id)


def _summary(html: str) -> list[int]:
    """The five state counts of the „Souhrn“ tiles, in state order."""
    return [int(n) for n in re.findall(r'<div class="h4 mb-0">(\d+)</div>', html)[:5]]


def _counter(round_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(ReportingRound.change_counter).where(ReportingRound.id == round_id))


def _version(entry_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Entry, entry_id).version


def test_every_change_of_the_round_shows_on_the_dashboard_at_once(client, opened, people):
    secretary = people.secretary
    _as(client, secretary)
    before = _dashboard(client, opened.id)
    assert _dashboard(client, opened.id) == before  # second request: from the cache
    counter = _counter(opened.id)
    entry = entry_of(opened, "A1.2", "ORREP")
    steps = []

    def step(name, user, action):
        nonlocal before, counter
        _as(client, user)
        action()
        now = _counter(opened.id)
        assert now == counter + 1, f"{name}: the counter moved by {now - counter}"
        counter = now
        _as(client, secretary)
        shown = _dashboard(client, opened.id)
        assert shown == _fresh(client, opened.id), f"{name}: the cached dashboard is stale"
        steps.append((name, _summary(shown)))
        before = shown

    step("save", people.orrep, lambda: client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": entry.version, "fulfilment_status": "partial", "text": "Dvě.", "action": "save"},
    ))
    step("submit", people.orrep, lambda: client.post(
        f"/zaznamy/{entry.id}/akce/submit", data={"version": _version(entry.id)}
    ))
    step("return", people.reviewer, lambda: client.post(
        f"/zaznamy/{entry.id}/akce/send_back", data={"version": _version(entry.id), "comment": "Doplňte."}
    ))
    step("resubmit", people.orrep, lambda: client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": _version(entry.id), "fulfilment_status": "partial", "text": "Dvě setkání, 40 lidí.",
              "action": "submit"},
    ))
    step("approve", people.reviewer, lambda: client.post(
        f"/zaznamy/{entry.id}/akce/approve", data={"version": _version(entry.id)}
    ))
    step("reopen", secretary, lambda: client.post(
        f"/zaznamy/{entry.id}/akce/reopen", data={"version": _version(entry.id), "comment": "Oprava čísla."}
    ))
    osv = entry_of(opened, "A1.1", "OSV")
    step("extension requested", people.osv, lambda: client.post(
        f"/kola/{opened.id}/prodlouzeni",
        data={"body_id": osv.body_id, "reason": "Čekáme na data.", "requested_until": "2099-03-20"},
    ))
    step("extension granted", secretary, lambda: client.post(
        f"/kola/{opened.id}/prodlouzeni/{db.session.scalar(select(DeadlineExtension.id))}",
        data={"decision": "grant", "granted_until": "2099-03-20"},
    ))
    states = dict(steps)
    # not started, draft, submitted, returned, approved
    assert states["save"][1] >= 1 and states["submit"][2] >= 1 and states["return"][3] == 1
    assert states["approve"][4] == 1 and states["reopen"][4] == 0


def test_round_transitions_and_dates_change_the_dashboard(client, opened, people):
    _as(client, people.secretary)
    first = _dashboard(client, opened.id)
    counter = _counter(opened.id)
    opened.submission_deadline, opened.review_deadline = date(2020, 1, 31), date(2020, 2, 28)
    db.session.commit()
    assert _counter(opened.id) == counter + 1
    moved = _dashboard(client, opened.id)
    assert moved != first and "Subjekty po termínu" in moved  # every deadline is now past
    assert moved == _fresh(client, opened.id)

    closing.waive_remaining(opened, people.secretary, "Nikdo neodpověděl.")
    closing.fill_missing_texts(opened, people.secretary, "Nevykázáno.")
    closing.close_with_snapshot(opened, people.secretary)
    db.session.commit()
    assert _counter(opened.id) == counter + 2  # one bump per transaction, however many rows
    closed = _dashboard(client, opened.id)
    assert closed == _fresh(client, opened.id)
    # publishing the report adds only a line to the round's history: that too is a change
    publishing.publish(opened, people.secretary)
    db.session.commit()
    assert _counter(opened.id) == counter + 3
    published = _dashboard(client, opened.id)
    assert published != closed and "zpráva zveřejněna" in published
    assert published == _fresh(client, opened.id)
    reopen_round(opened, people.admin, reason="OSV doplní přílohu")
    db.session.commit()
    assert _counter(opened.id) == counter + 4
    assert _dashboard(client, opened.id) == _fresh(client, opened.id)


def test_a_rolled_back_change_and_a_read_leave_the_counter(client, opened, people):
    counter = _counter(opened.id)
    entry = entry_of(opened, "A1.1", "OSV")
    entry.text = "Neuloženo."
    db.session.flush()
    db.session.rollback()
    assert _counter(opened.id) == counter
    _as(client, people.osv)
    assert client.get(f"/zaznamy/{entry.id}").status_code == 200
    assert client.get("/moje-ukoly").status_code == 200
    assert _counter(opened.id) == counter


def test_a_cached_dashboard_skips_its_queries(client, opened, people):
    _as(client, people.secretary)
    cache.clear()
    with count_statements() as cold:
        client.get(f"/kola/{opened.id}")
    db.session.remove()  # an empty identity map, as every request in production
    with count_statements() as warm:
        client.get(f"/kola/{opened.id}")
    assert len([s for s in cold if "FROM entries" in s]) == 3  # round_dashboard: total, per body, per area
    assert not [s for s in warm if "GROUP BY" in s or "FROM entries" in s]
    # the frame (issue 17): the user with their roles and deputyships of today (one
    # statement; were four), the round; the requests for a later deadline and the round's log come
    # with the dashboard from the cache (were two statements)
    assert len(warm) == 2, warm
    assert not [s for s in warm if s.lstrip().startswith(("SELECT role_assignments", "SELECT deputies"))]
    assert not [s for s in warm if "FROM deadline_extensions" in s or "FROM round_events" in s]


def test_the_dashboard_key_has_the_day_the_counts_depend_on(client, opened, people, monkeypatch):
    _as(client, people.secretary)
    today = _dashboard(client, opened.id)
    assert "Subjekty po termínu" not in today
    from workflow import clock

    monkeypatch.setattr(clock, "today", lambda: date(2099, 12, 31))
    later = _dashboard(client, opened.id)
    assert "Subjekty po termínu" in later
