"""The one rule naming a plan's top level (workflow.level_labels): the region's „Okruh“ gets its
own words („OKRUH OPATŘENÍ“, „Podle okruhů“), any other name the generic form („PRIORITNÍ OBLAST“,
„Podle úrovně „Prioritní oblast““), a flat plan none — and every place that names the top level
(the report's headings in HTML, DOCX and PDF, the dashboard, the statistics with their SVG chart)
prints what the rule says, for a plan imported as a user would."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from docx import Document
from flask import g, render_template_string
from i18n_support import in_language
from import_helpers import bodies, csv_bytes  # noqa: F401
from pypdf import PdfReader
from report_fixtures import plain
from support import login

from devdata.world import opened_round
from web.extensions import db
from workflow.exports import render
from workflow.exports.charts import statistics_charts
from workflow.importing import ImportOptions, commit_import
from workflow.level_labels import REGION_TOP_LEVEL, czech_top_level_labels, top_level_labels, top_level_name
from workflow.report import build_report
from workflow.states import Role

# ---------------------------------------------------------------------------------- the rule


def test_the_okruh_and_any_other_name_get_their_labels_from_one_rule():
    """No app context here: gettext returns the Czech source strings."""
    okruh = top_level_labels("Okruh")
    assert (okruh.heading, okruh.by_level, okruh.column) == ("OKRUH OPATŘENÍ", "Podle okruhů", "Okruh")
    assert okruh.by_level_caption == "Počty záznamů podle stavu a okruhu"
    assert okruh.statistics_title == "Aktivity podle stavu plnění a okruhu"
    assert okruh.statistics_caption == "Počty aktivit podle stavu plnění v okruzích"
    assert okruh.chart_title == "Aktivity podle stavu plnění v okruzích"
    assert okruh.paging_note(2, 5) == (
        "Zpráva je rozdělená po okruzích (strana 2 z 5); tisk a exporty obsahují celou zprávu."
    )

    other = top_level_labels("Prioritní oblast")
    assert (other.heading, other.by_level, other.column) == (
        "PRIORITNÍ OBLAST",
        "Podle úrovně „Prioritní oblast“",
        "Prioritní oblast",
    )
    assert other.by_level_caption == "Počty záznamů podle stavu a úrovně „Prioritní oblast“"
    assert (
        other.statistics_title
        == other.chart_title
        == "Aktivity podle stavu plnění a úrovně „Prioritní oblast“"
    )
    assert other.statistics_caption == "Počty aktivit podle stavu plnění a úrovně „Prioritní oblast“"
    assert other.paging_note(1, 3) == (
        "Zpráva je rozdělená podle úrovně „Prioritní oblast“ (strana 1 z 3); tisk a exporty obsahují celou "
        "zprávu."
    )
    assert (
        top_level_labels("Oblast 100%")
        .paging_note(1, 2)
        .startswith("Zpráva je rozdělená podle úrovně „Oblast 100%“")
    )

    # the name is compared as written: only the region's „Okruh“ has words of its own
    assert top_level_labels("okruh").heading == "OKRUH"
    assert top_level_labels("Okruh opatření").by_level == "Podle úrovně „Okruh opatření“"

    flat = top_level_labels("")
    assert (flat.heading, flat.column, flat.statistics_title) == ("", "Plán", "Aktivity podle stavu plnění")
    assert flat.paging_note(1, 2).startswith("Zpráva je rozdělená na strany (strana 1 z 2)")

    # a document that does not say (statistics and snapshots from before plans had level names)
    assert top_level_labels(None) == okruh


def test_the_top_level_name_of_a_plans_level_names():
    assert top_level_name(["Okruh", "Cíl", "Aktivita"]) == REGION_TOP_LEVEL
    assert top_level_name(["Prioritní oblast", "Opatření", "Aktivita"]) == "Prioritní oblast"
    assert top_level_name(["Aktivita"]) == ""
    assert top_level_name(None) == top_level_name([]) == REGION_TOP_LEVEL


def test_the_ui_labels_follow_the_locale_and_the_reports_stay_czech(app):
    with in_language(app, "en"):
        assert (top_level_labels("Okruh").heading, top_level_labels("Okruh").by_level) == (
            "AREA OF MEASURES",
            "By area",
        )
        other = top_level_labels("Prioritní oblast")
        assert (other.heading, other.by_level) == ("PRIORITNÍ OBLAST", "By level “Prioritní oblast”")
        assert czech_top_level_labels("Okruh").by_level == "Podle okruhů"
        assert czech_top_level_labels("Prioritní oblast").statistics_title == (
            "Aktivity podle stavu plnění a úrovně „Prioritní oblast“"
        )
        assert top_level_labels("Okruh").by_level == "By area"  # the Czech labels left the locale alone
    with in_language(app, "cs"):
        assert top_level_labels("Okruh") == czech_top_level_labels("Okruh")
        # plain strings, escaped as any text: a level name is the secretary's
        shown = render_template_string("{{ top_level_labels(name).by_level }}", name="<b>Oblast</b>")
        assert shown == "Podle úrovně „&lt;b&gt;Oblast&lt;/b&gt;“"


# ------------------------------------------------------------------------- a plan of another name

#: A plan whose top level is „Prioritní oblast“ (above „Opatření“ and the activity).
PRIORITY_PLAN = [
    ["Prioritní oblast", "Opatření", "Kód", "Aktivita", "Gestor"],
    ["1 – Dostupné bydlení", "1.1 Sociální byty", "1.1.1", "pasport sociálních bytů", "OSV"],
    ["1 – Dostupné bydlení", "1.1 Sociální byty", "1.1.2", "prostupné bydlení", "OSV"],
    ["2 – Zaměstnanost", "2.1 Sociální podniky", "2.1.1", "podpora sociálních podniků", "OSV"],
]
PRIORITY_LEVELS = ["Prioritní oblast", "Opatření", "Aktivita"]
PRIORITY_HEADINGS = ["PRIORITNÍ OBLAST 1: Dostupné bydlení", "PRIORITNÍ OBLAST 2: Zaměstnanost"]


@pytest.fixture
def secretary(make_user):  # type: ignore[no-untyped-def]
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


@pytest.fixture
def priority_round(app, bodies, secretary):  # noqa: F811
    mapping = {"Prioritní oblast": "1. úroveň", "Opatření": "2. úroveň", "Aktivita": "Popis aktivity"}
    options = ImportOptions(title="Akční plán města", period="2026–2027", level_names=PRIORITY_LEVELS)
    with app.test_request_context("/"):
        result = commit_import(csv_bytes(PRIORITY_PLAN), "mesto.csv", mapping=mapping, options=options)
        db.session.commit()
        assert result.plan.level_names == PRIORITY_LEVELS
        return opened_round(result.plan.id, secretary, year=2026)


@pytest.fixture
def okruh_round(app, real_plan, secretary):
    with app.test_request_context("/"):
        return opened_round(real_plan.id, secretary, year=2026)


def _page(client, user, url: str) -> str:
    login(client, user)
    g.pop("_flask_babel", None)  # the test's app context would keep the first request's locale
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_plan_of_another_top_level_gets_the_generic_headings_in_every_format(priority_round, app):
    with app.test_request_context("/"):
        content = build_report(priority_round, sections=("report", "statistics"))
        assert [block.heading for block in content.blocks] == PRIORITY_HEADINGS
        html = render(content, "html").decode("utf-8")
        docx = Document(io.BytesIO(render(content, "docx")))
        pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render(content, "pdf"))).pages)
    h2 = [
        plain(unescape(re.sub(r"<[^>]+>", "", t)))
        for t in re.findall(r'<h2 id="okruh-[^"]*"[^>]*>(.*?)</h2>', html)
    ]
    assert h2 == PRIORITY_HEADINGS
    headings = [plain(p.text) for p in docx.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:2] == PRIORITY_HEADINGS
    pdf = plain(pdf)
    assert all(heading in pdf for heading in PRIORITY_HEADINGS)
    for text in (html, " ".join(headings), pdf):
        assert "OKRUH" not in text
    statistics = "Aktivity podle stavu plnění a úrovně „Prioritní oblast“"
    assert statistics in html and statistics in [plain(p.text) for p in docx.paragraphs] and statistics in pdf


def test_the_dashboard_and_the_statistics_name_the_plans_own_level(
    priority_round, client, secretary, make_user
):
    dashboard = unescape(_page(client, secretary, f"/kola/{priority_round.id}"))
    [by_level] = re.findall(r'<section aria-labelledby="podle-okruhu".*?</section>', dashboard, re.S)
    assert '<h2 class="h5" id="podle-okruhu">Podle úrovně „Prioritní oblast“</h2>' in by_level
    assert '<th scope="col">Prioritní oblast</th>' in by_level
    assert "Počty záznamů podle stavu a úrovně „Prioritní oblast“" in by_level
    assert "okruh" not in by_level.replace('"podle-okruhu"', "")  # the section's id stays

    statistics = unescape(_page(client, secretary, f"/kola/{priority_round.id}/statistika"))
    assert "Aktivity podle stavu plnění a úrovně „Prioritní oblast“" in statistics
    assert "Počty aktivit podle stavu plnění a úrovně „Prioritní oblast“" in statistics
    # the chart's SVG says the plan's level too (it said „v okruzích“ for every plan)
    [chart] = re.findall(r'<svg[^>]*aria-labelledby="graf-okruhy-t[^>]*>.*?</svg>', statistics, re.S)
    assert (
        '<title id="graf-okruhy-t">Aktivity podle stavu plnění a úrovně „Prioritní oblast“</title>' in chart
    )
    assert "okruh" not in chart.replace("graf-okruhy", "")

    client.post("/odhlaseni")
    english = unescape(
        _page(
            client,
            make_user("en@kraj-lbc.cz", roles=[Role.secretary], locale="en"),
            f"/kola/{priority_round.id}",
        )
    )
    assert "By level “Prioritní oblast”" in english and "By area" not in english


def test_the_report_page_pager_names_the_plans_level(priority_round, client, secretary):
    report = unescape(_page(client, secretary, f"/kola/{priority_round.id}/zprava"))
    assert "Zpráva je rozdělená podle úrovně „Prioritní oblast“ (strana 1 z 2)" in report
    assert "PRIORITNÍ OBLAST 1: Dostupné bydlení" in plain(report)


def test_the_okruh_keeps_the_regions_words_everywhere(okruh_round, client, secretary):
    dashboard = unescape(_page(client, secretary, f"/kola/{okruh_round.id}"))
    assert "Podle okruhů" in dashboard and '<th scope="col">Okruh</th>' in dashboard
    assert "Počty záznamů podle stavu a okruhu" in dashboard and "Podle úrovně" not in dashboard

    statistics = unescape(_page(client, secretary, f"/kola/{okruh_round.id}/statistika"))
    assert "Aktivity podle stavu plnění a okruhu" in statistics
    assert '<title id="graf-okruhy-t">Aktivity podle stavu plnění v okruzích</title>' in statistics
    assert "úrovně" not in statistics

    report = plain(unescape(_page(client, secretary, f"/kola/{okruh_round.id}/zprava")))
    assert "OKRUH OPATŘENÍ A: Systémová opatření" in report and "Zpráva je rozdělená po okruzích" in report


def test_statistics_from_before_level_names_are_the_okruh():
    """A snapshot's statistics without ``area_level`` (before issue 14) chart „v okruzích“."""
    stats = {
        "statuses": ["done"],
        "titles": {"done": "Splněno"},
        "by_area": [{"code": "A", "title": "Systémová opatření", "counts": {"done": 1}, "total": 1}],
        "by_body": [],
        "on_time": [],
    }
    assert "Aktivity podle stavu plnění v okruzích</title>" in statistics_charts(stats)["by_area"]
    stats["area_level"] = "Prioritní oblast"
    assert (
        "Aktivity podle stavu plnění a úrovně „Prioritní oblast“</title>"
        in statistics_charts(stats)["by_area"]
    )
