"""The consolidated report of a round, one module per concern (all on the ``reports`` blueprint,
so the endpoint names stay ``reports.<view>``):

* :mod:`.report` – the report page;
* :mod:`.exports` – files: inline downloads and background exports with a progress page;
* :mod:`.statistics` – the round's statistics;
* :mod:`.consolidation` – the consolidation editor (texts, status overrides, merge);
* :mod:`.closing` – the closing checklist, waivers and close (reopen is the round's own
  ``rounds.reopen``);
* :mod:`.period` – the period report across rounds.

See ``docs/report.md``.
"""

from __future__ import annotations

from flask import Blueprint, abort
from markupsafe import Markup

from web.extensions import db
from workflow.exports import czech_lines_html, czech_nbsp
from workflow.exports.html import czech_iso_date
from workflow.models import Activity, ReportingRound

bp = Blueprint("reports", __name__)


@bp.app_template_filter("nl")
def _nl_filter(text: object) -> Markup:
    return czech_lines_html(str(text) if text is not None else "")


@bp.app_template_filter("nbsp")
def _nbsp_filter(text: object) -> str:
    return czech_nbsp(str(text or ""))


@bp.app_template_filter("isodate")
def _isodate_filter(value: str | None) -> str:
    return czech_iso_date(value)


def load_round(round_id: int) -> ReportingRound:
    """The round ``round_id``, else 404."""
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        abort(404)
    return round_


def load_activity(round_: ReportingRound, activity_id: int) -> Activity:
    """The activity ``activity_id`` of the round's plan, else 404."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.plan_id != round_.plan_id:
        abort(404)
    return activity


from web.views.reports import closing, consolidation, exports, period, report, statistics  # noqa: E402
from web.views.reports.exports import exports_dir, send_export  # noqa: E402

__all__ = [
    "bp",
    "closing",
    "consolidation",
    "exports",
    "exports_dir",
    "load_activity",
    "load_round",
    "period",
    "report",
    "send_export",
    "statistics",
]
