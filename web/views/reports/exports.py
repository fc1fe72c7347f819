"""Report files: a direct download (built now or taken from the cache) and background exports
with a progress page."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.reports import ExportForm
from web.extensions import db
from web.uow import confirm, when_committed
from web.views.guards import requires
from web.views.reports import bp, load_round
from workflow.exports import FORMATS
from workflow.exports.cache import export_now, export_path, normalize_sections, request_export
from workflow.models import ReportExport, ReportingRound
from workflow.permissions import Action


def exports_dir() -> Path:
    """``INSTANCE_PATH/exports`` (the configured instance folder)."""
    return Path(current_app.config["INSTANCE_DIR"]) / "exports"


def _filename(round_: ReportingRound, fmt: str) -> str:
    from workflow.text import fold

    slug = "".join(ch if ch.isalnum() else "-" for ch in fold(round_.title.replace(" ", "-"))).strip("-")
    return f"zprava-{slug or round_.id}.{FORMATS[fmt][1]}"


def send_export(round_: ReportingRound, fmt: str, path: Path) -> ResponseReturnValue:
    """The export file as a download (HTML inline), named after the round."""
    response = current_app.response_class(path.read_bytes(), mimetype=FORMATS[fmt][0])
    disposition = "attachment" if fmt != "html" else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{_filename(round_, fmt)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/kola/<int:round_id>/zprava.<fmt>")
@requires(Action.view_reports)
def download(round_id: int, fmt: str) -> ResponseReturnValue:
    """The report as a file (``?oddily=assessments,statistics``), built now or taken from the cache;
    the export row is committed by the request's unit of work."""
    round_ = load_round(round_id)
    if fmt not in FORMATS:
        abort(404)
    sections = normalize_sections(request.args.get("oddily", ""))
    _export, path = export_now(round_, fmt, sections, current_user, exports_dir())
    return send_export(round_, fmt, path)


@bp.post("/kola/<int:round_id>/zprava/export")
@requires(Action.view_reports)
def start_export(round_id: int) -> ResponseReturnValue:
    """Ask for an export built in the background; shows its progress page."""
    round_ = load_round(round_id)
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("Vyberte formát exportu."), "danger")
        return redirect(url_for(".report", round_id=round_.id))
    export, created = request_export(
        round_, form.fmt.data, normalize_sections(form.sections.data), current_user
    )
    db.session.flush()
    export_id = export.id
    if created:  # the worker must find the row: handed over only after the commit
        when_committed(lambda: _dispatch_export(export_id))
        confirm(_("Export se připravuje. Stránka se sama obnoví, až bude hotový."), "info")
    return redirect(url_for(".export_status", round_id=round_.id, export_id=export_id))


def _dispatch_export(export_id: int) -> None:
    """Queue the build on this app's broker; when the broker is unreachable, build it right away
    (the user gets the file a little later instead of an error)."""
    celery = current_app.extensions["celery"]  # this app's broker, whatever Celery app is "current"
    try:
        celery.send_task("workflow.build_report_export", (export_id,), retry=False)
    except Exception as exc:  # broker down: build inline, as the direct download does
        current_app.logger.warning("export %s built inline, broker unavailable (%s)", export_id,
                                   exc.__class__.__name__)
        from workflow.tasks import build_report_export

        build_report_export(export_id)


def _export(round_: ReportingRound, export_id: int) -> ReportExport:
    export = db.session.get(ReportExport, export_id)
    if export is None or export.round_id != round_.id:
        abort(404)
    return export


@bp.get("/kola/<int:round_id>/zprava/export/<int:export_id>")
@requires(Action.view_reports)
def export_status(round_id: int, export_id: int) -> ResponseReturnValue:
    """Progress of a background export (htmx polls the fragment every 2 s until it is done)."""
    round_ = load_round(round_id)
    export = _export(round_, export_id)
    template = "reports/_export_progress.html" if request.headers.get("HX-Request") else "reports/export.html"
    return render_template(template, round=round_, export=export)


@bp.get("/kola/<int:round_id>/zprava/export/<int:export_id>/soubor")
@requires(Action.view_reports)
def export_file(round_id: int, export_id: int) -> ResponseReturnValue:
    """The file of a finished background export."""
    round_ = load_round(round_id)
    export = _export(round_, export_id)
    path = export_path(export, exports_dir())
    if export.state != "ready" or not path.exists():
        abort(404)
    return send_export(round_, export.fmt, path)
