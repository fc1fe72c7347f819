"""Offline work of a body (issue 18, part 1): „Stáhnout k vyplnění (XLSX)“, uploading the filled
file (preview per entry → confirmation that saves the accepted rows as drafts) and „Odeslat všechny
úplné koncepty“.

The rows read from an upload are kept in an :class:`~workflow.models.OfflineUpload` row between
the preview and the confirmation, so both may be served by different web processes. A file that
cannot be read writes nothing; the confirmation applies every accepted row in the request's one
unit of work (:mod:`web.uow`) or none. Who may do what: ``Action.work_offline`` of
:mod:`workflow.permissions` (own and deputised bodies; an upload only for its uploader).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.offline import ConfirmUploadForm, OfflineUploadForm, SubmitDraftsForm
from web.extensions import db
from web.uow import confirm, fail, refusal_goes_to
from web.views.guards import requires
from workflow import clock, offline
from workflow.entries import safe_filename
from workflow.models import Body, OfflineUpload, ReportingRound
from workflow.permissions import Action, acting_body_ids, refusal

bp = Blueprint("offline", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def offline_body_ids() -> set[int]:
    """Ids of the bodies whose entries the current user may download and upload in XLSX today
    (computed once per request)."""
    if "offline_body_ids" not in g:
        g.offline_body_ids = (
            acting_body_ids(current_user, clock.today()) if current_user.is_authenticated else set()
        )
    return set(g.offline_body_ids)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


@bp.get("/moje-ukoly/xlsx/<int:round_id>/<int:body_id>")
@requires(Action.work_offline)
def download(round_id: int, body_id: int) -> ResponseReturnValue:
    """The body's entries of the round as an XLSX to fill offline (404 for a body the user does
    not act for, as for one that does not exist)."""
    round_ = db.session.get(ReportingRound, round_id)
    body = db.session.get(Body, body_id)
    if round_ is None or body is None or refusal(current_user, Action.work_offline, body) is not None:
        abort(404)
    entries = offline.body_entries(round_, body)
    if not entries:
        abort(404)
    content = offline.build_workbook(round_, body, entries, _secret())
    response = current_app.response_class(content, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{offline.workbook_filename(round_, body)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/moje-ukoly/xlsx", methods=["GET", "POST"])
@requires(Action.work_offline)
def upload() -> ResponseReturnValue:
    """Upload a filled form: a readable file is kept and the preview follows; a bad file is
    refused with the reasons and nothing is written."""
    form = OfflineUploadForm()
    errors: list[str] = []
    if form.validate_on_submit():
        file = form.file.data
        content = file.read()
        filename = safe_filename(file.filename or "", default="soubor.xlsx")
        config = current_app.config
        try:
            rows = offline.read_upload(
                content,
                filename,
                max_bytes=int(config.get("MAX_IMPORT_BYTES", 10 * 1024 * 1024)),
                max_rows=int(config.get("OFFLINE_MAX_ROWS", 1000)),
                max_uncompressed=int(config.get("IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)),
            )
        except offline.OfflineFileError as exc:
            fail()
            errors = exc.messages
        else:
            record = offline.store_upload(current_user, filename, content, rows)
            return redirect(url_for(".preview", upload_id=record.id))
    status = 422 if (errors or form.errors) else 200
    return render_template("offline/upload.html", form=form, errors=errors), status


def _own_upload(upload_id: int) -> OfflineUpload:
    record = db.session.get(OfflineUpload, upload_id)
    if record is None or refusal(current_user, Action.work_offline, record) is not None:
        abort(404)
    return record


@bp.get("/moje-ukoly/xlsx/nahrani/<int:upload_id>")
@requires(Action.work_offline)
def preview(upload_id: int) -> ResponseReturnValue:
    """The preview per entry: changed fields as word diffs, unchanged rows, refused rows."""
    record = _own_upload(upload_id)
    result = offline.evaluate(record.rows, current_user, _secret(), today=clock.today())
    return render_template(
        "offline/preview.html",
        upload=record,
        preview=result,
        form=ConfirmUploadForm(fingerprint=result.fingerprint),
    )


@bp.post("/moje-ukoly/xlsx/nahrani/<int:upload_id>")
@requires(Action.work_offline)
def apply(upload_id: int) -> ResponseReturnValue:
    """Save the accepted rows as drafts (one transaction) — or, when the outcome changed since the
    preview, show the new preview and write nothing."""
    record = _own_upload(upload_id)
    form = ConfirmUploadForm()
    refusal_goes_to(url_for(".preview", upload_id=upload_id))
    applied, result = offline.apply_upload(
        record, current_user, _secret(), form.fingerprint.data or "", today=clock.today()
    )
    if not applied:
        fail()
        return render_template(
            "offline/preview.html",
            upload=record,
            preview=result,
            form=ConfirmUploadForm(formdata=None, fingerprint=result.fingerprint),
            changed_meanwhile=True,
        ), 409
    count = len(result.of_kind("changed"))
    confirm(
        _("Změny z Excelu byly uloženy jako rozpracované (záznamů: %(n)s). Nic nebylo odesláno.", n=count)
    )
    return redirect(url_for("tasks.index"))


@bp.post("/moje-ukoly/odeslat-koncepty")
@requires(Action.work_offline)
def submit_drafts() -> ResponseReturnValue:
    """„Odeslat všechny úplné koncepty“: each draft of the user's bodies with the checks of
    submitting it alone; the page lists what was sent and what was refused, and why."""
    form = SubmitDraftsForm()
    if not form.validate():
        abort(400)
    refusal_goes_to(url_for("tasks.index"))
    result = offline.submit_complete_drafts(current_user, today=clock.today())
    return render_template("offline/submitted.html", result=result, back=request.referrer)
