"""Plan import in the browser: upload → (sheets and column mapping) → preview → commit; a plan's
import history with revert, and deleting a plan (issue 14 §2).

The uploaded file is kept in a :class:`PlanImport` row (bytes in the database), so every step may
be served by a different web process. Nothing of the plan is written before the commit button;
a file that cannot be imported writes nothing at all (the request's unit of work, :mod:`web.uow`,
commits or rolls back). The target is chosen on every upload: a new plan (title and period) or
the plan to update; the mapping saved with that plan is used without asking again. Only users
allowed ``Action.import_plan`` (administrators, secretaries) may use these pages; deleting a plan
needs ``Action.delete_plan``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
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
    LEVEL_FIELDS,
    SHEET_ROLES,
    TARGETS,
    ImportOptions,
    ImportPreview,
    PlanImportError,
    commit_import,
    describe_sheets,
    preview_import,
)
from workflow.importing.mapping import IGNORE
from workflow.models import Plan, PlanImport
from workflow.permissions import Action
from workflow.plan_history import delete_plan, delete_refusal, plan_imports, revert_import, revert_refusal

bp = Blueprint("imports", __name__)

#: Issue codes that a column mapping can fix: such an upload goes to the mapping page.
MAPPING_ISSUES = frozenset(
    {
        "missing_header",
        "duplicate_field",
        "unknown_header",
        "unknown_field",
        "unknown_sheet",
        "unknown_role",
        "duplicate_sheet",
        "no_activity_sheet",
    }
)
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


def _record_mapping(record: PlanImport) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """``(columns, sheet roles)`` chosen on the mapping page for an upload (none: the plan's saved
    mapping, else the recognised headers)."""
    saved = record.mapping or {}
    if "columns" in saved or "sheets" in saved:
        return dict(saved.get("columns") or {}) or None, dict(saved.get("sheets") or {}) or None
    return dict(saved) or None, None  # uploads stored before issue 14: a flat {header: field}


def _preview(record: PlanImport) -> ImportPreview:
    columns, sheets = _record_mapping(record)
    return preview_import(
        record.content,
        record.filename,
        mapping=columns,
        sheets=sheets,
        options=ImportOptions.from_dict(record.options),
        plan=record.plan,
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
    form.plan_id.choices = [
        SelectChoice("", _("— zvolte cíl importu —")),
        SelectChoice(NEW_PLAN, _("Nový plán (zadejte název a období)")),
    ] + [SelectChoice(str(plan.id), _("Aktualizovat plán „%(title)s“", title=plan.title)) for plan in plans]
    issues = []
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        filename = safe_filename(upload.filename or "", default="soubor")
        options = _options_from_form(form)
        plan = None if form.is_new_plan else db.session.get(Plan, int(form.plan_id.data))
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
    """Sheets and column mapping: every sheet with a role select, every column with a field select,
    pre-filled with what the import would do now."""
    record = _get_import(import_id)
    if record.status != "pending":
        flash(_("Tento import už byl dokončen."), "info")
        return redirect(url_for(".preview", import_id=record.id))
    columns_given, sheets_given = _record_mapping(record)
    try:
        described = describe_sheets(record.content, record.filename, columns_given, sheets_given, record.plan)
    except PlanImportError as exc:
        return render_template(
            "imports/preview.html", record=record, preview=None, issues=exc.issues, form=ActionForm()
        ), 422
    if described is None:
        flash(_("Soubor JSON má pevnou strukturu a mapování sloupců nepotřebuje."), "info")
        return redirect(url_for(".preview", import_id=record.id))
    columns, all_sheets, level_columns = described
    sheets = [info for info in all_sheets if info.title]  # a CSV file is one unnamed sheet
    headers = [column.header for column in columns]
    level_keys = [(f"{column.level_sheet}!{column.header}", column) for column in level_columns]
    form = mapping_form(
        headers,
        [(target, _(label)) for target, label in TARGETS.items()],
        {column.header: column.target for column in columns},
        sheets=[(info.title, info.role) for info in sheets],
        role_choices=[(role, _(label)) for role, label in SHEET_ROLES.items()],
        level_columns=[(key, column.target) for key, column in level_keys],
        level_choices=[(f, _(label)) for f, label in LEVEL_FIELDS.items()] + [(IGNORE, _("(ignorovat)"))],
    )
    issues = []
    status = 200
    if form.validate_on_submit():
        chosen = {header: form[f"col_{index}"].data for index, header in enumerate(headers)}
        chosen.update({key: form[f"lvl_{index}"].data for index, (key, _column) in enumerate(level_keys)})
        roles = {info.title: form[f"sheet_{index}"].data for index, info in enumerate(sheets)}
        try:
            preview_import(
                record.content,
                record.filename,
                mapping=chosen,
                sheets=roles or None,
                options=ImportOptions.from_dict(record.options),
                plan=record.plan,
            )
        except PlanImportError as exc:
            fail()
            issues = exc.issues
            status = 422
        else:
            record.mapping = {"columns": chosen, "sheets": roles}
            confirm(_("Mapování sloupců je uloženo."))
            return redirect(url_for(".preview", import_id=record.id))
    elif form.is_submitted():
        status = 400
    rows = [(column, form[f"col_{index}"]) for index, column in enumerate(columns)]
    sheet_rows = [(info, form[f"sheet_{index}"]) for index, info in enumerate(sheets)]
    level_rows = [(column, form[f"lvl_{index}"]) for index, (_key, column) in enumerate(level_keys)]
    return render_template(
        "imports/mapping.html",
        record=record,
        rows=rows,
        sheet_rows=sheet_rows,
        level_rows=level_rows,
        form=form,
        issues=issues,
    ), status


@bp.get("/import/<int:import_id>")
@requires(Action.import_plan)
def preview(import_id: int) -> ResponseReturnValue:
    """What the import will do (or did): sheets, columns, counts, activities, routing, warnings."""
    record = _get_import(import_id)
    if record.status != "pending":
        return render_template(
            "imports/preview.html", record=record, preview=None, issues=[], form=ActionForm()
        )
    try:
        result = _preview(record)
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
    columns, sheets = _record_mapping(record)
    try:
        ensure_seed_bodies()
        result = commit_import(
            record.content,
            record.filename,
            mapping=columns,
            sheets=sheets,
            options=ImportOptions.from_dict(record.options),
            plan=record.plan,
            actor=current_user,
            record=record,
        )
    except PlanImportError:
        fail()
        flash(
            _("Import se nezdařil a nic nebylo uloženo. Opravte chyby v souboru a nahrajte jej znovu."),
            "danger",
        )
        return redirect(url_for(".preview", import_id=import_id))
    assert result.plan is not None
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


# ------------------------------------------------------------------- history, revert, delete plan


def _get_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan


def _plan_import(plan: Plan, import_id: int) -> PlanImport:
    record = db.session.get(PlanImport, import_id)
    if record is None or record.plan_id != plan.id:
        abort(404)
    return record


@bp.get("/plany/<int:plan_id>/importy")
@requires(Action.import_plan)
def history(plan_id: int) -> ResponseReturnValue:
    """The plan's imports, newest first: file, who, when, counts, changes, and „Vrátit import“."""
    plan = _get_plan(plan_id)
    records = plan_imports(plan)
    refusals = {record.id: revert_refusal(record) for record in records}
    return render_template(
        "imports/history.html",
        plan=plan,
        records=records,
        refusals=refusals,
        delete_reason=delete_refusal(plan),
        form=ActionForm(),
    )


@bp.route("/plany/<int:plan_id>/importy/<int:import_id>/vratit", methods=["GET", "POST"])
@requires(Action.import_plan)
def revert(plan_id: int, import_id: int) -> ResponseReturnValue:
    """Confirmation page of a revert (GET: what it undoes, or why it cannot); POST reverts."""
    plan = _get_plan(plan_id)
    record = _plan_import(plan, import_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        revert_import(record, current_user)  # a refusal (Conflict) is flashed by the error handler
        confirm(_("Import „%(file)s“ byl vrácen.", file=record.filename))
        if record.plan_id is None:
            return redirect(url_for("plans.list_plans"))
        return redirect(url_for(".history", plan_id=plan.id))
    return render_template(
        "imports/revert.html", plan=plan, record=record, reason=revert_refusal(record), form=form
    )


@bp.route("/plany/<int:plan_id>/smazat", methods=["GET", "POST"], endpoint="delete_plan")
@requires(Action.delete_plan)
def delete_plan_page(plan_id: int) -> ResponseReturnValue:
    """Confirmation page of deleting a plan (GET: what goes, or why it cannot); POST deletes."""
    plan = _get_plan(plan_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        title = plan.title
        delete_plan(plan, current_user)  # a refusal (Conflict) is flashed by the error handler
        confirm(_("Plán „%(title)s“ byl smazán.", title=title))
        return redirect(url_for("plans.list_plans"))
    return render_template("imports/delete.html", plan=plan, reason=delete_refusal(plan), form=form)
