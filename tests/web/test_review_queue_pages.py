"""The review queue's pages (issue 17): the count and the page come from one statement; the pages
list every entry of the filtered queue once, in the queue's order; a page past the end shows the
last page; a filter matching nothing shows the empty state."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from support import TEST_PASSWORD, count_statements, login

from devdata.largedata import generate, scaled
from devdata.world import TODAY
from web.extensions import cache, db
from web.views.review import QUEUE_PAGE_SIZE
from workflow.dashboards import QueueFilter, review_queue_ids
from workflow.models import User

PRAGUE = ZoneInfo("Europe/Prague")


def _listed(client: FlaskClient, url: str) -> tuple[list[int], str]:
    page = client.get(url).get_data(as_text=True)
    return [int(i) for i in re.findall(r'href="/kontrola/(\d+)\?', page)], page


def test_queue_pages_list_every_entry_once_in_order_from_one_statement(app: Flask) -> None:
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=PRAGUE), tick=True):
        generated = generate(scaled(80), today=TODAY, password=TEST_PASSWORD)
        db.session.commit()
        round_id = generated.open_round_id
        reviewer = db.session.get(User, generated.user_ids["reviewer"])
        everything = QueueFilter(round_id=round_id, state="all")
        expected = review_queue_ids(reviewer, everything, TODAY, limit=10_000)
        pages = -(-len(expected) // QUEUE_PAGE_SIZE)
        assert pages >= 3, len(expected)  # a first, a middle and a last page
        client = app.test_client()
        assert login(client, reviewer).status_code == 302
        base = f"/kontrola?round={round_id}&state=all"

        listed = [i for n in range(1, pages + 1) for i in _listed(client, f"{base}&strana={n}")[0]]
        assert listed == expected
        last, _ = _listed(client, f"{base}&strana={pages}")
        past, page = _listed(client, f"{base}&strana={pages + 7}")
        assert past == last and len(last) == len(expected) - (pages - 1) * QUEUE_PAGE_SIZE
        assert f"Nalezeno záznamů: {len(expected)}<" in page
        assert f'aria-current="page">{pages}<' in page

        nothing, page = _listed(client, f"{base}&q=zadna-takova-aktivita")
        assert nothing == [] and "Nic ke kontrole" in page and "Nalezeno záznamů" not in page

        cache.clear()  # rendered anew (the pages above are cached: tests/web/test_review_queue_cache.py)
        for reads in (1, 0):  # the count and the page in one statement; then from the page cache
            db.session.remove()
            with count_statements() as statements:
                response = client.get(f"{base}&strana=2")
            assert response.status_code == 200
            entry_reads = [s for s in statements if "FROM entries" in s]
            assert len(entry_reads) == reads, entry_reads
