"""DOCX export (python-docx) in the layout of the region's report (seed 002).

A4 landscape; a title page; per block of the plan's levels (:class:`workflow.report.ReportBlock`;
the region's okruh and its goals) a heading („Heading 1“ for the top level, a new page each, one
level lower per level below), the description (an okruh's intro) with its footnotes, the blocks
below it, then a table of its activities with the report's columns
(:attr:`workflow.report.ReportContent.columns`: those of :data:`workflow.report.COLUMNS`, plus a
plan's title and further attributes) whose header row repeats on every page (``w:tblHeader``);
after it the block's „Komentář“ and coordination; at the end the „Seznam zkratek“. Texts get
non-breaking spaces after one-letter prepositions (:func:`workflow.exports.czech_nbsp`).
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from workflow.exports import czech_nbsp
from workflow.level_labels import czech_top_level_labels
from workflow.report import (
    ATTRIBUTE,
    COORDINATION_TITLE,
    ROW_FIELDS,
    ReportBlock,
    ReportColumn,
    ReportContent,
    ReportRow,
    footnote_segments,
)

#: Column widths in cm (A4 landscape minus 1.5 cm margins = 26.7 cm), one per
#: :data:`workflow.report.COLUMNS`.
WIDTHS_CM = (1.3, 4.0, 2.7, 1.8, 2.6, 2.0, 7.1, 2.8, 2.4)
#: Width in cm per report column key (:attr:`workflow.report.ReportColumn.key`) before the table
#: is scaled to the page's 26.7 cm (a plan with a title and further attributes).
KEY_WIDTHS_CM = dict(zip(ROW_FIELDS, WIDTHS_CM, strict=True)) | {"title": 3.0, ATTRIBUTE: 2.6}
PAGE_WIDTH_CM = 26.7


def column_widths_cm(columns: list[ReportColumn]) -> list[float]:
    """Widths in cm of ``columns``, together the page's width: :data:`WIDTHS_CM` for the standard
    columns; with a title or attribute columns every width is scaled down proportionally."""
    widths = [KEY_WIDTHS_CM.get(column.key, 2.6) for column in columns]
    total = sum(widths)
    if round(total, 6) == PAGE_WIDTH_CM:
        return widths
    return [round(w * PAGE_WIDTH_CM / total, 3) for w in widths]
FONT = "Calibri"


def _czech_date(iso: str | None) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return f"{d.day}. {d.month}. {d.year}"


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


#: Paragraph styles of table cells by font size (pt): no space after, the size in the style.
CELL_STYLES = {8: "Report Table Text", 10: "Report Table Text Large"}


def _cell_text(cell, text: str, *, bold: bool = False, size: float = 8) -> None:  # type: ignore[no-untyped-def]
    """Fill ``cell`` with ``text``, a paragraph per line, in the cell style of ``size``.

    The paragraphs are built as WordprocessingML elements directly (``w:p`` › ``w:pPr/w:pStyle``,
    ``w:r`` › ``w:rPr/w:b``, ``w:t``): python-docx's per-run properties and its ordered insertion
    were most of the DOCX's time on a 2,000-activity report (issue 17)."""
    tc = cell._tc
    for p in tc.findall(qn("w:p")):
        tc.remove(p)
    style = {qn("w:val"): CELL_STYLES.get(size, CELL_STYLES[8]).replace(" ", "")}
    for line in (text or "").split("\n"):
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        ppr.append(OxmlElement("w:pStyle", style))
        p.append(ppr)
        run = OxmlElement("w:r")
        if bold:
            rpr = OxmlElement("w:rPr")
            rpr.append(OxmlElement("w:b"))
            run.append(rpr)
        t = OxmlElement("w:t", {qn("xml:space"): "preserve"})
        t.text = czech_nbsp(line)
        run.append(t)
        p.append(run)
        tc.append(p)


def _cell_styles(document) -> None:  # type: ignore[no-untyped-def]
    for size, name in CELL_STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = name.replace(" ", "")
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(size)
        style.paragraph_format.space_after = Pt(0)


def _setup(document) -> None:  # type: ignore[no-untyped-def]
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name, size in (("Heading 1", 14), ("Heading 2", 12), ("Title", 24)):
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    _cell_styles(document)
    footer = section.footer.paragraphs[0]
    footer.text = ""
    run = footer.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), tag)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _title_page(document, content: ReportContent) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        document.add_paragraph()
    document.add_paragraph(czech_nbsp(content.plan_title), style="Title")
    if content.strategy:
        p = document.add_paragraph(czech_nbsp(content.strategy))
        p.runs[0].font.size = Pt(14)
    document.add_paragraph()
    p = document.add_paragraph()
    p.add_run("Monitoring plnění: ").bold = True
    p.add_run(czech_nbsp(content.round_title))
    p = document.add_paragraph()
    p.add_run("Období: ").bold = True
    p.add_run(content.period)
    p = document.add_paragraph()
    p.add_run("Datum uzavření: ").bold = True
    p.add_run(_czech_date(content.closed_on) if content.closed_on else "pracovní verze – kolo není uzavřeno")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _row_values(item, columns: list[ReportColumn]) -> list[str]:  # type: ignore[no-untyped-def]
    """A row's cells for the table: the status and „Problémy a bariéry“ join the „Komentář“, the
    indicator's reported value joins the indicator."""
    values = []
    for column in columns:
        value = item.value(column)
        if column.key == "comment":
            if item.status_title:
                value = f"Stav: {item.status_title}" + (f"\n{value}" if value else "")
            if item.problems:
                value += ("\n" if value else "") + f"Problémy a bariéry: {item.problems}"
        elif column.key == "indicator" and item.indicator_value:
            value += ("\n" if value else "") + f"Hodnota: {item.indicator_value}"
        values.append(value)
    return values


def _rows_table(document, rows: list[ReportRow], columns: list[ReportColumn]) -> None:  # type: ignore[no-untyped-def]
    widths = column_widths_cm(columns)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # w:gridCol, which LibreOffice reads
    header = table.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, columns, widths, strict=True):
        cell.width = Cm(width)
        _cell_text(cell, column.label, bold=True)
        _shade(cell, "DCE6F0")
    for item in rows:
        cells = table.add_row().cells
        values = _row_values(item, columns)
        for index, (cell, value, width) in enumerate(zip(cells, values, widths, strict=True)):
            cell.width = Cm(width)
            _cell_text(cell, value, bold=index == 0)


def _block(document, block: ReportBlock, columns: list[ReportColumn]) -> None:  # type: ignore[no-untyped-def]
    """A block of the plan's levels: its heading („Heading 1“ at the top level, one level lower per
    level below), its description with the footnote marks as superscripts and the footnotes, the
    blocks below it, the table of its own activities, „Komentář“ and the coordination list."""
    if block.heading:
        document.add_heading(czech_nbsp(block.heading), level=min(block.depth + 1, 5))
    if block.description:
        intro = document.add_paragraph()
        for piece, mark in footnote_segments(block.description, block.footnotes):
            intro.add_run(piece if mark else czech_nbsp(piece)).font.superscript = mark
    for note in block.footnotes:
        p = document.add_paragraph()
        r = p.add_run(czech_nbsp(f"{note.get('marker', '')} {note.get('text', '')}".strip()))
        r.font.size = Pt(8)
    for child in block.children:
        _block(document, child, columns)
    if block.rows:
        _rows_table(document, block.rows, columns)
    if block.notes:
        p = document.add_paragraph()
        p.paragraph_format.space_before = Pt(6)
        p.add_run("Komentář: ").bold = True
        p.add_run(czech_nbsp(block.notes))
    if block.coordination:
        p = document.add_paragraph()
        p.add_run(COORDINATION_TITLE).bold = True
        for c in block.coordination:
            document.add_paragraph(czech_nbsp(f"{c['strategy']}: {c['refs']}"), style="List Bullet")


def render(content: ReportContent) -> bytes:
    """The report as DOCX bytes."""
    document = Document()
    _setup(document)
    _title_page(document, content)
    for index, block in enumerate(content.blocks):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _block(document, block, content.columns)
    if content.assessments:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading("Hodnocení hodnotitelů", level=1)
        for a in content.assessments:
            p = document.add_paragraph()
            p.add_run(f"{a.code} – {a.body}: ").bold = True
            p.add_run(czech_nbsp(a.text))
    if content.statistics:
        _statistics(document, content.statistics)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("SEZNAM ZKRATEK", level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for item in content.abbreviations:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(4), Cm(16)
        _cell_text(cells[0], item["abbreviation"], bold=True, size=10)
        _cell_text(cells[1], item["meaning"], size=10)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _statistics(document, stats) -> None:  # type: ignore[no-untyped-def]
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading("Statistika", level=1)
    keys, titles = stats["statuses"], stats["titles"]
    labels = czech_top_level_labels(stats.get("area_level"))
    heading, column = labels.statistics_title, labels.column
    document.add_heading(heading, level=2)
    table = document.add_table(rows=1, cols=len(keys) + 2)
    table.style = "Table Grid"
    _repeat_header(table.rows[0])
    for cell, title in zip(table.rows[0].cells, [column, *[titles[k] for k in keys], "Celkem"], strict=True):
        _cell_text(cell, title, bold=True)
    for block in stats["by_area"]:
        cells = table.add_row().cells
        values = [
            f"{block['code']} {block['title']}",
            *[str(block["counts"][k]) for k in keys],
            str(block["total"]),
        ]
        for cell, value in zip(cells, values, strict=True):
            _cell_text(cell, value)
    document.add_heading("Včasnost odevzdání podle subjektu", level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, ["Subjekt", "Odevzdáno", "Včas", "Podíl včas"], strict=True):
        _cell_text(cell, title, bold=True)
    for item in stats["on_time"]:
        cells = table.add_row().cells
        rate = "–" if item["rate"] is None else f"{item['rate']} %"
        for cell, value in zip(
            cells, [item["body"], str(item["submitted"]), str(item["on_time"]), rate], strict=True
        ):
            _cell_text(cell, value)
    rows = stats.get("collected_rows") or []  # absent in statistics built before issue 16
    document.add_heading("Hodnoty indikátorů a problémy a bariéry", level=2)
    if not rows:
        document.add_paragraph("Schválené odpovědi zatím neuvádějí hodnoty indikátorů ani problémy.")
        return
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    _repeat_header(table.rows[0])
    titles = ["Aktivita", "Hodnota indikátoru", "Problémy a bariéry"]
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        _cell_text(cell, title, bold=True)
    for item in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, [item["code"], item["indicator_value"], item["problems"]], strict=True):
            _cell_text(cell, value)
