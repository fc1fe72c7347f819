"""XLSX export (openpyxl): one sheet „Plnění“ with a row per activity, header frozen, autofilter,
wrapped text and widths fitted to the columns; a sheet „Zkratky“ with the used abbreviations.
The columns are those of the CSV (:mod:`workflow.exports.csv`): the codes of the levels above the
activity (okruh, cíl in the shipped plan), the report's columns (with a plan's title and further
attributes), status, indicator value, problems.

Every cell is written as a string (data type ``s``) and keeps its text as typed; a cell that a
spreadsheet would evaluate (:func:`workflow.exports.is_formula_like`) also gets the ``quotePrefix``
style, so it stays text even when someone edits it in Excel or LibreOffice, without a visible
apostrophe.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflow.exports import is_formula_like
from workflow.report import ATTRIBUTE, COLUMNS, DATA_EXTRA_COLUMNS, ROW_FIELDS, ReportContent

#: The header of the shipped plan's report (two levels, the standard columns); see ``content.data_header``.
HEADER = ["Okruh", "Cíl", *COLUMNS, *DATA_EXTRA_COLUMNS]
#: Column widths in characters, matching :data:`HEADER`; a level's code column is
#: :data:`LEVEL_WIDTH` wide.
WIDTHS = [8, 8, 9, 40, 24, 14, 18, 18, 80, 30, 24, 16, 30, 40]
#: Width in characters per report column key (:attr:`workflow.report.ReportColumn.key`).
KEY_WIDTHS = dict(zip(ROW_FIELDS, WIDTHS[2:11], strict=True)) | {"title": 30, ATTRIBUTE: 24}
LEVEL_WIDTH = WIDTHS[0]


def column_widths(content: ReportContent) -> list[int]:
    """Widths in characters for ``content.data_header`` (:data:`WIDTHS` for the shipped plan: two
    levels, the standard columns)."""
    levels = [LEVEL_WIDTH] * (len(content.level_names) - 1)
    return [*levels, *(KEY_WIDTHS.get(c.key, 24) for c in content.columns), *WIDTHS[11:]]


def _text_cell(cell: Cell, value: str) -> None:
    """Write ``value`` as text, exactly as typed; a formula-like value is marked ``quotePrefix``."""
    cell.value = value
    cell.data_type = TYPE_STRING
    if is_formula_like(value):
        cell.quotePrefix = True


def render(content: ReportContent) -> bytes:
    """The report as XLSX bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Plnění"
    header_fill = PatternFill("solid", fgColor="DCE6F0")
    header = content.data_header
    for col, title in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 2
    for values in content.data_rows():
        for col, value in enumerate(values, start=1):
            _text_cell(ws.cell(row=r, column=col), value or "")
            ws.cell(row=r, column=col).alignment = wrap
        r += 1
    for col, width in enumerate(column_widths(content), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(r - 1, 1)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4

    abbr = wb.create_sheet("Zkratky")
    abbr.append(["Zkratka", "Význam"])
    for c in abbr[1]:
        c.font = Font(bold=True)
    for row_number, item in enumerate(content.abbreviations, start=2):
        _text_cell(abbr.cell(row=row_number, column=1), item["abbreviation"])
        _text_cell(abbr.cell(row=row_number, column=2), item["meaning"])
    abbr.column_dimensions["A"].width = 14
    abbr.column_dimensions["B"].width = 60
    abbr.freeze_panes = "A2"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
