"""Exports of the consolidated report (:class:`workflow.report.ReportContent`) to files.

One module per format, each with ``render(content) -> bytes``: :mod:`.docx` (python-docx),
:mod:`.pdf` (ReportLab), :mod:`.xlsx` (openpyxl), :mod:`.csv` and :mod:`.html`.
Shared helpers: Czech typography (:func:`czech_nbsp`) and the neutralisation of cells that a
spreadsheet would run as a formula (:func:`neutralize_cell`). See ``docs/report.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from workflow.report import ReportContent

#: Formats and their media types and file suffixes.
FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "html": ("text/html; charset=utf-8", "html"),
}

NBSP = "\u00a0"
_ONE_LETTER = re.compile(r"(?<![\w])([vkszouaiVKSZOUAI]) (?=\S)")
#: A value a spreadsheet would evaluate: ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return)
#: followed by something other than more of the same and spaces. ``-``, ``---------`` (the plan's
#: "nobody") and ``- `` stay plain text in every spreadsheet, so they are left alone.
_FORMULA = re.compile(r"^[=+\-@\t\r](?![=+\-@\s]*$)")


def czech_nbsp(text: str) -> str:
    """Put a non-breaking space after the one-letter prepositions and conjunctions
    (v, k, s, z, o, u, a, i) so that they never end a line (Czech typographic rule).

    >>> czech_nbsp("v roce 2024 a k tomu") == "v\\u00a0roce 2024 a\\u00a0k\\u00a0tomu"
    True
    """
    return _ONE_LETTER.sub(lambda m: m.group(1) + NBSP, text or "")


def czech_lines_html(text: str | None) -> Markup:
    """A cell's text as HTML: escaped, with :func:`czech_nbsp`, line breaks as ``<br>`` (the
    report's ``nl`` filter; a filter rather than a Jinja macro, which cost ten times as much on
    the 16,000 cells of a 2,000-activity report)."""
    return Markup("<br>").join(escape(czech_nbsp(line)) for line in (text or "").split("\n"))


def is_formula_like(value: str) -> bool:
    """True if a spreadsheet would evaluate ``value`` typed into a cell (OWASP "CSV injection"):
    it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return followed by something
    to evaluate (``=SUM(A1)``, ``+420…``, ``-5``, ``@foo``); ``-``, ``---------`` or ``--`` are text.

    >>> [is_formula_like(v) for v in ("=1+1", "-5", "---------", "-", "text", "@x", "- ")]
    [True, True, False, False, False, True, False]
    """
    return bool(value) and _FORMULA.match(value) is not None


def neutralize_cell(value: str) -> str:
    """Make a CSV cell value inert for spreadsheets: a formula-like value (:func:`is_formula_like`)
    gets a leading apostrophe ``'`` (CSV has no other way to say "text"). The XLSX export keeps
    the text as typed and marks such cells as text instead (string type and ``quotePrefix``)."""
    if is_formula_like(value):
        return "'" + value
    return value


def renderer(fmt: str) -> Callable[..., bytes]:
    """The ``render(content, **options) -> bytes`` function of format ``fmt``.

    :raises KeyError: unknown format.
    """
    if fmt not in FORMATS:
        raise KeyError(fmt)
    from importlib import import_module

    return import_module(f"workflow.exports.{fmt}").render


def render(content: ReportContent, fmt: str) -> bytes:
    """The report ``content`` as a file of format ``fmt`` (see :data:`FORMATS`).

    :raises KeyError: unknown format.
    """
    return renderer(fmt)(content)
