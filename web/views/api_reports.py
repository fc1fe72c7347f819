"""JSON API of the consolidated report (``/api/v1/rounds/<id>/report`` and its files), documented
in ``web/openapi.yaml``. Same conventions as :mod:`web.views.api`: the session or
``Authorization: Bearer <token>``; **401 JSON** when unauthenticated, 403 JSON without the
``view_reports`` permission, 404 JSON for an unknown round or format."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from web.extensions import csrf, db
from web.views.api import _authenticate, api_requires, json_error, json_response
from web.views.reports import exports_dir, send_export
from workflow.exports import FORMATS
from workflow.exports.cache import export_now, normalize_sections
from workflow.models import ReportingRound
from workflow.permissions import Action
from workflow.report import build_report

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1/rounds")
csrf.exempt(bp)
bp.before_request(_authenticate)


@bp.get("/<int:round_id>/report")
@api_requires(Action.view_reports)
def report_json(round_id: int) -> ResponseReturnValue:
    """The consolidated content of the round (schema ``Report``); ``?sections=assessments,statistics``."""
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        return json_error(404, _("Kolo neexistuje."))
    content = build_report(round_, sections=normalize_sections(request.args.get("sections", "")))
    data = content.to_dict()
    data["columns"] = content.column_labels
    data["content_hash"] = content.content_hash()
    return json_response(data)


@bp.get("/<int:round_id>/report.<fmt>")
@api_requires(Action.view_reports)
def report_file(round_id: int, fmt: str) -> ResponseReturnValue:
    """The report as a ``docx``, ``pdf``, ``xlsx``, ``csv`` or ``html`` file (cached by content)."""
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        return json_error(404, _("Kolo neexistuje."))
    if fmt not in FORMATS:
        return json_error(404, _("Neznámý formát „%(fmt)s“.", fmt=fmt))
    _export, path = export_now(
        round_, fmt, normalize_sections(request.args.get("sections", "")), current_user, exports_dir()
    )  # the export row is committed by the request's unit of work
    return send_export(round_, fmt, path)
