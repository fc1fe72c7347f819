"""Exports of the imported 2024–2025 report re-read with the libraries that open them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from report_fixtures import expected_rows, imported_round, plain

from workflow.exports import czech_nbsp, neutralize_cell, render
from workflow.report import COLUMNS, build_report


@pytest.fixture
def content(real_plan):
    return build_report(imported_round())


def _docx_blocks(document):
    """Yield ("heading", level, text) and ("table", table) in body order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            p = Paragraph(child, document)
            if p.style is not None and p.style.name.startswith("Heading"):
                yield ("heading", int(p.style.name.split()[-1]), p.text)
        elif child.tag.endswith("}tbl"):
            yield ("table", Table(child, document))


def test_docx_has_the_columns_and_72_rows_under_the_right_goals(content):
    document = Document(io.BytesIO(render(content, "docx")))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    rows_by_goal: dict[str, list[list[str]]] = {}
    goal = None
    for block in _docx_blocks(document):
        if block[0] == "heading" and block[1] == 2:
            goal = plain(block[2]).split(" ")[0]
        elif block[0] == "table" and goal is not None:
            table = block[1]
            header = [plain(c.text) for c in table.rows[0].cells]
            if header != list(COLUMNS):
                continue
            tr_pr = table.rows[0]._tr.trPr
            assert tr_pr is not None and any(el.tag.endswith("tblHeader") for el in tr_pr)
            rows_by_goal[goal] = [[plain(c.text) for c in r.cells] for r in table.rows[1:]]
            goal = None
    assert {g: len(r) for g, r in rows_by_goal.items()} == {
        "A1": 22,
        "A2": 7,
        "A3": 2,
        "B1": 2,
        "B2": 8,
        "C1": 12,
        "D1": 13,
        "E1": 6,
    }
    flat = [(g, r) for g, rows in rows_by_goal.items() for r in rows]
    for (goal_code, cells), (_, expected_goal, act) in zip(flat, expected_rows(), strict=True):
        assert goal_code == expected_goal
        assert cells[0] == act["code"]
        assert cells[6] == plain(act["fulfilment"]), act["code"]
        assert cells[1] == plain(act["description"])
    headings = [b[2] for b in _docx_blocks(document) if b[0] == "heading" and b[1] == 1]
    assert plain(headings[0]) == "OKRUH OPATŘENÍ A: Systémová opatření"
    assert plain(headings[-1]) == "SEZNAM ZKRATEK"


def test_docx_uses_non_breaking_spaces_after_one_letter_prepositions(content):
    document = Document(io.BytesIO(render(content, "docx")))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "v\u00a0rámci" in text
    assert " v rámci" not in text


def test_xlsx_matches_the_data(content):
    wb = load_workbook(io.BytesIO(render(content, "xlsx")))
    ws = wb["Plnění"]
    header = [c.value for c in ws[1]]
    assert header == ["Okruh", "Cíl", *COLUMNS, "Stav plnění", "Hodnota indikátoru", "Problémy a bariéry"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws["K2"].alignment.wrap_text
    assert ws.column_dimensions["I"].width >= 60  # „Plnění“ is the wide one
    data = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(data) == 72
    for values, (area, goal, act) in zip(data, expected_rows(), strict=True):
        assert values[0] == area and values[1] == goal and values[2] == act["code"]
        assert values[8] == act["fulfilment"]
    cooperation = [v[10] for v in data]
    # the plan's placeholder „---------“ is no data: an empty cell, no visible apostrophe (issue 16)
    assert not any(str(v or "").startswith(("'", "-")) for v in cooperation)
    assert "" in cooperation or None in cooperation


def test_csv_is_utf8_bom_semicolon_and_matches(content):
    raw = render(content, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Okruh", "Cíl", "Číslo"]
    assert len(rows) == 73
    assert {r[2]: r[8] for r in rows[1:]}["A1.1"] == expected_rows()[0][2]["fulfilment"]


def test_formula_injection_is_neutralised_in_csv_and_xlsx(content):
    row = content.rows[0]
    row.fulfilment = "=1+1"
    row.comment = "@SUM(A1:A2)"
    content.rows[1].fulfilment = "+cmd|' /C calc'!A0"
    content.rows[2].fulfilment = "-2+3"
    raw = render(content, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert rows[1][8] == "'=1+1" and rows[1][9] == "'@SUM(A1:A2)"
    assert rows[2][8].startswith("'+") and rows[3][8] == "'-2+3"
    wb = load_workbook(io.BytesIO(render(content, "xlsx")))
    ws = wb["Plnění"]
    # XLSX: the text as typed (no visible apostrophe), stored as text and marked quotePrefix
    assert ws["I2"].value == "=1+1" and ws["I2"].data_type == "s" and ws["I2"].quotePrefix
    assert ws["J2"].value == "@SUM(A1:A2)" and ws["J2"].data_type == "s" and ws["J2"].quotePrefix
    assert ws["I4"].value == "-2+3" and ws["I4"].quotePrefix
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value.startswith("'")), cell.value


def test_xlsx_leaves_dashes_and_plain_text_alone(content):
    """Issue 16, item 5: the plan's „---------“ and a lone „-“ are nothing a spreadsheet evaluates:
    no apostrophe, no quotePrefix; a real formula in the same sheet is still marked."""
    content.rows[0].comment = "---------"
    content.rows[1].comment = "-"
    content.rows[2].comment = "=HYPERLINK(\"http://x\")"
    ws = load_workbook(io.BytesIO(render(content, "xlsx")))["Plnění"]
    assert (ws["J2"].value, ws["J2"].quotePrefix) == ("---------", False)
    assert (ws["J3"].value, ws["J3"].quotePrefix) == ("-", False)
    assert (ws["J4"].value, ws["J4"].quotePrefix) == ("=HYPERLINK(\"http://x\")", True)
    rows = list(csv.reader(io.StringIO(render(content, "csv").decode("utf-8-sig")), delimiter=";"))
    assert [rows[1][9], rows[2][9], rows[3][9]] == ["---------", "-", "'=HYPERLINK(\"http://x\")"]


def test_neutralize_and_nbsp_rules():
    assert neutralize_cell("=A1") == "'=A1"
    assert neutralize_cell("Obce a NNO") == "Obce a NNO"
    assert neutralize_cell("") == ""
    assert czech_nbsp("v roce 2024 a k tomu s obcemi") == "v\u00a0roce 2024 a\u00a0k\u00a0tomu s\u00a0obcemi"
    assert czech_nbsp("Praha v. s.") == "Praha v. s."


def test_pdf_has_area_headings_texts_and_sane_page_count(content):
    reader = PdfReader(io.BytesIO(render(content, "pdf")))
    assert 15 <= len(reader.pages) <= 60
    pages = [plain(p.extract_text()) for p in reader.pages]
    text = " ".join(pages)
    assert "Akční plán sociálního začleňování Libereckého kraje" in pages[0]
    for area in ("A: Systémová opatření", "B: Osvěta, komunikace", "C: Znalosti a vzdělávání", "E: Kvalita"):
        assert f"OKRUH OPATŘENÍ {area}" in text
    squashed = re.sub(r"[\s\-\u00ad\u2010]", "", text)
    a11 = expected_rows()[0][2]["fulfilment"]
    assert re.sub(r"[\s\-\u00ad\u2010]", "", a11)[:200] in squashed
    assert "SEZNAM ZKRATEK" in pages[-1] or "SEZNAM ZKRATEK" in pages[-2]
    # the table header is repeated on every table page
    table_pages = [p for p in pages[1:] if "A1." in p]
    assert table_pages and all("Popis dílčí aktivity" in p for p in table_pages)
    fonts = {
        str(f.get_object()["/BaseFont"])
        for page in reader.pages[:3]
        for f in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("DejaVu" in f for f in fonts), fonts


def test_html_is_a_standalone_print_document(content):
    html = render(content, "html").decode("utf-8")
    assert html.startswith("<!doctype html>")
    assert "@page" in html and "landscape" in html
    assert html.count('id="aktivita-') == 72
    assert "<script" not in html
