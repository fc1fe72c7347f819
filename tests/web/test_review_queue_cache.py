"""The review queue's cached pages (issue 17): a page of the queue is rendered once and then read
from the page cache (web.views.review._queue_table) until something it shows can have changed —
an entry of any round, the day (what is overdue), the reviewer's scope, the locale; reviewers of
the same scope share it, a narrower scope never sees the wider one's page."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import time_machine
from round_fixtures import entry_of, login
from support import count_statements

from web.extensions import db
from workflow.models import Entry

PRAGUE = ZoneInfo("Europe/Prague")


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302


def _rows(client, url: str) -> dict[str, str]:
    """``{"A1.1 · OSV": "Nezahájeno", …}``: the state badge of every row of the queue page."""
    page = unescape(client.get(url).get_data(as_text=True))
    row = r'activity-code">([^<]+)</th>\s*<td>([^<]+)</td>.*?<span class="badge [^"]*">([^<]+)</span>'
    found = re.findall(row, page, re.S)
    return {f"{code} · {body}": state for code, body, state in found}


def _entry_reads(client, url: str) -> int:
    db.session.expire_all()
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return sum("FROM entries" in s for s in statements)


def test_a_cached_queue_page_shows_every_change_and_only_the_scope_it_was_made_for(client, opened, people):
    url = f"/kontrola?round={opened.id}&state=all"
    entry = entry_of(opened, "B1.1", "OSV")
    with time_machine.travel(datetime(2026, 2, 2, 10, 0, tzinfo=PRAGUE), tick=False):
        _as(client, people.reviewer)
        before = _rows(client, url)
        assert before["B1.1 · OSV"] == "Nezahájeno" and any(k.startswith("A") for k in before)
        assert _entry_reads(client, url) == 0  # the second time from the cache
        # a change of an entry: the next page is rendered anew and shows it
        _as(client, people.osv)
        client.post(
            f"/zaznamy/{entry.id}/upravit",
            data={"version": entry.version, "fulfilment_status": "done", "text": "Hotovo.", "action": "save"},
        )
        db.session.expire_all()
        assert db.session.get(Entry, entry.id).state == "draft"
        _as(client, people.reviewer)
        assert _entry_reads(client, url) == 1
        assert _rows(client, url)["B1.1 · OSV"] == "Rozpracováno"
        # a reviewer of area B only: their own page, without area A's rows
        _as(client, people.reviewer_b)
        narrow = _rows(client, url)
        assert narrow and all(k.startswith("B") for k in narrow)
        # the secretary sees the whole queue too, from a page of their own
        _as(client, people.secretary)
        assert _rows(client, url).keys() == _rows(client, url).keys() >= narrow.keys()
    late = datetime.combine(opened.submission_deadline + timedelta(days=2), time(10), PRAGUE)
    with time_machine.travel(late, tick=False):
        # two days after the deadline: the same data, another day — the owed answers are overdue
        _as(client, people.reviewer)
        assert "po termínu" in client.get(url).get_data(as_text=True)
