"""„Moje úkoly“'s cached pages (issue 17): the groups of a page and their entries are rendered once
and then read from the page cache (web.views.tasks._groups) until something they show can have
changed — an entry of an open round, the user's bodies or deputyships, the filters, the day (the
countdowns), the locale; a user with other bodies never gets another user's page."""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import time_machine
from flask_babel import refresh
from round_fixtures import entry_of, login
from support import count_statements

from web.extensions import db
from workflow.accounts.deputies import add_deputy
from workflow.models import Entry

PRAGUE = ZoneInfo("Europe/Prague")
URL = "/moje-ukoly"


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302


def _page(client, url: str = URL) -> str:
    return unescape(client.get(url).get_data(as_text=True))


def _rows(page: str) -> dict[str, str]:
    """``{"A1.1": "Nezahájeno", …}``: the state badge of every row of the page."""
    row = r'activity-code">([^<]+)</span>.*?<td><span class="badge [^"]*">([^<]+)</span>'
    return dict(re.findall(row, page, re.S))


def _entry_reads(client, url: str = URL) -> int:
    db.session.expire_all()
    with count_statements() as statements:
        assert client.get(url).status_code == 200
    return sum("FROM entries" in s for s in statements)


def test_a_cached_tasks_page_shows_every_change_and_only_to_its_user(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    with time_machine.travel(datetime(2026, 2, 2, 10, 0, tzinfo=PRAGUE), tick=False):
        _as(client, people.osv)
        first = _page(client)
        assert _rows(first)["A1.1"] == "Nezahájeno" and "OŠMTS" not in first
        countdown = re.search(r"zbývá (\d+) dní", first)
        assert countdown
        assert _entry_reads(client) == 0  # the second time from the cache
        # a change of one of the user's entries: the next page is rendered anew and shows it
        client.post(
            f"/zaznamy/{entry.id}/upravit",
            data={"version": entry.version, "fulfilment_status": "done", "text": "Hotovo.", "action": "save"},
        )
        db.session.expire_all()
        assert db.session.get(Entry, entry.id).state == "draft"
        assert _entry_reads(client) == 2  # the round's summary and the page, both anew
        assert _rows(_page(client))["A1.1"] == "Rozpracováno"
        # filters have pages of their own
        assert set(_rows(_page(client, URL + "?state=draft"))) == {"A1.1"}
        assert len(_rows(_page(client))) > 1
        # a deputyship from today: the principal's body's group appears on the next page, marked
        add_deputy(people.osmts, people.osv, date(2026, 2, 2), date(2026, 2, 20), actor=people.osmts)
        db.session.commit()
        page = _page(client)
        assert "OŠMTS" in page and "zastupujete" in page
        # another contributor gets the page of their own bodies, never this one
        _as(client, people.orrep)
        theirs = _page(client)
        assert "A1.1" not in _rows(theirs) and "zastupujete" not in theirs
    with time_machine.travel(datetime(2026, 2, 3, 10, 0, tzinfo=PRAGUE), tick=False):
        # the next day: the same data, the countdown one day shorter
        _as(client, people.osv)
        assert f"zbývá {int(countdown.group(1)) - 1} dn" in _page(client)
        # the English page is a page of its own
        token = re.search(r'name="csrf_token" value="([^"]+)"', _page(client)).group(1)
        assert client.post("/lang", data={"lang": "en", "csrf_token": token}).status_code == 302
        refresh()  # the test's app context keeps the locale Flask-Babel picked (a browser's would not)
        english = _page(client)
        assert "My tasks" in english and _rows(english)["A1.1"] not in ("Rozpracováno", "")
