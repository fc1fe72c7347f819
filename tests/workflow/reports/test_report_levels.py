"""The report of plans of other shapes than the shipped one (issue 14, §1: 0 to 4 levels above the
activity): a municipality's flat list and a city strategy of three levels (strategický cíl →
specifický cíl → opatření → aktivita), imported as a user would, a round opened, and every
renderer (HTML, DOCX, PDF, CSV, XLSX), the report page and the JSON API read back: every level's
headings in order and every activity under them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from docx import Document
from import_helpers import bodies, csv_bytes, xlsx_bytes  # noqa: F401
from openpyxl import load_workbook
from pypdf import PdfReader
from report_fixtures import ctx, plain  # noqa: F401
from support import login

from devdata.world import opened_round
from web.extensions import db
from web.views.reports.report import paginate
from workflow.exports import render
from workflow.importing import ImportOptions, commit_import
from workflow.models import ReportingRound
from workflow.report import COLUMNS, DATA_EXTRA_COLUMNS, ReportBlock, ReportContent, ReportRow, build_report
from workflow.states import Role

# ------------------------------------------------------------------------------------ the plans

#: A small municipality's numbered list: no levels above the activity.
FLAT = [
    ["Č.", "Opatření", "Termín", "Zodpovědnost"],
    ["1", "Zřídit komisi pro sociální začleňování", "průběžně", "OSV"],
    ["2", "Zpracovat pasport sociálních bytů", "do 31. 12. 2026", "OSV"],
    ["3", "Informovat občany o sociálních službách", "průběžně", "OSV"],
    ["4", "Vyhodnotit plnění plánu", "průběžně", "OSV"],
]
FLAT_CODES = ["1", "2", "3", "4"]

#: A city strategy's activities under strategic goal → specific goal → measure (seed 000).
THREE_LEVELS = [
    ["Strategický cíl", "Specifický cíl", "Opatření", "Kód", "Aktivita", "Gestor"],
    ["1 – Vzdělávání, podnikání a zaměstnanost", "1.1 Uplatnitelnost absolventů",
     "1.1.1 Spolupráce škol a zaměstnavatelů", "1.1.1.1", "burza práce pro absolventy", "OSV"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast",
     "2.1.1 Podpora kapacit, dostupnosti a kvality sociálních služeb", "2.1.1.1",
     "důsledná realizace záměrů Komunitního plánu sociálních služeb", "OSV"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast",
     "2.1.1 Podpora kapacit, dostupnosti a kvality sociálních služeb", "2.1.1.2",
     "navyšování kapacity domovů pro seniory", "OSV"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast",
     "2.1.2 Podpora sociálního bydlení", "2.1.2.1",
     "analýza kapacit a kvality sociálního bydlení", "OSV"],
]  # fmt: skip
LEVEL_NAMES = ["Strategický cíl", "Specifický cíl", "Opatření", "Aktivita"]
#: The headings the report prints, in order, with their depth.
HEADINGS = [
    (0, "STRATEGICKÝ CÍL 1: Vzdělávání, podnikání a zaměstnanost"),
    (1, "1.1 Uplatnitelnost absolventů"),
    (2, "1.1.1 Spolupráce škol a zaměstnavatelů"),
    (0, "STRATEGICKÝ CÍL 2: Sociální oblast, zdravotnictví a bezpečnost"),
    (1, "2.1 Sociální oblast"),
    (2, "2.1.1 Podpora kapacit, dostupnosti a kvality sociálních služeb"),
    (2, "2.1.2 Podpora sociálního bydlení"),
]
#: Activity → the codes of its levels, in report order.
PATHS = {
    "1.1.1.1": ["1", "1.1", "1.1.1"],
    "2.1.1.1": ["2", "2.1", "2.1.1"],
    "2.1.1.2": ["2", "2.1", "2.1.1"],
    "2.1.2.1": ["2", "2.1", "2.1.2"],
}


@dataclass
class Shape:
    """A plan of one shape with its opened round."""

    round: ReportingRound
    content: ReportContent
    codes: list[str]
    headings: list[tuple[int, str]]
    level_columns: list[str]


@pytest.fixture
def secretary(make_user):  # type: ignore[no-untyped-def]
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


@pytest.fixture
def flat(app, bodies, secretary, ctx) -> Shape:  # noqa: F811
    options = ImportOptions(title="Akční plán MČ", period="2026–2027")
    result = commit_import(csv_bytes(FLAT), "mc.csv", mapping={"Opatření": "Popis aktivity"}, options=options)
    db.session.commit()
    assert result.plan.levels == 0
    round_ = opened_round(result.plan.id, secretary, year=2026)
    return Shape(round_, build_report(round_), FLAT_CODES, [], [])


@pytest.fixture
def three(app, bodies, secretary, ctx) -> Shape:  # noqa: F811
    mapping = {
        "Strategický cíl": "1. úroveň",
        "Specifický cíl": "2. úroveň",
        "Opatření": "3. úroveň",
        "Aktivita": "Popis aktivity",
    }
    options = ImportOptions(title="Strategie rozvoje SML 2021+", period="2021–2027", level_names=LEVEL_NAMES)
    result = commit_import(
        xlsx_bytes(THREE_LEVELS, sheet="Aktivity"), "sml.xlsx", mapping=mapping, options=options
    )
    db.session.commit()
    assert result.plan.levels == 3
    round_ = opened_round(result.plan.id, secretary, year=2026)
    return Shape(round_, build_report(round_), list(PATHS), HEADINGS, LEVEL_NAMES[:-1])


@pytest.fixture(params=["flat", "three"])
def shape(request, app) -> Shape:  # type: ignore[no-untyped-def]
    return request.getfixturevalue(request.param)


def _in_order(haystack: str, needles: list[str]) -> bool:
    """True when every needle is in ``haystack``, each after the one before."""
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        if found < 0:
            return False
        position = found + len(needle)
    return True


# ----------------------------------------------------------------------------- the content model


def test_the_content_has_a_block_per_node_and_every_activity(flat, three):
    assert [r.code for r in flat.content.rows] == FLAT_CODES
    [block] = flat.content.blocks
    assert (block.heading, block.children, len(block.rows)) == ("", [], 4)
    assert flat.content.level_names == ["Aktivita"]

    content = three.content
    assert [(b.depth, b.heading) for top in content.blocks for b in top.walk()] == HEADINGS
    assert [(path, row.code) for path, row in content.row_paths()] == [(p, c) for c, p in PATHS.items()]
    assert content.level_names == LEVEL_NAMES


# ------------------------------------------------------------------------------------- renderers


def test_html_prints_every_level_as_nested_headings_and_every_activity(shape):
    html = render(shape.content, "html").decode("utf-8")
    found = [
        (int(level) - 2, plain(re.sub(r"<[^>]+>", "", text)))
        for level, text in re.findall(r'<h([2-6]) id="(?:okruh|cil|uroven)-[^"]*"[^>]*>(.*?)</h\1>', html)
    ]
    assert found == shape.headings
    assert re.findall(r'<tr id="aktivita-([^"]+)"', html) == shape.codes
    if shape.headings:
        assert 'id="okruh-2"' in html and 'id="cil-2.1"' in html and 'id="uroven-2.1.2"' in html
        assert 'aria-labelledby="uroven-2.1.1"' in html  # the table of a measure
    else:
        assert html.count('<table class="report-table" aria-labelledby="report-heading">') == 1


def test_docx_has_a_heading_per_level_and_a_table_per_block_of_activities(shape):
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(render(shape.content, "docx")))
    headings, codes = [], []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            p = Paragraph(child, document)
            if p.style is not None and p.style.name.startswith("Heading"):
                headings.append((int(p.style.name.split()[-1]) - 1, plain(p.text)))
        elif child.tag.endswith("}tbl"):
            table = Table(child, document)
            if len(table.rows) and plain(table.rows[0].cells[0].text) == COLUMNS[0]:
                codes += [plain(row.cells[0].text) for row in table.rows[1:]]
    assert headings[: len(shape.headings)] == shape.headings
    assert [text for _depth, text in headings[len(shape.headings) :]] == ["SEZNAM ZKRATEK"]
    assert codes == shape.codes


def test_pdf_prints_every_level_in_order_and_every_activity(shape):
    reader = PdfReader(io.BytesIO(render(shape.content, "pdf")))
    text = plain(" ".join(page.extract_text() for page in reader.pages))
    squashed = re.sub(r"[\s\-\u00ad\u2010]", "", text)
    assert _in_order(squashed, [re.sub(r"[\s\-]", "", heading) for _depth, heading in shape.headings])
    descriptions = [row.description for row in shape.content.rows]
    assert len(descriptions) == len(shape.codes)
    assert _in_order(squashed, [re.sub(r"[\s\-]", "", d) for d in descriptions])


def test_csv_and_xlsx_have_a_column_per_level_and_a_row_per_activity(shape):
    header = [*shape.level_columns, *COLUMNS, *DATA_EXTRA_COLUMNS]
    expected = [[*PATHS.get(code, []), code] for code in shape.codes]
    width = len(shape.level_columns) + 1

    rows = list(csv.reader(io.StringIO(render(shape.content, "csv").decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == header
    assert [row[:width] for row in rows[1:]] == expected

    sheet = load_workbook(io.BytesIO(render(shape.content, "xlsx")))["Plnění"]
    values = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == header
    assert [row[:width] for row in values[1:]] == expected
    assert sheet.auto_filter.ref.endswith(str(len(expected) + 1))


# ------------------------------------------------------------------------ the page and the API


def test_the_report_page_is_paged_by_the_top_level(three, client, make_user):
    login(client, make_user("komise@kraj-lbc.cz", roles=[Role.commission]))
    url = f"/kola/{three.round.id}/zprava"
    first = client.get(url).get_data(as_text=True)
    assert "STRATEGICKÝ CÍL 1:" in first and "STRATEGICKÝ CÍL 2:" not in first
    assert re.findall(r'<tr id="aktivita-([^"]+)"', first) == ["1.1.1.1"]
    second = client.get(f"{url}?aktivita=2.1.2.1").get_data(as_text=True)
    assert "STRATEGICKÝ CÍL 2:" in second and 'aria-current="page"' in second
    assert re.findall(r'<tr id="aktivita-([^"]+)"', second) == ["2.1.1.1", "2.1.1.2", "2.1.2.1"]
    assert client.get(f"{url}?strana=3").status_code == 404


def test_the_api_exposes_the_blocks_of_every_level(three, client, make_user):
    login(client, make_user("komise@kraj-lbc.cz", roles=[Role.commission]))
    data = client.get(f"/api/v1/rounds/{three.round.id}/report").get_json()
    assert data["level_names"] == LEVEL_NAMES

    def walk(blocks):  # type: ignore[no-untyped-def]
        for block in blocks:
            yield block["depth"], block["level"], block["code"], [r["code"] for r in block["rows"]]
            yield from walk(block["children"])

    assert list(walk(data["blocks"])) == [
        (0, "Strategický cíl", "1", []),
        (1, "Specifický cíl", "1.1", []),
        (2, "Opatření", "1.1.1", ["1.1.1.1"]),
        (0, "Strategický cíl", "2", []),
        (1, "Specifický cíl", "2.1", []),
        (2, "Opatření", "2.1.1", ["2.1.1.1", "2.1.1.2"]),
        (2, "Opatření", "2.1.2", ["2.1.2.1"]),
    ]


def test_a_large_flat_plan_is_cut_into_pages_between_its_activities():
    rows = [ReportRow(i, str(i), "", "", "", "", "", "", "", "") for i in range(1, 251)]
    content = ReportContent(
        1,
        "Kolo",
        "Plán",
        "",
        "2026",
        None,
        [ReportBlock(0, "", "", "", rows=rows)],
        [],
        [],
        level_names=["Aktivita"],
    )
    pages = paginate(content)
    assert [page.label for page, _part in pages] == ["1–100", "101–200", "201–250"]
    assert [len(part.rows) for _page, part in pages] == [100, 100, 50]
    assert [row.code for _page, part in pages for row in part.rows] == [row.code for row in rows]


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_statistics_name_the_plans_top_level(flat, three, fmt):
    """The statistics by the top level say „okruh“ only for a plan whose top level is the okruh."""
    expected = {
        "flat": "Aktivity podle stavu plnění",
        "three": "Aktivity podle stavu plnění a úrovně „Strategický cíl“",
    }
    for name, shape in (("flat", flat), ("three", three)):
        content = build_report(shape.round, sections=("statistics",))
        document = render(content, fmt)
        if fmt == "html":
            text = plain(re.sub(r"<[^>]+>", " ", document.decode("utf-8")))
        elif fmt == "docx":
            text = " ".join(p.text for p in Document(io.BytesIO(document)).paragraphs)
        else:
            text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
            text = re.sub(r"\s+", " ", text)
        assert expected[name] in text, (name, fmt)
        assert "a okruhu" not in text
