"""Print-friendly HTML of the report (a standalone document with its CSS inline; the PDF export
draws the same layout with ReportLab). Rendered with the application's Jinja environment (needs
an app context)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale
from markupsafe import Markup

from workflow.exports import czech_lines_html, czech_nbsp
from workflow.exports.charts import statistics_charts
from workflow.report import COORDINATION_TITLE, ReportContent


def czech_iso_date(value: str | None) -> str:
    """``"2026-11-21"`` → ``"21. 11. 2026"`` (empty for ``None``)."""
    if not value:
        return ""
    d = date.fromisoformat(value)
    return f"{d.day}.\u00a0{d.month}.\u00a0{d.year}"


def template_context(content: ReportContent, **extra: Any) -> dict[str, Any]:
    """The variables the report templates expect (``reports/_report.html`` reads the table's
    columns from ``content.columns``; ``columns`` holds their labels for older callers)."""
    context: dict[str, Any] = {
        "content": content,
        "columns": content.column_labels,
        "coordination_title": COORDINATION_TITLE,
        "charts": statistics_charts(content.statistics) if content.statistics else {},
        "print": True,
        "editor_links": False,
        "can_edit": False,
    }
    context.update(extra)
    return context


def jinja_env():  # type: ignore[no-untyped-def]
    """The app's Jinja environment with the report filters ``nbsp`` and ``isodate``."""
    env = current_app.jinja_env.overlay()
    env.filters["nbsp"] = lambda text: czech_nbsp(str(text or ""))
    env.filters["nl"] = czech_lines_html
    env.filters["isodate"] = czech_iso_date
    return env


def render_html(content: ReportContent) -> str:
    """The report as a standalone, print-friendly HTML document (A4 landscape print CSS).

    The document is always in Czech (it is the region's report), whatever the UI language; outside
    a request (Celery) a throw-away request context carries the locale.
    """
    ctx = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with ctx, force_locale("cs"):
        return jinja_env().get_template("reports/print.html").render(**template_context(content))


def render(content: ReportContent) -> bytes:
    """The report as UTF-8 HTML bytes."""
    return render_html(content).encode("utf-8")


__all__ = ["Markup", "czech_iso_date", "render", "render_html", "template_context"]
