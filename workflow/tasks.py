"""Celery tasks of the report: thin wrappers, ids in, logic in :mod:`workflow.exports.cache`.

Each task is one unit of work (the app's task class, :mod:`web.celery_app`): committed when it
returns, rolled back when it raises.
"""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from flask import current_app

from workflow.audit import purge_expired
from workflow.db import db
from workflow.exports.cache import run_export
from workflow.models import ReportExport


def exports_dir() -> Path:
    """``INSTANCE_PATH/exports``: where export files are stored."""
    return Path(current_app.config["INSTANCE_DIR"]) / "exports"


@shared_task(name="workflow.build_report_export", acks_late=True, ignore_result=True)
def build_report_export(export_id: int) -> str:
    """Build the file of :class:`ReportExport` ``export_id``, committing the progress as it goes.

    :returns: the export's final state (``ready``/``failed``), or ``missing`` for an unknown id.
    """
    export = db.session.get(ReportExport, export_id)
    if export is None:
        return "missing"
    if export.state == "ready":
        return "ready"

    def progress(value: int) -> None:
        db.session.commit()

    try:
        run_export(export, exports_dir(), progress)
    except Exception:  # the "failed" state and the error stay for the progress page (committed on return)
        current_app.logger.exception("report export %s failed", export_id)
        return "failed"
    return "ready"


@shared_task(name="workflow.purge_audit_log", ignore_result=True)
def purge_audit_log() -> int:
    """Beat, daily: delete account audit events older than ``AUDIT_RETENTION_DAYS`` (0: none).

    :returns: the number of rows deleted.
    """
    deleted = purge_expired(int(current_app.config.get("AUDIT_RETENTION_DAYS", 0)))
    current_app.logger.info("audit retention: %s events older than %s days deleted",
                            deleted, current_app.config.get("AUDIT_RETENTION_DAYS"))
    return deleted
