"""Plan import in the browser: upload → (column mapping) → preview → commit.

The uploaded file is kept in a :class:`PlanImport` row (bytes in the database), so every step may
be served by a different web process. Nothing of the plan is written before the commit button;
a file that cannot be imported writes nothing at all (the request's unit of work, :mod:`web.uow`,
commits or rolls back). Only users allowed
``Action.import_plan`` (administrators, secretaries) may use these pages.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.orm import defer, joinedload
from wtforms.fields.choices import SelectChoice

from forms.imports import NEW_PLAN, ActionForm, UploadForm, mapping_form
from web.extensions import db
from web.uow import confirm, fail
from web.views.guards import requires
from workflow.bodies import ensure_seed_bodies
from workflow.collation import czech
from workflow.db import utcnow
from workflow.entries import safe_filename
from workflow.importing import (
    TARGETS,
    ImportOptions,
    PlanImportError,
    commit_import,
    describe_columns,
    preview_import,
)
from workflow.models import Plan, PlanImport
from workflow.permissions import Action

bp = Blueprint("imports", __name__)

#: Issue codes that a column mapping can fix: such an upload goes to the mapping page.
MAPPING_ISSUES = frozenset({"missing_header", "duplicate_field", "unknown_header", "unknown_field"})
#: Uploads left pending longer than this are deleted when someone uploads a new file.
PENDING_LIFETIME = timedelta(days=7)


def _options_from_form(form: UploadForm) -> ImportOptions:
    return ImportOptions(
        title=(form.title.data or "").strip() or None,
        strategy=(form.strategy.data or "").strip() or None,
        period=(form.period.data or "").strip() or None,
        level_names=form.parsed_level_names(),
        default_body=(form.default_body.data or "OSV").strip(),
    )


def _get_import(import_id: int) -> PlanImport:
    record = db.session.get(PlanImport, import_id)
    if record is None:
        abort(404)
    return record


def _recent_imports() -> list[PlanImport]:
    query = (
        select(PlanImport)
        .options(defer(PlanImport.content), joinedload(PlanImport.plan), joinedload(PlanImport.created_by))
        .order_by(PlanImport.created_at.desc(), PlanImport.id.desc())
        .limit(10)
    )
    return list(db.session.scalars(query))


@bp.route("/import", methods=["GET", "POST"])
@requires(Action.import_plan)
def new_import() -> ResponseReturnValue:
    """Upload form; a readable file is stored and the user continues to the preview (or mapping)."""
    form = UploadForm()
    plans = db.session.scalars(select(Plan).order_by(czech(Plan.title), Plan.id)).all()
    form.plan_id.choices = [SelectChoice(NEW_PLAN, _("Nový plán (nebo plán se stejným názvem)"))] + [
        SelectChoice(plan.id, plan.title) for plan in plans
    ]
    issues = []
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        filename = safe_filename(upload.filename or "", default="soubor")
        options = _options_from_form(form)
        plan = db.session.get(Plan, form.plan_id.data) if form.plan_id.data else None
        needs_mapping = False
        try:
            ensure_seed_bodies()
            preview_import(content, filename, options=options, plan=plan)
        except PlanImportError as exc:
            if all(issue.code in MAPPING_ISSUES for issue in exc.issues):
                needs_mapping = True
            else:
                fail()
                issues = exc.issues
                status = 422
        if not issues:
            db.session.execute(
                delete(PlanImport).where(
                    PlanImport.status == "pending", PlanImport.created_at < utcnow() - PENDING_LIFETIME
                )
            )
            record = PlanImport(
                filename=filename,
                content=content,
                mapping={},
                options=options.as_dict(),
                plan_id=plan.id if plan is not None else None,
                created_by_id=current_user.id,
            )
            db.session.add(record)
            db.session.flush()  # the id for the next page; the boundary commits
            if needs_mapping:
                confirm(_("Sloupce souboru se nepodařilo rozpoznat. Přiřaďte je polím plánu."), "warning")
                return redirect(url_for(".mapping", import_id=record.id))
            return redirect(url_for(".preview", import_id=record.id))
    elif form.is_submitted():
        status = 422
    return (
        render_template("imports/new.html", form=form, issues=issues, recent=_recent_imports()),
        status,
    )


@bp.route("/import/<int:import_id>/mapovani", methods=["GET", "POST"])
@requires(Action.import_plan)
def mapping(import_id: int) -> ResponseReturnValue:
    """Column mapping: every source column with a select of target fields, pre-filled."""
    record = _get_import(import_id)
    if record.status != "pending":
        flash(_("Tento import už byl dokončen."), "info")
        return redirect(url_for(".preview", import_id=record.id))
    try:
        columns = describe_columns(record.content, record.filename, record.mapping or None)
    except PlanImportError as exc:
        return render_template(
            "imports/preview.html", record=record, preview=None, issues=exc.issues, form=ActionForm()
        ), 422
    if columns is None:
        flash(_("Soubor JSON má pevnou strukturu a mapování sloupců nepotřebuje."), "info")
        return redirect(url_for(".preview", import_id=record.id))
    headers = [column.header for column in columns]
    choices = [(target, _(label)) for target, label in TARGETS.items()]
    form = mapping_form(headers, choices, {column.header: column.target for column in columns})
    issues = []
    status = 200
    if form.validate_on_submit():
        chosen = {header: form[f"col_{index}"].data for index, header in enumerate(headers)}
        try:
            preview_import(
                record.content,
                record.filename,
                mapping=chosen,
                options=ImportOptions.from_dict(record.options),
                plan=record.plan,
            )
        except PlanImportError as exc:
            fail()
            issues = exc.issues
            status = 422
        else:
            record.mapping = chosen
            confirm(_("Mapování sloupců je uloženo."))
            return redirect(url_for(".preview", import_id=record.id))
    elif form.is_submitted():
        status = 400
    rows = [(column, form[f"col_{index}"]) for index, column in enumerate(columns)]
    return render_template("imports/mapping.html", record=record, rows=rows, form=form, issues=issues), status


@bp.get("/import/<int:import_id>")
@requires(Action.import_plan)
def preview(import_id: int) -> ResponseReturnValue:
    """What the import will do (or did): counts, activities new/updated/unchanged, routing, warnings."""
    record = _get_import(import_id)
    if record.status != "pending":
        return render_template(
            "imports/preview.html", record=record, preview=None, issues=[], form=ActionForm()
        )
    try:
        result = preview_import(
            record.content,
            record.filename,
            mapping=record.mapping or None,
            options=ImportOptions.from_dict(record.options),
            plan=record.plan,
        )
    except PlanImportError as exc:
        return (
            render_template(
                "imports/preview.html", record=record, preview=None, issues=exc.issues, form=ActionForm()
            ),
            422,
        )
    return render_template(
        "imports/preview.html", record=record, preview=result, issues=[], form=ActionForm()
    )


@bp.post("/import/<int:import_id>/potvrdit", endpoint="commit")
@requires(Action.import_plan)
def confirm_import(import_id: int) -> ResponseReturnValue:
    """Write the previewed import in one transaction and go to the plan."""
    if not ActionForm().validate_on_submit():
        abort(400)
    record = db.session.get(PlanImport, import_id, with_for_update=True)
    if record is None:
        abort(404)
    if record.status != "pending":
        flash(_("Tento import už byl dokončen."), "info")
        return redirect(url_for(".preview", import_id=record.id))
    try:
        ensure_seed_bodies()
        result = commit_import(
            record.content,
            record.filename,
            mapping=record.mapping or None,
            options=ImportOptions.from_dict(record.options),
            plan=record.plan,
            actor=current_user,
        )
    except PlanImportError:
        fail()
        flash(
            _("Import se nezdařil a nic nebylo uloženo. Opravte chyby v souboru a nahrajte jej znovu."),
            "danger",
        )
        return redirect(url_for(".preview", import_id=import_id))
    assert result.plan is not None
    record.status = "committed"
    record.plan_id = result.plan.id
    record.report = result.as_report()
    record.committed_at = utcnow()
    confirm(
        _(
            "Plán „%(title)s“ byl importován: %(created)s nových aktivit, %(updated)s změněných, "
            "%(unchanged)s beze změny.",
            title=result.plan.title,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )
    return redirect(url_for("plans.detail", plan_id=result.plan.id))


@bp.post("/import/<int:import_id>/zrusit")
@requires(Action.import_plan)
def cancel(import_id: int) -> ResponseReturnValue:
    """Discard a pending upload."""
    if not ActionForm().validate_on_submit():
        abort(400)
    record = _get_import(import_id)
    if record.status == "pending":
        db.session.delete(record)
        confirm(_("Nahraný soubor byl zahozen; nic nebylo importováno."), "info")
    return redirect(url_for(".new_import"))
