"""PDF export laid out by ReportLab's platypus (issue 17: WeasyPrint took 47–84 s and ≈960 MB for
the 2,000-activity report; see ``docs/performance.md`` for the engines compared).

The region's layout (seed 002) as the print HTML has it: A4 landscape; a title page (plan, strategy,
round, period, date of closing); per block of the plan's levels (:class:`workflow.report.ReportBlock`:
the region's okruh and its goals) its heading – a top-level block on a new page – its description
(an okruh's intro, footnote marks as superscripts) and footnotes, the blocks below it, then a table
of its activities with the columns the report carries (:func:`_columns`:
:data:`workflow.report.COLUMNS` and a plan's own, iterated, never listed here) whose header row
repeats on every page and whose rows split across pages; the block's „Komentář“ and coordination
list; the optional sections (published assessments,
statistics with their charts); the „Seznam zkratek“. Page numbers „n / N“ at the bottom right
from the second page.

Fonts: DejaVu Sans and DejaVu Sans Bold (Debian ``fonts-dejavu-core``), which have every Czech
glyph; ReportLab embeds subsets of them, so the file looks the same everywhere. Texts get
non-breaking spaces after one-letter prepositions (:func:`workflow.exports.czech_nbsp`) and are
hyphenated by Czech rules (ReportLab's ``hyphenationLang`` with pyphen's ``cs_CZ`` dictionary).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from operator import attrgetter
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from workflow.exports import czech_nbsp
from workflow.exports.charts import statistics_charts
from workflow.level_labels import czech_top_level_labels
from workflow.report import (
    COLUMNS,
    COORDINATION_TITLE,
    ROW_FIELDS,
    ReportBlock,
    ReportContent,
    ReportRow,
    footnote_segments,
)

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
#: Font files (Debian ``fonts-dejavu-core``), found on ReportLab's TrueType search path
#: (``/usr/share/fonts/truetype/dejavu`` among others).
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
PAGE = landscape(A4)
MARGINS = {"left": 12 * mm, "right": 12 * mm, "top": 12 * mm, "bottom": 14 * mm}
BLUE = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#7a8794")
HEADER_FILL = colors.HexColor("#dce6f0")
MISSING = colors.HexColor("#8a1c1c")
GREY = colors.HexColor("#555555")
#: Relative widths of the report's columns by :attr:`ReportRow` field (the print CSS's
#: percentages for :data:`workflow.report.COLUMNS`); another column (the activity's title, a
#: further attribute of the plan) gets its entry here or :data:`DEFAULT_WIDTH`. Normalised to the
#: text width, so any set of columns fills the page.
COLUMN_WIDTHS = {
    "code": 5,
    "title": 11,
    "description": 14,
    "indicator": 10,
    "deadline": 8,
    "responsibility": 8,
    "strategy_refs": 8,
    "fulfilment": 30,
    "comment": 8,
    "cooperation": 9,
}
DEFAULT_WIDTH = 9
#: A table column: ``(header, key, the value of a row)`` (:func:`_columns`).
Column = tuple[str, str, Callable[[ReportRow], str]]
#: The highest a chart is drawn (a page's text height less a heading).
CHART_HEIGHT = 150 * mm
#: Czech hyphenation of the table cells and texts (pyphen's dictionary).
HYPHENATION = "cs_CZ"


@cache
def register_fonts() -> dict[str, str]:
    """Register DejaVu Sans and DejaVu Sans Bold with ReportLab (once per process).

    :returns: font name → the font file's path.
    :raises reportlab.pdfbase.ttfonts.TTFError: a font file is missing (install
        ``fonts-dejavu-core``, requirements/system-runtime.txt).
    """
    from reportlab.lib.fonts import addMapping

    paths = {}
    for name, filename in FONT_FILES.items():
        font = TTFont(name, filename)
        pdfmetrics.registerFont(font)
        paths[name] = font.face.filename
    # DejaVu Sans Oblique is not in fonts-dejavu-core: italics print upright.
    for bold, italic, face in ((0, 0, FONT), (1, 0, FONT_BOLD), (0, 1, FONT), (1, 1, FONT_BOLD)):
        addMapping(FONT, bold, italic, face)
    return paths


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base",
        fontName=FONT,
        bulletFontName=FONT,
        fontSize=9,
        leading=11.7,
        textColor=colors.HexColor("#111111"),
        hyphenationLang=HYPHENATION,
        embeddedHyphenation=1,
        uriWasteReduce=0.3,
    )

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "base": base,
        "plan": style("plan", fontName=FONT_BOLD, fontSize=24, leading=29, textColor=BLUE, spaceAfter=4 * mm),
        "strategy": style("strategy", fontSize=13, leading=17, spaceAfter=12 * mm),
        "meta": style("meta", fontSize=11, leading=14),
        "meta_label": style("meta_label", fontName=FONT_BOLD, fontSize=11, leading=14),
        "h2": style("h2", fontName=FONT_BOLD, fontSize=14, leading=17, textColor=BLUE, spaceAfter=3 * mm),
        "h3": style(
            "h3",
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            textColor=BLUE,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
        ),
        "h4": style(
            "h4",
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            textColor=BLUE,
            spaceBefore=4 * mm,
            spaceAfter=1.5 * mm,
        ),
        "intro": style("intro", spaceAfter=3 * mm),
        "footnote": style("footnote", fontSize=7.5, leading=9.5, spaceAfter=2 * mm),
        "cell": style("cell", fontSize=7.3, leading=9.2),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, fontSize=7.3, leading=9.2),
        "head": style("head", fontName=FONT_BOLD, fontSize=7.3, leading=9.2, hyphenationLang=""),
        "text": style("text", spaceBefore=2 * mm, spaceAfter=1 * mm),
        "bullet": style("bullet", leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=0.5 * mm),
        "caption": style("caption", fontSize=8, leading=10, spaceAfter=1 * mm),
    }


class _Cell(Paragraph):
    """A table cell's paragraph that lines its text up once per width.

    ReportLab's table measures every cell again each time it splits at a page end (the rest of
    the table is a new table of the same cells), so a goal of 40 rows over four pages lined every
    cell up about four times (three quarters of the PDF's time in the 2,000-activity report).
    The lines depend on the width alone, so the first result is kept for that width.
    """

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # (a failed split drops the lines: then they are made again)
        if availWidth != self._wrapped_width or not hasattr(self, "blPara"):
            super().wrap(availWidth, availHeight)
            self._wrapped_width = availWidth
        return self.width, self.height


def _cell(markup: str, style: ParagraphStyle) -> _Cell | list[_Cell]:
    """A table cell: one paragraph per line of ``markup`` (split at ``<br/>``; an empty line keeps
    its height). ReportLab lines up a paragraph of one run of text several times faster than one
    with line breaks in it, and the lines print the same."""
    lines = markup.split("<br/>")
    if len(lines) == 1:
        return _Cell(markup, style)
    return [_Cell(line or "\u00a0", style) for line in lines]


def _markup(text: str | None) -> str:
    """``text`` as ReportLab paragraph markup: escaped, Czech non-breaking spaces, ``<br/>`` for
    line breaks."""
    return "<br/>".join(xml_escape(czech_nbsp(line)) for line in (text or "").split("\n"))


def _czech_date(iso: str | None) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return f"{d.day}.\u00a0{d.month}.\u00a0{d.year}"


def _cell_markup(row: ReportRow, name: str, value: str) -> str:
    """A table cell of ``row`` for its attribute ``name``: the value, plus what the print HTML adds
    to some columns (the indicator's reported value, the status and „Problémy a bariéry“ with the
    comment, „bez textu“ for a missing fulfilment text)."""
    text = _markup(value)
    if name == "indicator" and row.indicator_value:
        text += f"<br/><b>Hodnota:</b> {_markup(row.indicator_value)}"
    elif name == "fulfilment" and not value:
        text = f'<font color="{MISSING.hexval()}">bez textu</font>'
    elif name == "comment":
        if row.status_title:
            text = f"<b>Stav: {xml_escape(row.status_title)}</b>" + (f"<br/>{text}" if text else "")
        if row.problems:
            text += ("<br/>" if text else "") + f"<b>Problémy a bariéry:</b> {_markup(row.problems)}"
    return text


def _columns(content: ReportContent) -> list[Column]:
    """The report's table columns as ``(header, key, value of a row)``, in order: the report's own
    columns when it carries them (``content.columns``: :data:`~workflow.report.COLUMNS` and a
    plan's further ones, each with a ``key`` and a ``label``, the value by ``row.value(column)``),
    else :data:`~workflow.report.COLUMNS` with the fields :data:`~workflow.report.ROW_FIELDS`."""
    columns = getattr(content, "columns", None)
    if columns is not None:
        return [(c.label, c.key, lambda row, c=c: row.value(c)) for c in columns]
    return [(title, key, attrgetter(key)) for title, key in zip(COLUMNS, ROW_FIELDS, strict=True)]


def _rows_table(rows: list[ReportRow], columns: list[Column], width: float) -> Flowable:
    """A block's table: the header row (repeated on every page) and a row per activity whose cells
    are the report's columns (:func:`_columns`); a row splits at a page end."""
    styles = _styles()
    weights = [COLUMN_WIDTHS.get(key, DEFAULT_WIDTH) for _title, key, _value in columns]
    widths = [width * w / sum(weights) for w in weights]
    cell, bold = styles["cell"], styles["cell_bold"]
    data: list[list[Any]] = [
        [Paragraph(xml_escape(title), styles["head"]) for title, _key, _value in columns]
    ]
    for row in rows:
        data.append(
            [
                _cell(_cell_markup(row, key, value(row)), bold if index == 0 else cell)
                for index, (_title, key, value) in enumerate(columns)
            ]
        )
    # rows split across pages where the page ends (as the print HTML's rows do); a row may be
    # taller than a page (a long „Plnění“ text)
    table = LongTable(data, colWidths=widths, repeatRows=1, splitByRow=0, splitInRow=1, hAlign="LEFT")
    table.setStyle(_TABLE_STYLE)
    return table


_TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 7.3),  # (a table's own default is Helvetica)
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.0 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
    ]
)


def _simple_table(rows: list[list[str]], widths: list[float] | None = None, *, header: bool = True) -> Table:
    """A small bordered table of plain texts (abbreviations, statistics); the first row is the
    header when ``header``."""
    styles = _styles()
    data = [
        [
            Paragraph(
                _markup(value), styles["cell_bold"] if (header and i == 0) or j == 0 else styles["cell"]
            )
            for j, value in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]
    table = LongTable(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 7.3),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    table.setStyle(TableStyle(commands))
    return table


def _title_page(content: ReportContent) -> list[Flowable]:
    styles = _styles()
    closed = _czech_date(content.closed_on) if content.closed_on else "pracovní verze – kolo není uzavřeno"
    meta = [
        ("Monitoring plnění", _markup(content.round_title)),
        ("Období", xml_escape(content.period)),
        ("Datum uzavření", xml_escape(closed)),
    ]
    table = Table(
        [[Paragraph(label, styles["meta_label"]), Paragraph(value, styles["meta"])] for label, value in meta],
        colWidths=[45 * mm, None],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 11),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story: list[Flowable] = [Spacer(1, 45 * mm), Paragraph(_markup(content.plan_title), styles["plan"])]
    if content.strategy:
        story.append(Paragraph(_markup(content.strategy), styles["strategy"]))
    return [*story, table]


def _block(block: ReportBlock, columns: list[Column], width: float) -> Iterable[Flowable]:
    """A block of the plan's levels: a top-level block on a new page with its heading („h2“), a
    block below it after a conditional page break (a heading never ends a page) with a smaller
    heading; the description (footnote marks as superscripts) and footnotes, the blocks below it,
    the table of its own activities, „Komentář“ and the coordination list."""
    styles = _styles()
    if block.depth == 0:
        yield PageBreak()
    else:
        # with less than ~4 table rows of room left, a new page
        yield CondPageBreak(40 * mm)
    if block.heading:
        style = ("h2", "h3", "h4")[min(block.depth, 2)]
        yield Paragraph(_markup(block.heading), styles[style])
    if block.description:
        pieces = footnote_segments(block.description, block.footnotes)
        yield Paragraph(
            "".join(f"<super>{xml_escape(p)}</super>" if mark else _markup(p) for p, mark in pieces),
            styles["intro"],
        )
    for note in block.footnotes:
        yield Paragraph(
            f"<super>{xml_escape(str(note.get('marker', '')))}</super> {_markup(note.get('text', ''))}",
            styles["footnote"],
        )
    for child in block.children:
        yield from _block(child, columns, width)
    if block.rows:
        yield _rows_table(block.rows, columns, width)
    if block.notes:
        yield Paragraph(f"<b>Komentář:</b> {_markup(block.notes)}", styles["text"])
    if block.coordination:
        items = [Paragraph(f"<b>{xml_escape(COORDINATION_TITLE)}</b>", styles["text"])]
        items += [
            Paragraph(f"{_markup(c['strategy'])}: {xml_escape(c['refs'])}", styles["bullet"], bulletText="•")
            for c in block.coordination
        ]
        yield KeepTogether(items)


def _chart(svg: str, max_width: float) -> Flowable | None:
    """An SVG chart of :mod:`workflow.exports.charts` as a drawing (svglib), at most ``max_width``
    wide and :data:`CHART_HEIGHT` high (a chart of many bodies is scaled down to a page); ``None``
    if it cannot be read."""
    from lxml import etree
    from svglib.svglib import SvgRenderer

    try:
        root = etree.fromstring(str(svg).encode("utf-8"))
        drawing = SvgRenderer("").render(root)
    except Exception:  # pragma: no cover - our own SVG; the numbers are in the table anyway
        return None
    scale = min(1.0, max_width / drawing.width, CHART_HEIGHT / drawing.height) if drawing.width else 1.0
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    _use_font(drawing)
    return drawing


def _use_font(node: Any) -> None:
    """Set the chart labels in DejaVu Sans (Czech glyphs) instead of the SVG default."""
    if hasattr(node, "fontName"):
        node.fontName = FONT
    for child in getattr(node, "contents", []) or []:
        _use_font(child)


def _statistics(stats: dict[str, Any], width: float) -> Iterable[Flowable]:
    """The statistics section as ``reports/_statistics.html`` prints it: per part a heading, the
    chart (if any) and its numbers in a table; a heading stays with its chart."""
    styles = _styles()
    charts = statistics_charts(stats)
    keys, titles = stats["statuses"], stats["titles"]

    def parts(title: str, chart: str | None, *rest: Flowable) -> Iterable[Flowable]:
        """The heading kept together with the chart, or with the first flowable without one."""
        drawing = _chart(chart, 180 * mm) if chart else None
        first = [drawing] if drawing is not None else list(rest[:1])
        yield KeepTogether([Paragraph(title, styles["h3"]), *first])
        yield from rest[len(first) if drawing is None else 0 :]

    def none(text: str) -> Paragraph:
        return Paragraph(text, styles["base"])

    yield PageBreak()
    yield Paragraph("Statistika", styles["h2"])
    labels = czech_top_level_labels(stats.get("area_level"))
    heading, caption, column = labels.statistics_title, labels.statistics_caption, labels.column
    rows = [[column, *[titles[k] for k in keys], "Celkem"]]
    rows += [
        [f"{b['code']} {b['title']}", *[str(b["counts"][k]) for k in keys], str(b["total"])]
        for b in stats["by_area"]
    ]
    yield from parts(
        heading,
        charts["by_area"],
        Paragraph(caption, styles["caption"]),
        _simple_table(rows),
    )
    if stats["by_body"]:
        rows = [["Subjekt", *[titles[k] for k in keys], "Celkem"]]
        rows += [[b["body"], *[str(b["counts"][k]) for k in keys], str(b["total"])] for b in stats["by_body"]]
        yield from parts(
            "Schválené odpovědi podle stavu plnění a subjektu", charts["by_body"], _simple_table(rows)
        )
    else:
        yield from parts(
            "Schválené odpovědi podle stavu plnění a subjektu",
            None,
            none("Kolo zatím nemá schválené odpovědi."),
        )
    if stats["on_time"]:
        rows = [["Subjekt", "Odevzdáno", "Včas", "Podíl včas"]]
        rows += [
            [
                b["body"],
                str(b["submitted"]),
                str(b["on_time"]),
                "–" if b["rate"] is None else f"{b['rate']} %",
            ]
            for b in stats["on_time"]
        ]
        yield from parts("Včasnost odevzdání podle subjektu", charts["on_time"], _simple_table(rows))
    else:
        yield from parts(
            "Včasnost odevzdání podle subjektu", None, none("V kole zatím nikdo nic neodevzdal.")
        )
    rows = [["Kolo", "Počet vrácení"], *[[r["title"], str(r["returns"])] for r in stats["returns"]]]
    yield from parts("Vrácení k doplnění podle kola", None, _simple_table(rows))
    collected = stats.get("collected_rows") or []  # absent in statistics built before issue 16
    title = "Hodnoty indikátorů a problémy a bariéry"
    if collected:
        counts = stats.get("collected") or {}
        rows = [["Aktivita", "Hodnota indikátoru", "Problémy a bariéry"]]
        rows += [[r["code"], r["indicator_value"], r["problems"]] for r in collected]
        yield from parts(
            title,
            None,
            none(
                f"Hodnotu indikátoru uvedly subjekty u {counts.get('indicator_values', 0)} aktivit, "
                f"problémy a bariéry u {counts.get('problems', 0)} aktivit."
            ),
            _simple_table(rows, [0.1 * width, 0.45 * width, 0.45 * width]),
        )
    else:
        yield from parts(
            title, None, none("Schválené odpovědi zatím neuvádějí hodnoty indikátorů ani problémy.")
        )


def _story(content: ReportContent, width: float) -> Iterable[Flowable]:
    styles = _styles()
    yield from _title_page(content)
    columns = _columns(content)
    for block in content.blocks:
        yield from _block(block, columns, width)
    if content.assessments:
        yield PageBreak()
        yield Paragraph("Hodnocení hodnotitelů", styles["h2"])
        for a in content.assessments:
            yield Paragraph(f"<b>{xml_escape(a.code)} – {xml_escape(a.body)}</b>", styles["text"])
            yield Paragraph(_markup(a.text), styles["base"])
    if content.statistics:
        yield from _statistics(content.statistics, width)
    yield PageBreak()
    yield Paragraph("SEZNAM ZKRATEK", styles["h2"])
    if content.abbreviations:
        rows = [["Zkratka", "Význam"], *[[a["abbreviation"], a["meaning"]] for a in content.abbreviations]]
        yield _simple_table(rows, [40 * mm, 160 * mm])
    else:
        yield Paragraph("Zpráva nepoužívá žádné zkratky ze seznamu plánu.", styles["base"])


def _page_number(canvas: Canvas, _document: BaseDocTemplate) -> None:
    """„n / N“ at the bottom right of pages 2…N. N is the form ``pages_total``, used on every page
    before it is known and defined when the document is saved (:class:`_Canvas`)."""
    if canvas.getPageNumber() == 1:
        return
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(GREY)
    right, y = PAGE[0] - MARGINS["right"], MARGINS["bottom"] / 2
    canvas.drawRightString(right - 6 * mm, y, f"{canvas.getPageNumber()} /")
    canvas.translate(right - 5 * mm, y)
    canvas.doForm("pages_total")
    canvas.restoreState()


class _Canvas(Canvas):
    """A canvas that defines the page total (the form ``pages_total``) once every page is done."""

    def save(self) -> None:
        self.beginForm("pages_total")
        self.setFont(FONT, 8)
        self.setFillColor(GREY)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


def render(content: ReportContent) -> bytes:
    """The report as PDF bytes: A4 landscape, the region's layout (module docstring), the table
    header repeated on every page, DejaVu Sans embedded.

    :param content: the report (:func:`workflow.report.build_report`).
    :returns: the PDF file's bytes.
    :raises reportlab.pdfbase.ttfonts.TTFError: DejaVu Sans is not installed (:func:`register_fonts`).
    """
    register_fonts()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        title=f"{content.plan_title} – {content.round_title}",
        author="Plnění",
        lang="cs",
        initialFontName=FONT,  # no unembedded Helvetica in the file
        initialFontSize=9,
    )
    frame = Frame(
        document.leftMargin,
        document.bottomMargin,
        document.width,
        document.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    document.addPageTemplates([PageTemplate("page", [frame], onPage=_page_number)])
    document.build(list(_story(content, document.width)), canvasmaker=_Canvas)
    return buffer.getvalue()
