"""A plan's import history: reverting an import and deleting a plan (issue 14 §2).

An import can be reverted while no round run in the application uses what it created or changed
(past rounds recorded from a „Plnění“ column are part of the imports: their rows are in the change
sets and are put back too), and only the plan's newest committed import (reverting an older one
would overwrite what a later import wrote). A
plan can be deleted while it has no round run in the application (rounds recorded from an
imported „Plnění“ column go with it). Both refusals name the reason in Czech
(:class:`~workflow.errors.Conflict`); both actions are written to the audit log
(:mod:`workflow.audit`). Services flush, never commit.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Table, delete, or_, select, update

from workflow.audit import AuditKind, record
from workflow.db import db, utcnow
from workflow.errors import Conflict
from workflow.importing.changeset import KINDS, recreate, restore_values
from workflow.models import Entry, Plan, PlanImport, ReportingRound, RoundActivity, User

#: How many codes a refusal names before „…“.
_SHOWN = 5


def plan_imports(plan: Plan) -> list[PlanImport]:
    """The plan's committed and reverted imports, newest first."""
    return list(
        db.session.scalars(
            select(PlanImport)
            .where(PlanImport.plan_id == plan.id, PlanImport.status.in_(("committed", "reverted")))
            .order_by(PlanImport.committed_at.desc(), PlanImport.id.desc())
        )
    )


def _created_ids(plan_import: PlanImport, kind: str) -> set[int]:
    return {c.object_id for c in plan_import.changes if c.kind == kind and c.action == "created"}


def revert_refusal(plan_import: PlanImport) -> str | None:
    """Why ``plan_import`` cannot be reverted, in Czech, or ``None`` when it can."""
    if plan_import.status == "reverted":
        return _("Import už byl vrácen.")
    if plan_import.status != "committed" or plan_import.plan_id is None:
        return _("Import nebyl dokončen, není co vracet.")
    if not (plan_import.report or {}).get("change_set"):
        return _("Import proběhl před zavedením záznamu změn; jeho změny nelze vrátit.")
    newer = next(
        (other for other in plan_imports(plan_import.plan) if other.status == "committed"), None
    )
    if newer is not None and newer.id != plan_import.id:
        return _("Nejdřív vraťte novější import „%(file)s“; importy se vracejí od nejnovějšího.",
                 file=newer.filename)
    own_rounds = _created_ids(plan_import, "round")
    touched = {c.object_id for c in plan_import.changes if c.kind == "activity"}
    if "plan" in {c.kind for c in plan_import.changes if c.action == "created"}:
        clause = ReportingRound.plan_id == plan_import.plan_id
    elif touched:
        clause = or_(
            ReportingRound.id.in_(select(RoundActivity.round_id).where(RoundActivity.activity_id.in_(touched))),
            ReportingRound.id.in_(select(Entry.round_id).where(Entry.activity_id.in_(touched))),
        )
    else:
        return None
    # Past rounds recorded from a „Plnění“ column are part of the imports (their rows are in the
    # change sets); only rounds run in the application count as using the plan.
    query = select(ReportingRound).where(
        clause, ReportingRound.id.not_in(own_rounds or {-1}), ReportingRound.imported.is_(False)
    )
    round_ = db.session.scalars(query.order_by(ReportingRound.id)).first()
    if round_ is not None:
        return _("Import nelze vrátit: kolo „%(round)s“ používá aktivity, které import vytvořil nebo změnil.",
                 round=round_.title)
    return None


def revert_import(plan_import: PlanImport, actor: User | None) -> None:
    """Undo ``plan_import``: remove what it created, put back what it changed or removed. Flushes.

    A revert of the import that created the plan deletes the plan. The import stays in the
    history as ``reverted``.

    :raises Conflict: :func:`revert_refusal` gives a reason (message in Czech).
    """
    reason = revert_refusal(plan_import)
    if reason is not None:
        raise Conflict(reason)
    plan = plan_import.plan
    assert plan is not None
    title, plan_id = plan.title, plan.id
    order = list(KINDS)
    changes = sorted(plan_import.changes, key=lambda c: (-order.index(c.kind), -c.position))
    for change in changes:
        model = KINDS[change.kind]
        if change.action == "created":
            if change.kind == "plan":
                continue  # last: below
            _delete_rows(model.__table__, [change.object_id])
        elif change.action == "updated":
            obj = db.session.get(model, change.object_id)
            if obj is not None:
                restore_values(obj, change.before)
        else:
            recreate(change.kind, change.before)
        db.session.flush()
    plan_deleted = "plan" in {c.kind for c in changes if c.action == "created"}
    if plan_deleted:
        _delete_rows(Plan.__table__, [plan_id])
    db.session.expire_all()
    plan_import.status = "reverted"
    plan_import.reverted_at = utcnow()
    plan_import.reverted_by_id = actor.id if actor is not None else None
    if plan_deleted:
        plan_import.plan_id = None
    record(
        AuditKind.plan_import_reverted,
        actor=actor,
        summary=_("import „%(file)s“ plánu „%(plan)s“ vrácen (%(count)s změn)", file=plan_import.filename,
                  plan=title, count=len(changes)),
        details={"plan_id": plan_id, "import_id": plan_import.id, "plan_deleted": plan_deleted},
    )


def delete_refusal(plan: Plan) -> str | None:
    """Why ``plan`` cannot be deleted, in Czech, or ``None`` when it can (no round run in the
    application; rounds recorded from an imported „Plnění“ column do not count)."""
    round_ = db.session.scalars(
        select(ReportingRound)
        .where(ReportingRound.plan_id == plan.id, ReportingRound.imported.is_(False))
        .order_by(ReportingRound.id)
    ).first()
    if round_ is not None:
        return _("Plán nelze smazat: má kolo „%(round)s“. Smazat lze jen plán bez kol.", round=round_.title)
    return None


def delete_plan(plan: Plan, actor: User | None) -> None:
    """Delete ``plan`` with its nodes, activities, routing and imported past rounds. Flushes.

    :raises Conflict: the plan has a round run in the application (message in Czech).
    """
    reason = delete_refusal(plan)
    if reason is not None:
        raise Conflict(reason)
    title, plan_id = plan.title, plan.id
    activities = len(plan.activities)
    db.session.execute(update(PlanImport).where(PlanImport.plan_id == plan_id).values(plan_id=None))
    _delete_rows(Plan.__table__, [plan_id])
    db.session.expire_all()
    record(
        AuditKind.plan_deleted,
        actor=actor,
        summary=_("plán „%(plan)s“ smazán (%(count)s aktivit)", plan=title, count=activities),
        details={"plan_id": plan_id, "title": title},
    )


def _delete_rows(table: Table, ids: list[Any]) -> None:
    """Delete rows of ``table`` by primary key with what depends on them.

    PostgreSQL does it with the schema's ``ON DELETE CASCADE``/``SET NULL`` (also past the
    append-only triggers, which allow a cascade); other databases (SQLite without foreign-key
    enforcement) get the same cascade walked here over the metadata's foreign keys.
    """
    if not ids:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        _cascade(table, ids)
    db.session.execute(delete(table).where(table.c.id.in_(ids)))


def _cascade(table: Table, ids: list[Any]) -> None:
    if not ids:  # also ends the walk down a self-referencing table (plan nodes under plan nodes)
        return
    for other in db.metadata.sorted_tables:
        for fk in other.foreign_keys:
            if fk.column.table is not table or fk.column.name != "id":
                continue
            column = fk.parent
            if fk.ondelete == "CASCADE":
                if "id" in other.c:
                    child_ids = list(db.session.scalars(select(other.c.id).where(column.in_(ids))))
                    _cascade(other, child_ids)
                db.session.execute(delete(other).where(column.in_(ids)))
            elif fk.ondelete == "SET NULL":
                db.session.execute(update(other).where(column.in_(ids)).values({column.name: None}))
