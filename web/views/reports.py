"""The consolidated report of a round: the report page, exports (inline and in the background with
a progress indicator), statistics, the consolidation editor, the closing checklist with close and
reopen, and the period report across rounds. See ``docs/report.md``."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from forms.reports import ConfirmForm, ConsolidationForm, ExportForm, MissingTextForm, ReasonForm, StatusForm
from web.extensions import cache, db
from web.views.guards import requires
from web.views.outcome import carry_out
from workflow import closing
from workflow.consolidation import (
    ConsolidationError,
    activity_statuses,
    approved_parts,
    consolidate_round,
    consolidation_history,
    set_status_override,
)
from workflow.consolidation import (
    edit_consolidation as edit_consolidation_text,
)
from workflow.exports import FORMATS, czech_lines_html, czech_nbsp
from workflow.exports.cache import export_now, export_path, normalize_sections, request_export
from workflow.exports.charts import statistics_charts
from workflow.exports.html import czech_iso_date
from workflow.models import Activity, Consolidation, Entry, Plan, ReportExport, ReportingRound, StatusOverride
from workflow.permissions import Action, can
from workflow.report import COLUMNS, COORDINATION_TITLE, build_period_report, build_report, frozen_hash
from workflow.statistics import round_statistics

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


def _round(round_id: int) -> ReportingRound:
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        abort(404)
    return round_


def _activity(round_: ReportingRound, activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.plan_id != round_.plan_id:
        abort(404)
    return activity


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


# ------------------------------------------------------------------------------------- report


@bp.get("/kola/<int:round_id>/zprava")
@requires(Action.view_reports)
def report(round_id: int) -> ResponseReturnValue:
    """The consolidated report as a page, with the export buttons.

    The report of a closed round prints its snapshot, which never changes: its rendered document
    is kept in the page cache (Flask-Caching; Redis or ``INSTANCE_PATH/cache``) under the snapshot's
    hash, the round and the language, for ``PAGE_CACHE_SECONDS``; a reopened and closed-again round
    has a new snapshot and so a new key. Live reports are rendered on every request.
    """
    round_ = _round(round_id)
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


@bp.get("/kola/<int:round_id>/zprava.<fmt>")
@requires(Action.view_reports)
def download(round_id: int, fmt: str) -> ResponseReturnValue:
    """The report as a file (``?oddily=assessments,statistics``), built now or taken from the cache."""
    round_ = _round(round_id)
    if fmt not in FORMATS:
        abort(404)
    sections = normalize_sections(request.args.get("oddily", ""))
    _export, path = export_now(round_, fmt, sections, current_user, exports_dir())
    db.session.commit()
    return send_export(round_, fmt, path)


@bp.post("/kola/<int:round_id>/zprava/export")
@requires(Action.view_reports)
def start_export(round_id: int) -> ResponseReturnValue:
    """Ask for an export built in the background; shows its progress page."""
    round_ = _round(round_id)
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("Vyberte formát exportu."), "danger")
        return redirect(url_for(".report", round_id=round_.id))
    export, created = request_export(
        round_, form.fmt.data, normalize_sections(form.sections.data), current_user
    )
    db.session.commit()
    if created:
        _dispatch_export(export)
        flash(_("Export se připravuje. Stránka se sama obnoví, až bude hotový."), "info")
    return redirect(url_for(".export_status", round_id=round_.id, export_id=export.id))


def _dispatch_export(export: ReportExport) -> None:
    """Queue the build on this app's broker; when the broker is unreachable, build it right away
    (the user gets the file a little later instead of an error)."""
    celery = current_app.extensions["celery"]  # this app's broker, whatever Celery app is "current"
    try:
        celery.send_task("workflow.build_report_export", (export.id,), retry=False)
    except Exception as exc:  # broker down: build inline, as the direct download does
        current_app.logger.warning("export %s built inline, broker unavailable (%s)", export.id,
                                   exc.__class__.__name__)
        from workflow.tasks import build_report_export

        build_report_export(export.id)


def _export(round_: ReportingRound, export_id: int) -> ReportExport:
    export = db.session.get(ReportExport, export_id)
    if export is None or export.round_id != round_.id:
        abort(404)
    return export


@bp.get("/kola/<int:round_id>/zprava/export/<int:export_id>")
@requires(Action.view_reports)
def export_status(round_id: int, export_id: int) -> ResponseReturnValue:
    """Progress of a background export (htmx polls the fragment every 2 s until it is done)."""
    round_ = _round(round_id)
    export = _export(round_, export_id)
    template = "reports/_export_progress.html" if request.headers.get("HX-Request") else "reports/export.html"
    return render_template(template, round=round_, export=export)


@bp.get("/kola/<int:round_id>/zprava/export/<int:export_id>/soubor")
@requires(Action.view_reports)
def export_file(round_id: int, export_id: int) -> ResponseReturnValue:
    """The file of a finished background export."""
    round_ = _round(round_id)
    export = _export(round_, export_id)
    path = export_path(export, exports_dir())
    if export.state != "ready" or not path.exists():
        abort(404)
    return send_export(round_, export.fmt, path)


# ----------------------------------------------------------------------------------- statistics


@bp.get("/kola/<int:round_id>/statistika")
@requires(Action.view_reports)
def statistics(round_id: int) -> ResponseReturnValue:
    """Statistics of the round: SVG charts and the same numbers in tables."""
    round_ = _round(round_id)
    stats = round_statistics(round_)
    return render_template(
        "reports/statistics.html", round=round_, stats=stats, charts=statistics_charts(stats), print=False
    )


# ------------------------------------------------------------------------------- consolidation


@bp.route("/kola/<int:round_id>/souhrn/<int:activity_id>", methods=["GET", "POST"])
@requires(Action.edit_consolidation)
def edit_consolidation(round_id: int, activity_id: int) -> ResponseReturnValue:
    """Edit an activity's consolidated text and „Komentář“ (versioned); override its status."""
    round_ = _round(round_id)
    activity = _activity(round_, activity_id)
    consolidation = db.session.scalars(
        select(Consolidation).where(
            Consolidation.round_id == round_.id, Consolidation.activity_id == activity.id
        )
    ).first()
    history = consolidation_history(round_, activity)
    parts = approved_parts(round_).get(activity.id, [])
    override = db.session.scalars(
        select(StatusOverride).where(
            StatusOverride.round_id == round_.id, StatusOverride.activity_id == activity.id
        )
    ).first()
    form = ConsolidationForm(prefix="souhrn")
    status_form = StatusForm(prefix="stav")
    if request.method == "GET":
        form.text.data = consolidation.text if consolidation else ""
        form.comment.data = history[0].comment if history else ""
        status_form.status.data = override.status if override else ""
        status_form.reason.data = override.reason if override else ""
    elif "souhrn-text" in request.form and form.validate_on_submit():
        try:
            edit_consolidation_text(
                round_, activity, current_user, text=form.text.data, comment=form.comment.data or ""
            )
        except ConsolidationError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Souhrn aktivity %(code)s byl uložen jako nová verze.", code=activity.code), "success")
            return redirect(url_for(".report", round_id=round_.id, _anchor=f"aktivita-{activity.code}"))
    elif "stav-status" in request.form and status_form.validate_on_submit():
        try:
            set_status_override(
                round_,
                activity,
                current_user,
                status=status_form.status.data or None,
                reason=status_form.reason.data or "",
            )
        except ConsolidationError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(_("Stav plnění aktivity %(code)s byl uložen.", code=activity.code), "success")
            return redirect(url_for(".edit_consolidation", round_id=round_.id, activity_id=activity.id))
    derived = activity_statuses(round_).get(activity.id, {})
    return render_template(
        "reports/consolidation.html",
        round=round_,
        activity=activity,
        form=form,
        status_form=status_form,
        history=history,
        parts=parts,
        derived=derived,
        override=override,
        editable=round_.state != "closed",
    )


@bp.post("/kola/<int:round_id>/souhrn/sloucit")
@requires(Action.edit_consolidation)
def consolidate(round_id: int) -> ResponseReturnValue:
    """Merge the approved entries into the consolidated texts (texts edited by hand are kept)."""
    round_ = _round(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        changed = consolidate_round(round_, current_user)
    except ConsolidationError as exc:
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(
            _("Souhrnné texty sloučeny ze schválených odpovědí: změněno %(n)d aktivit.", n=changed), "success"
        )
    return redirect(url_for(".report", round_id=round_.id))


# ------------------------------------------------------------------------------------- closing


@bp.get("/kola/<int:round_id>/uzavreni")
@requires(Action.manage_rounds)
def closing_page(round_id: int) -> ResponseReturnValue:
    """The closing checklist: what blocks closing, waivers, the close button."""
    round_ = _round(round_id)
    checklist = closing.closing_checklist(round_) if round_.state == "open" else None
    missing_form = MissingTextForm(formdata=None, text=str(closing.DEFAULT_MISSING_TEXT))
    return render_template(
        "reports/closing.html",
        round=round_,
        checklist=checklist,
        confirm_form=ConfirmForm(),
        reason_form=ReasonForm(),
        missing_form=missing_form,
        can_reopen=can(current_user, Action.reopen_round),
    )


@bp.post("/kola/<int:round_id>/uzavreni/prominout/<int:entry_id>")
@requires(Action.manage_rounds)
def waive(round_id: int, entry_id: int) -> ResponseReturnValue:
    """Waive one entry with a reason."""
    round_ = _round(round_id)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.round_id != round_.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Uveďte důvod prominutí."), "danger")
        return redirect(url_for(".closing_page", round_id=round_.id))
    carry_out(
        lambda: closing.waive_entry(entry, current_user, form.reason.data or ""),
        _("Záznam %(code)s – %(body)s byl prominut.", code=entry.activity.code, body=entry.body.abbreviation),
    )
    return redirect(url_for(".closing_page", round_id=round_.id))


@bp.post("/kola/<int:round_id>/uzavreni/prominout-zbyvajici")
@requires(Action.manage_rounds)
def waive_remaining(round_id: int) -> ResponseReturnValue:
    """Waive every entry that is neither approved nor waived, with one reason."""
    round_ = _round(round_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Uveďte důvod prominutí."), "danger")
        return redirect(url_for(".closing_page", round_id=round_.id))
    carry_out(
        lambda: closing.waive_remaining(round_, current_user, form.reason.data or ""),
        lambda count: _("Prominuto záznamů: %(count)d.", count=count),
    )
    return redirect(url_for(".closing_page", round_id=round_.id))


@bp.post("/kola/<int:round_id>/uzavreni/doplnit-texty")
@requires(Action.manage_rounds)
def fill_missing(round_id: int) -> ResponseReturnValue:
    """Give every activity still without a consolidated text one stated text."""
    round_ = _round(round_id)
    form = MissingTextForm()
    if not form.validate_on_submit():
        flash(_("Souhrnný text nesmí být prázdný."), "danger")
        return redirect(url_for(".closing_page", round_id=round_.id))
    carry_out(
        lambda: closing.fill_missing_texts(round_, current_user, form.text.data or ""),
        lambda count: _("Text doplněn k aktivitám: %(count)d.", count=count),
    )
    return redirect(url_for(".closing_page", round_id=round_.id))


@bp.post("/kola/<int:round_id>/uzavreni/uzavrit")
@requires(Action.manage_rounds)
def close(round_id: int) -> ResponseReturnValue:
    """Close the round: freeze it and store the snapshot of its report."""
    round_ = _round(round_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if carry_out(
        lambda: closing.close_with_snapshot(round_, current_user),
        _("Kolo bylo uzavřeno a souhrnná zpráva zmrazena."),
    ):
        return redirect(url_for(".report", round_id=round_.id))
    return redirect(url_for(".closing_page", round_id=round_.id))


@bp.post("/kola/<int:round_id>/uzavreni/znovu-otevrit")
@requires(Action.reopen_round)
def reopen(round_id: int) -> ResponseReturnValue:
    """Reopen a closed round (administrator, with a reason)."""
    round_ = _round(round_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Uveďte důvod znovuotevření kola."), "danger")
        return redirect(url_for(".closing_page", round_id=round_.id))
    carry_out(
        lambda: closing.reopen(round_, current_user, form.reason.data or ""), _("Kolo bylo znovu otevřeno.")
    )
    return redirect(url_for(".closing_page", round_id=round_.id))


# -------------------------------------------------------------------------------- period report


@bp.get("/plany/<int:plan_id>/zprava-za-obdobi")
@requires(Action.view_reports)
def period(plan_id: int) -> ResponseReturnValue:
    """Texts of several rounds side by side (``?kolo=1&kolo=2``; default: all rounds of the plan)."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    all_rounds = db.session.scalars(
        select(ReportingRound)
        .where(ReportingRound.plan_id == plan.id)
        .order_by(ReportingRound.period_start, ReportingRound.id)
    ).all()
    chosen_ids = {int(v) for v in request.args.getlist("kolo") if v.isdigit()}
    rounds = [r for r in all_rounds if r.id in chosen_ids] if chosen_ids else list(all_rounds)
    period_report = build_period_report(rounds) if rounds else None
    return render_template(
        "reports/period.html",
        plan=plan,
        all_rounds=all_rounds,
        chosen=chosen_ids,
        period_report=period_report,
    )
