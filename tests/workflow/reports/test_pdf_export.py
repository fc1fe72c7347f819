"""The PDF of the consolidated report (ReportLab, issue 17) re-read with pypdf: the region's layout
(A4 landscape, the table header on every page, DejaVu Sans with Czech glyphs, the report's
sections) and every column the report data has, for the shipped plan and a larger world."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pypdf import PdfReader
from report_fixtures import expected_rows, imported_round, plain

from devdata.largedata import generate, scaled
from web.extensions import db
from workflow import report as report_module
from workflow.exports import render
from workflow.models import ReportingRound
from workflow.report import COLUMNS, COORDINATION_TITLE, OPTIONAL_SECTIONS, build_report

#: Landscape A4 in PDF points (297 × 210 mm).
A4_LANDSCAPE = (841.89, 595.28)


def _squash(text: str) -> str:
    """``text`` without whitespace and hyphens (lines are broken and words hyphenated in cells)."""
    return re.sub(r"[\s\-\u00ad\u2010]", "", text)


def _pages(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return reader, [plain(page.extract_text()) for page in reader.pages]


def _labels(content) -> list[str]:  # type: ignore[no-untyped-def]
    columns = getattr(content, "columns", None)
    return [c.label for c in columns] if columns is not None else list(COLUMNS)


def _row_starts(content) -> list[str]:  # type: ignore[no-untyped-def]
    """How each activity's row begins in the extracted text: its number, then its description."""
    return [_squash(plain(f"{row.code} {row.description}"))[:24] for row in content.rows]


def _assert_header_on_every_table_page(pages: list[str], content) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page where an activity's row begins shows the whole header row; returns those pages."""
    starts, labels = _row_starts(content), _labels(content)
    table_pages = [page for page in pages[1:] if any(start in _squash(page) for start in starts)]
    assert table_pages
    for number, page in enumerate(table_pages):
        squashed = _squash(page)
        missing = [label for label in labels if _squash(label) not in squashed]
        assert not missing, f"table page {number + 1} lacks the header {missing}"
    return table_pages


def test_the_shipped_plans_report_as_pdf(real_plan, app):
    content = build_report(imported_round(), sections=("assessments",))
    with app.test_request_context("/"):
        reader, pages = _pages(render(content, "pdf"))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4_LANDSCAPE
    # the title page, then the areas, the optional sections and the abbreviations, each on its page
    assert "Akční plán sociálního začleňování Libereckého kraje" in pages[0]
    assert "Datum uzavření" in pages[0] and content.round_title in pages[0]
    text = " ".join(pages)
    for area in content.blocks:
        assert plain(f"OKRUH OPATŘENÍ {area.code}: {area.title}") in text
        for goal in area.children:
            assert plain(f"{goal.code} {goal.title}") in text
    assert COORDINATION_TITLE in text
    assert "SEZNAM ZKRATEK" in pages[-1]
    assert all(_squash(a["meaning"]) in _squash(pages[-1]) for a in content.abbreviations)
    # the texts with their Czech diacritics, whatever the line breaks and hyphenation
    squashed = _squash(text)
    for _area, _goal, activity in expected_rows()[:12]:
        assert _squash(plain(activity["description"]))[:120] in squashed, activity["code"]
    first = content.rows[0]
    assert _squash(plain(first.fulfilment))[:300] in squashed
    assert "začleňování" in text and "Libereckého" in text
    # the header row repeats on every page of a table, and the pages are numbered „n / N“
    table_pages = _assert_header_on_every_table_page(pages, content)
    assert len(table_pages) >= 15
    assert f"2 / {len(pages)}" in pages[1] and f"{len(pages)} / {len(pages)}" in pages[-1]
    # every activity's row is in the tables
    squashed_tables = _squash(" ".join(table_pages))
    assert all(start in squashed_tables for start in _row_starts(content))
    # every text in DejaVu Sans, embedded (a subset: „AAAAAA+DejaVuSans“)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert fonts == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}, fonts


def test_a_row_longer_than_a_page_splits_and_the_header_repeats(real_plan, app):
    content = build_report(imported_round())
    row = content.rows[0]
    long_text = "\n".join(f"Odstavec {i}: Příliš žluťoučký kůň úpěl ďábelské ódy. " * 6 for i in range(60))
    content.blocks[0].children[0].rows[0] = replace(row, fulfilment=long_text)
    with app.test_request_context("/"):
        _reader, pages = _pages(render(content, "pdf"))
    spanning = [page for page in pages if "Odstavec" in page]
    assert len(spanning) >= 3  # one cell over three pages
    assert all("Popis dílčí aktivity" in page for page in spanning)
    squashed = _squash(" ".join(pages))
    assert all(f"Odstavec{i}:" in squashed for i in range(60))


def test_every_column_of_the_report_is_printed_also_a_plans_own(real_plan, app):
    report_column = getattr(report_module, "ReportColumn", None)
    if report_column is None:
        pytest.skip("reports without per-plan columns (issue 14) print workflow.report.COLUMNS")
    content = build_report(imported_round())
    content.columns = [*content.columns, report_column(report_module.ATTRIBUTE, "Zdroje financování")]
    for index, row in enumerate(content.rows):
        # one line in the cell (a longer value may split where its row splits at a page end)
        row.attributes = [{"label": "Zdroje financování", "value": f"Kraj č.{index:03d}"}]
    with app.test_request_context("/"):
        _reader, pages = _pages(render(content, "pdf"))
    _assert_header_on_every_table_page(pages, content)
    squashed = _squash(" ".join(pages))
    assert all(f"Krajč.{i:03d}" in squashed for i in range(len(content.rows)))


def test_a_world_of_300_activities_renders(app):
    generated = generate(scaled(300))
    db.session.commit()
    round_ = db.session.get(ReportingRound, generated.closed_round_id)
    content = build_report(round_, sections=OPTIONAL_SECTIONS)
    assert len(content.rows) == 300
    with app.test_request_context("/"):
        reader, pages = _pages(render(content, "pdf"))
    assert len(reader.pages) > 30
    # the statistics with their charts (drawn from the SVG) and tables
    text = " ".join(pages)
    assert "Statistika" in text and "Aktivity podle stavu plnění a okruhu" in text
    assert "Včasnost odevzdání podle subjektu" in text
    table_pages = _assert_header_on_every_table_page(pages, content)
    squashed_tables = _squash(" ".join(table_pages))
    assert all(start in squashed_tables for start in _row_starts(content))
    assert "SEZNAM ZKRATEK" in " ".join(pages[-3:])
