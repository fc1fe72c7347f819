"""The report page paged on screen by area (issue 17): every activity on exactly one page, a large
area cut between its goals, ``?aktivita=`` finds its page, the print view and the exports whole,
the live report paged too, a closed round's pages served as the cached bytes."""

from __future__ import annotations

import re

import pytest
import report_fixtures as fixtures
from report_fixtures import imported_round
from support import login

from web.extensions import cache
from web.views.reports.report import PAGE_ROWS, _cached_bytes, paginate
from workflow.report import Assessment, ReportBlock, ReportContent, ReportRow, build_report
from workflow.states import Role

ctx, opened, people = fixtures.ctx, fixtures.opened, fixtures.people


@pytest.fixture
def commission_client(client, make_user, real_plan):
    login(client, make_user("komise@kraj-lbc.cz", roles=[Role.commission]))
    return client


def _codes(html: str) -> list[str]:
    return re.findall(r'<tr id="aktivita-([^"]+)"', html)


def _pages(html: str) -> int:
    return max([int(n) for n in re.findall(r"zprava\?strana=(\d+)", html)] or [1])


def test_every_activity_is_on_exactly_one_page_in_plan_order(commission_client):
    round_ = imported_round()
    whole = build_report(round_)
    first = commission_client.get(f"/kola/{round_.id}/zprava").get_data(as_text=True)
    pages = _pages(first)
    assert pages == len(whole.blocks) > 1  # the real plan's areas are small: one page each
    seen = []
    for page in range(1, pages + 1):
        html = commission_client.get(f"/kola/{round_.id}/zprava?strana={page}").get_data(as_text=True)
        area = whole.blocks[page - 1]
        assert f"OKRUH OPATŘENÍ {area.code}:" in html
        assert html.count("OKRUH OPATŘENÍ ") == 1 and "SEZNAM ZKRATEK" in html
        assert 'aria-current="page"' in html and f'strana={page}" title=' in html
        seen += _codes(html)
    assert seen == [row.code for row in whole.rows]
    for bad in ("0", str(pages + 1), "x"):
        assert commission_client.get(f"/kola/{round_.id}/zprava?strana={bad}").status_code == 404


def test_an_activity_code_opens_its_page_and_the_print_view_stays_whole(commission_client):
    round_ = imported_round()
    whole = build_report(round_)
    last = whole.blocks[-1].children[0].rows[0].code
    html = commission_client.get(f"/kola/{round_.id}/zprava?aktivita={last}").get_data(as_text=True)
    assert last in _codes(html) and f"OKRUH OPATŘENÍ {whole.blocks[-1].code}:" in html
    printed = commission_client.get(f"/kola/{round_.id}/zprava.html").get_data(as_text=True)
    assert len(_codes(printed)) == len(whole.rows) == 72


def test_the_live_report_of_an_open_round_is_paged(client, opened, people):
    login(client, people.secretary)
    whole = build_report(opened)
    html = client.get(f"/kola/{opened.id}/zprava?strana=2").get_data(as_text=True)
    assert "Pracovní verze" in html
    assert _codes(html) == [row.code for goal in whole.blocks[1].children for row in goal.rows]
    assert not _cached_bytes(f"report-screen:{opened.id}:None:cs:index")


def test_a_closed_rounds_pages_are_cached_as_bytes(client, opened, people):
    from web.extensions import db
    from workflow import closing
    from workflow.report import frozen_hash

    closing.waive_remaining(opened, people.secretary, "Nedodáno.")
    closing.fill_missing_texts(opened, people.secretary, "Nevykázáno.")
    closing.close_with_snapshot(opened, people.secretary)
    db.session.commit()
    base = f"report-screen:{opened.id}:{frozen_hash(opened)}:cs"
    login(client, people.secretary)
    cache.clear()
    first = client.get(f"/kola/{opened.id}/zprava?strana=2")
    pages = _pages(first.get_data(as_text=True))
    assert pages > 2
    # the first request renders and keeps every page, and the index last
    assert all(_cached_bytes(f"{base}:{k}") for k in ["index", *map(str, range(1, pages + 1))])
    again = client.get(f"/kola/{opened.id}/zprava?strana=2")
    document = _cached_bytes(f"{base}:2")
    assert document in again.data and document in first.data
    assert again.headers["Content-Length"] == str(len(again.data))
    assert again.data.replace(b"\n", b"").count(b'class="report-document') == 1


def _content(sizes: list[list[int]]) -> ReportContent:
    """A report whose areas have goals of the given numbers of rows."""
    areas = []
    for a, goals in enumerate(sizes):
        code = "ABCDEFGH"[a]
        blocks = [
            ReportBlock(
                1,
                "Cíl",
                f"{code}{g + 1}",
                f"Cíl {g + 1}",
                rows=[
                    ReportRow(i, f"{code}{g + 1}.{i}", "", "", "", "", "", "", "", "")
                    for i in range(1, n + 1)
                ],
            )
            for g, n in enumerate(goals)
        ]
        areas.append(
            ReportBlock(
                0,
                "Okruh",
                code,
                f"Okruh {code}",
                description="Úvod.",
                footnotes=[{"marker": "1", "text": "Pozn."}],
                children=blocks,
            )
        )
    return ReportContent(
        1, "Kolo", "Plán", "", "2026", None, areas, [], [], assessments=[Assessment("A1.1", "OSV", "Dobré.")]
    )


def test_a_large_area_is_cut_between_its_goals():
    content = _content([[10, 5], [40, 40, 40, 150, 30], [3]])
    pages = paginate(content)
    assert [p.label for p, _part in pages] == ["A", "B1–B2", "B3", "B4", "B5", "C"]
    sizes = [len(part.rows) for _p, part in pages]
    assert sizes == [15, 80, 40, 150, 30, 3] and sum(sizes) == len(content.rows)
    assert all(len(part.rows) <= PAGE_ROWS or len(part.blocks[0].children) == 1 for _p, part in pages)
    b_parts = [part.blocks[0] for p, part in pages if p.label.startswith("B")]
    assert b_parts[0].description == "Úvod." and b_parts[0].footnotes
    assert all(not b.description and not b.footnotes for b in b_parts[1:])
    assert [bool(part.assessments) for _p, part in pages] == [False] * 5 + [True]
    assert paginate(_content([]))[0][1].blocks == []  # a report without areas is one page
