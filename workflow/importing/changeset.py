"""The change set of an import: what it created, changed or removed, with the values before.

:func:`take_snapshot` reads every row an import may touch (the plan, the nodes of its levels
and its activities with their routing, and the imported past round with its entries and consolidated
texts) before the import writes; :func:`record_changes` compares it with the same rows after the
import and stores one :class:`~workflow.models.PlanImportChange` per row that differs. Reverting
(:mod:`workflow.plan_history`) walks that list backwards with :func:`restore_values`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, TypeDecorator, inspect, select
from sqlalchemy.orm import selectinload

from workflow.db import db
from workflow.models import (
    Activity,
    ActivityBody,
    Consolidation,
    Entry,
    Plan,
    PlanImport,
    PlanImportChange,
    PlanNode,
    ReportingRound,
)

#: Models of a change set by kind, in the order an import creates them (a revert goes backwards).
KINDS: dict[str, type[Any]] = {
    "plan": Plan,
    "node": PlanNode,
    "activity": Activity,
    "round": ReportingRound,
    "entry": Entry,
    "consolidation": Consolidation,
}
#: Columns never compared nor restored: keys, bookkeeping times and the optimistic-lock counter.
_SKIPPED = frozenset({"id", "created_at", "updated_at", "version"})


@dataclass
class Snapshot:
    """Rows an import may touch: ``{(kind, id): (label, values)}``."""

    rows: dict[tuple[str, int], tuple[str, dict[str, Any]]] = field(default_factory=dict)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def row_values(obj: Any) -> dict[str, Any]:
    """The column values of a tracked row as JSON-friendly data (dates as ISO text); an activity's
    routing as ``"routing": [body id, …]``, lead first."""
    values = {
        attr.key: _jsonable(getattr(obj, attr.key))
        for attr in inspect(type(obj)).column_attrs
        if attr.key not in _SKIPPED
    }
    if isinstance(obj, Activity):
        values["routing"] = [link.body_id for link in obj.routing]
    return values


def _label(kind: str, obj: Any, codes: dict[int, str]) -> str:
    if kind == "plan":
        return obj.title
    if kind == "round":
        return obj.title
    if kind in ("entry", "consolidation"):
        return codes.get(obj.activity_id, "")
    return obj.code


def _rows(plan_id: int | None, round_title: str | None) -> list[tuple[str, Any]]:
    """Every tracked row of the plan (and of its imported round titled ``round_title``)."""
    if plan_id is None:
        return []
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        return []
    found: list[tuple[str, Any]] = [("plan", plan)]
    found += [
        ("node", n)
        for n in db.session.scalars(
            select(PlanNode).where(PlanNode.plan_id == plan_id).order_by(PlanNode.depth, PlanNode.id)
        )
    ]
    found += [
        ("activity", a)
        for a in db.session.scalars(
            select(Activity).where(Activity.plan_id == plan_id).options(selectinload(Activity.routing))
        )
    ]
    if round_title:
        round_ = db.session.scalars(
            select(ReportingRound).where(
                ReportingRound.plan_id == plan_id,
                ReportingRound.title == round_title,
                ReportingRound.imported.is_(True),
            )
        ).first()
        if round_ is not None:
            found.append(("round", round_))
            entries = db.session.scalars(select(Entry).where(Entry.round_id == round_.id))
            found += [("entry", e) for e in entries]
            found += [
                ("consolidation", c)
                for c in db.session.scalars(select(Consolidation).where(Consolidation.round_id == round_.id))
            ]
    return found


def take_snapshot(plan_id: int | None, round_title: str | None) -> Snapshot:
    """Read the rows an import of plan ``plan_id`` may touch (nothing for a new plan).

    :param round_title: title of the imported past round the file's „Plnění“ texts go to, if any.
    """
    rows = _rows(plan_id, round_title)
    codes = {obj.id: obj.code for kind, obj in rows if kind == "activity"}
    return Snapshot({(kind, obj.id): (_label(kind, obj, codes), row_values(obj)) for kind, obj in rows})


def record_changes(record: PlanImport, before: Snapshot, plan_id: int, round_title: str | None) -> int:
    """Store the change set of ``record``: rows created, changed (with their values before) and
    removed since ``before``. Flushes.

    :returns: the number of changes recorded.
    """
    db.session.flush()
    after_rows = _rows(plan_id, round_title)
    codes = {obj.id: obj.code for kind, obj in after_rows if kind == "activity"}
    order = list(KINDS)
    changes: list[PlanImportChange] = []
    seen: set[tuple[str, int]] = set()
    for kind, obj in sorted(after_rows, key=lambda pair: (order.index(pair[0]), pair[1].id)):
        key = (kind, obj.id)
        seen.add(key)
        label = _label(kind, obj, codes)
        if key not in before.rows:
            changes.append(PlanImportChange(kind=kind, action="created", object_id=obj.id, label=label))
        elif before.rows[key][1] != row_values(obj):
            changes.append(
                PlanImportChange(kind=kind, action="updated", object_id=obj.id, label=label,
                                 before=before.rows[key][1])
            )
    for (kind, object_id), (label, values) in before.rows.items():
        if (kind, object_id) not in seen:
            changes.append(
                PlanImportChange(kind=kind, action="deleted", object_id=object_id, label=label, before=values)
            )
    for position, change in enumerate(changes):
        change.position = position
        record.changes.append(change)
    db.session.flush()
    return len(changes)


def _python(model: type[Any], key: str, value: Any) -> Any:
    """A stored JSON value back as the column's Python type (dates and datetimes from ISO text)."""
    if value is None:
        return None
    column_type = inspect(model).columns[key].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(value, str) and isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def restore_values(obj: Any, values: dict[str, Any]) -> None:
    """Set ``obj``'s columns (and an activity's routing) back to ``values`` from a change set."""
    model = type(obj)
    for key, value in values.items():
        if key == "routing":
            continue
        restored = _python(model, key, value)
        if getattr(obj, key) != restored:
            setattr(obj, key, restored)
    if isinstance(obj, Activity) and "routing" in values:
        wanted = list(values["routing"])
        if [link.body_id for link in obj.routing] != wanted:
            current = {link.body_id: link for link in obj.routing}
            links = []
            for position, body_id in enumerate(wanted):
                link = current.pop(body_id, None) or ActivityBody(body_id=body_id)
                link.position = position
                links.append(link)
            obj.routing = links


def recreate(kind: str, values: dict[str, Any]) -> Any:
    """A row removed by an import, added again from its stored values (a new id). Flushes."""
    model = KINDS[kind]
    obj = model(**{key: _python(model, key, value) for key, value in values.items() if key != "routing"})
    db.session.add(obj)
    db.session.flush()
    return obj
