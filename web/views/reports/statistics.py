"""The statistics page of a round: SVG charts and the same numbers in tables."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from web.views.guards import requires
from web.views.reports import bp, load_round
from workflow.exports.charts import statistics_charts
from workflow.permissions import Action
from workflow.statistics import round_statistics


@bp.get("/kola/<int:round_id>/statistika")
@requires(Action.view_reports)
def statistics(round_id: int) -> ResponseReturnValue:
    """Statistics of the round: SVG charts and the same numbers in tables."""
    round_ = load_round(round_id)
    stats = round_statistics(round_)
    return render_template(
        "reports/statistics.html", round=round_, stats=stats, charts=statistics_charts(stats), print=False
    )
