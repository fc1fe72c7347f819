"""Jinja filters for Czech dates and numbers (via Babel) and domain labels."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

from web.landing import has_tasks as user_has_tasks
from workflow import clock
from workflow.level_labels import top_level_labels, top_level_name
from workflow.permissions import Action, can
from workflow.report import blank_placeholder, footnote_segments
from workflow.states import BODY_KIND_TITLES, ROLE_TITLES, BodyKind, Role


def czech_date(value: date | datetime | None) -> str:
    """``date(2024, 5, 14)`` → ``"14. 5. 2024"`` in Czech (``"5/14/24"``-style in English); a
    datetime shows its calendar day in ``TIMEZONE``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.to_local(value).date()
    return format_date(value, "short") if _is_english() else f"{value.day}. {value.month}. {value.year}"


def czech_datetime(value: datetime | None) -> str:
    """A UTC datetime shown in the configured time zone, e.g. ``"14. 5. 2024 9:05"``."""
    if value is None:
        return ""
    if _is_english():
        return format_datetime(value, "short")
    # Babel's "d. M. yyyy H:mm" in TIMEZONE (Flask-Babel's zone, BABEL_DEFAULT_TIMEZONE), written
    # directly: a page of 50 rows formatted it 50 times through Babel's pattern machinery.
    local = clock.to_local(value)
    return f"{local.day}. {local.month}. {local.year} {local.hour}:{local.minute:02d}"


def number(value: float | int | None) -> str:
    """Locale-aware number: ``1600`` → ``"1 600"`` in Czech (non-breaking space)."""
    return "" if value is None else format_decimal(value)


def _is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def has_tasks(user: object) -> bool:
    """True if the signed-in ``user`` gets „Moje úkoly“ in the menu (:func:`web.landing.has_tasks`)."""
    return bool(getattr(user, "is_authenticated", False)) and user_has_tasks(user)  # type: ignore[arg-type]


def register(app: Flask) -> None:
    """Install the filters and template globals on ``app``."""
    app.add_template_filter(czech_date, "date")
    app.add_template_filter(czech_datetime, "datetime")
    app.add_template_filter(number, "number")
    app.add_template_global(lambda kind: BODY_KIND_TITLES.get(BodyKind(kind), kind), "body_kind_title")
    app.add_template_global(lambda role: ROLE_TITLES.get(Role(role), role), "role_title")
    app.add_template_global(lambda action: can(current_user, Action(action)), "can")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(footnote_segments, "footnote_segments")
    app.add_template_global(top_level_labels, "top_level_labels")
    app.add_template_global(top_level_name, "top_level_name")
    app.add_template_filter(blank_placeholder, "blank")
    app.add_template_global(lambda: has_tasks(current_user), "has_tasks")
