"""The report page of a round (live, or the closed round's snapshot from the page cache)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from forms.reports import ExportForm
from web.extensions import cache
from web.views.guards import requires
from web.views.reports import bp, load_round
from workflow.exports import FORMATS
from workflow.permissions import Action, can
from workflow.report import COLUMNS, COORDINATION_TITLE, build_report, frozen_hash


@bp.get("/kola/<int:round_id>/zprava")
@requires(Action.view_reports)
def report(round_id: int) -> ResponseReturnValue:
    """The consolidated report as a page, with the export buttons.

    The report of a closed round prints its snapshot, which never changes: its rendered document
    is kept in the page cache (Flask-Caching; Redis or ``INSTANCE_PATH/cache``) under the snapshot's
    hash, the round and the language, for ``PAGE_CACHE_SECONDS``; a reopened and closed-again round
    has a new snapshot and so a new key. Live reports are rendered on every request.
    """
    round_ = load_round(round_id)
    frozen = frozen_hash(round_)
    key = f"report-page:{round_.id}:{frozen}:{get_locale()}" if frozen else None
    document = cache.get(key) if key else None
    if document is None:
        content = build_report(round_)
        document = {
            "rows": len(content.rows),
            "from_snapshot": content.from_snapshot,
            "html": render_template(
                "reports/_report.html",
                content=content,
                columns=COLUMNS,
                coordination_title=COORDINATION_TITLE,
                print=False,
                editor_links=round_.state != "closed",
                charts={},
            ),
        }
        if key:
            cache.set(key, document)
    return render_template(
        "reports/report.html",
        round=round_,
        document=document,
        document_html=Markup(document["html"]),  # nosec B704 # noqa: S704 - our own autoescaped template
        can_edit=can(current_user, Action.edit_consolidation),
        export_form=ExportForm(),
        formats=list(FORMATS),
    )
