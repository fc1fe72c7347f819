"""PDF export: the print HTML (:mod:`workflow.exports.html`) laid out by WeasyPrint.

Fonts: the print CSS asks for DejaVu Sans (Debian ``fonts-dejavu-core``), which has every Czech
glyph; WeasyPrint embeds the (subset) fonts in the PDF, so the file looks the same everywhere.
"""

from __future__ import annotations

from workflow.exports.html import render_html
from workflow.report import ReportContent


def render(content: ReportContent) -> bytes:
    """The report as PDF bytes (A4 landscape, table headers repeated on every page)."""
    from weasyprint import HTML

    return HTML(string=render_html(content), base_url=".").write_pdf()
