"""Published reports of closed rounds (issue 18): the public pages anyone can read without
signing in, their downloads and open data, and the secretary's publish / withdraw actions.
What is public is decided by :mod:`workflow.publishing`; see ``docs/report.md``."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from forms.reports import ConfirmForm, ReasonForm
from web.extensions import cache, db
from web.uow import confirm
from web.views.guards import requires
from web.views.reports.exports import _filename
from workflow import publishing
from workflow.exports import FORMATS, render
from workflow.models import ReportingRound
from workflow.models.publications import ReportPublication
from workflow.permissions import Action, can
from workflow.report import COORDINATION_TITLE

bp = Blueprint("public", __name__)

JSON_TYPE = "application/json; charset=utf-8"
JSONLD_TYPE = "application/ld+json; charset=utf-8"


def _published(round_id: int) -> tuple[ReportPublication, ReportingRound]:
    """The public report of round ``round_id``; 404 when it is not published (or withdrawn)."""
    publication = publishing.current_publication(round_id)
    round_ = db.session.get(ReportingRound, round_id)
    if publication is None or round_ is None:
        abort(404)
    return publication, round_


def _file(data: bytes, mimetype: str, filename: str, *, inline: bool = False) -> ResponseReturnValue:
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: harvestable from anywhere
    return response


def _cached_render(publication: ReportPublication, fmt: str) -> bytes:
    """The published snapshot in ``fmt``, rendered once per snapshot (page cache)."""
    key = f"public-report:{publication.round_id}:{publication.snapshot.content_hash}:{fmt}"
    data = cache.get(key)
    if data is None:
        data = render(publishing.public_content(publication), fmt)
        cache.set(key, data)
    return data


@bp.app_template_global()
def report_publication(round_id: int) -> ReportPublication | None:
    """The publication row of a round (public or withdrawn) for the report page's panel."""
    return publishing.publication_state(round_id)


# ------------------------------------------------------------------------------ public pages


@bp.get("/zpravy")
def index() -> ResponseReturnValue:
    """Every published report, newest period first (no sign-in)."""
    return render_template("public/index.html", reports=publishing.published_reports())


@bp.get("/zpravy/<int:round_id>")
def report(round_id: int) -> ResponseReturnValue:
    """The published report, read-only, with its downloads (no sign-in)."""
    publication, round_ = _published(round_id)
    content = publishing.public_content(publication)
    document_html = render_template(
        "reports/_report.html",
        content=content,
        columns=content.column_labels,
        coordination_title=COORDINATION_TITLE,
        print=False,
        editor_links=False,
        can_edit=False,
        charts={},
    )
    return render_template(
        "public/report.html",
        round=round_,
        publication=publication,
        content=content,
        document_html=Markup(document_html),  # nosec B704 # noqa: S704 - our own autoescaped template
        formats=publishing.DOCUMENT_FORMATS,
    )


@bp.get("/zpravy/<int:round_id>/zprava.<fmt>")
def download(round_id: int, fmt: str) -> ResponseReturnValue:
    """The published report as DOCX, PDF or XLSX."""
    publication, round_ = _published(round_id)
    if fmt not in publishing.DOCUMENT_FORMATS:
        abort(404)
    return _file(_cached_render(publication, fmt), FORMATS[fmt][0], _filename(round_, fmt))


@bp.get("/zpravy/<int:round_id>/data.csv")
def data_csv(round_id: int) -> ResponseReturnValue:
    """The report's rows as CSV (UTF-8 with BOM, ``;``; :mod:`workflow.exports.csv`)."""
    publication, round_ = _published(round_id)
    return _file(_cached_render(publication, "csv"), FORMATS["csv"][0], _filename(round_, "csv"))


@bp.get("/zpravy/<int:round_id>/data.json")
def data_json(round_id: int) -> ResponseReturnValue:
    """The report's data as JSON (:func:`workflow.publishing.public_data`)."""
    publication, round_ = _published(round_id)
    body = json.dumps(publishing.public_data(publication, round_), ensure_ascii=False, indent=1)
    return _file(body.encode("utf-8"), JSON_TYPE, _filename(round_, "csv")[:-3] + "json", inline=True)


@bp.get("/zpravy/<int:round_id>/metadata.json")
def metadata(round_id: int) -> ResponseReturnValue:
    """The DCAT metadata record (JSON-LD) an open-data catalogue harvests."""
    publication, round_ = _published(round_id)
    base = current_app.config["BASE_URL"]

    def absolute(endpoint: str, **values: Any) -> str:
        return base + url_for(endpoint, round_id=round_.id, **values)

    downloads = {fmt.upper(): (absolute(".download", fmt=fmt), FORMATS[fmt][0].split(";")[0])
                 for fmt in publishing.DOCUMENT_FORMATS}
    downloads["CSV"] = (absolute(".data_csv"), "text/csv")
    downloads["JSON"] = (absolute(".data_json"), "application/json")
    record = publishing.catalogue_record(
        publication,
        round_,
        publisher=current_app.config["PUBLIC_PUBLISHER"],
        licence=current_app.config["PUBLIC_LICENCE"],
        page_url=absolute(".report"),
        downloads=downloads,
    )
    return _file(json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"), JSONLD_TYPE,
                 "metadata.json", inline=True)


# ------------------------------------------------------------------------ publish / withdraw


def _round(round_id: int) -> ReportingRound:
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.post("/kola/<int:round_id>/zverejneni")
@requires(Action.publish_report)
def publish(round_id: int) -> ResponseReturnValue:
    """Publish the closed round's report (its newest snapshot)."""
    round_ = _round(round_id)
    if ConfirmForm().validate_on_submit():  # a refusal (DomainError): flashed, back (web.uow)
        publishing.publish(round_, current_user)
        confirm(_("Zpráva je zveřejněna; kdokoli ji najde v seznamu zveřejněných zpráv."))
    return redirect(url_for("reports.report", round_id=round_.id))


@bp.post("/kola/<int:round_id>/zverejneni/zrusit")
@requires(Action.publish_report)
def unpublish(round_id: int) -> ResponseReturnValue:
    """Withdraw the public report, with a reason (kept in the round's history)."""
    round_ = _round(round_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Uveďte důvod zrušení zveřejnění."), "danger")
    else:
        publishing.unpublish(round_, current_user, form.reason.data or "")
        confirm(_("Zveřejnění zprávy je zrušeno."))
    return redirect(url_for("reports.report", round_id=round_.id))


@bp.app_template_global()
def may_publish_reports() -> bool:
    """True for a user who may publish reports (the report page's panel)."""
    return can(current_user, Action.publish_report)
