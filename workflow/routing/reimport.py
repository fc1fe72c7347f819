"""A re-import keeps the routing the secretary decided (issue 14 §3 „remembered forever“).

An activity routed explicitly on the resolution page (or by saving a round's correction to the
plan) has a :class:`~workflow.models.RoutingDecision` for the „Odpovědnost“ text it was decided
on. When the plan is imported again (:mod:`workflow.importing.service`), :func:`reimport_routing`
is the rule, called where the import routes each activity:

- the text is unchanged → the activity keeps its decided routing and its flag state; the
  import changes nothing about its routing;
- the text changed → the decision no longer applies: the activity is routed from the new text,
  the import's warnings say which activity and why, and the committed import drops the stale
  decision (:func:`drop_stale_decisions`).

Name aliases (:class:`~workflow.models.RoutingAlias`) need nothing here: the import's lookup
contains them (:func:`workflow.bodies.body_lookup`).
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from workflow.db import db
from workflow.models import Activity, RoutingDecision
from workflow.responsibility import Resolution


def decisions_of(existing: dict[str, Activity]) -> dict[int, RoutingDecision]:
    """The routing decisions of the activities an import updates, in one query.

    :param existing: the plan's stored activities by code (empty for a new plan).
    :returns: ``{activity id: RoutingDecision}`` (only activities that have one).
    """
    ids = [activity.id for activity in existing.values() if activity.id is not None]
    if not ids:
        return {}
    rows = db.session.scalars(select(RoutingDecision).where(RoutingDecision.activity_id.in_(ids)))
    return {row.activity_id: row for row in rows}


def reimport_routing(
    current: Activity | None,
    resolution: Resolution,
    decisions: dict[int, RoutingDecision],
    warnings: list[str],
) -> Resolution:
    """The routing an import gives an activity, respecting the secretary's decision about it.

    :param current: the stored activity (``None``: the import creates it).
    :param resolution: the routing read from the file's „Odpovědnost“ text.
    :param decisions: :func:`decisions_of` the plan's stored activities.
    :param warnings: the import's warnings; a line is appended when a decision is dropped.
    :returns: ``resolution`` itself when there is no decision or the text changed (then a
        warning names the activity, the old and the new text); otherwise a resolution with the
        activity's decided bodies (lead first), its stored flag and unrecognised names, so that
        the import changes nothing about its routing.
    """
    decision = decisions.get(current.id) if current is not None else None
    if decision is None or current is None:
        return resolution
    if decision.responsibility_raw != resolution.raw:
        warnings.append(
            _(
                "Aktivita %(code)s: text „Odpovědnost“ se změnil (z „%(old)s“ na „%(new)s“), "
                "proto její směrování rozhodnuté tajemníkem neplatí; směruje se podle nového textu.",
                code=current.code,
                old=decision.responsibility_raw,
                new=resolution.raw,
            )
        )
        return resolution
    return replace(
        resolution,
        bodies=tuple(link.body.abbreviation for link in current.routing) or resolution.bodies,
        used_default=bool(current.routing_needs_review),
        unmatched=tuple(current.routing_unmatched or ()),
        reasons=resolution.reasons if current.routing_needs_review else (),
    )


def drop_stale_decisions(plan_id: int) -> int:
    """Delete the plan's routing decisions made for a „Odpovědnost“ text the activity no longer
    has (after an import changed it; :func:`reimport_routing` warned about each). Flushes.

    :returns: the number of decisions dropped.
    """
    stale = (
        select(RoutingDecision.activity_id)
        .join(Activity, Activity.id == RoutingDecision.activity_id)
        .where(
            Activity.plan_id == plan_id,
            RoutingDecision.responsibility_raw != func.coalesce(Activity.responsibility_raw, ""),
        )
    )
    ids = list(db.session.scalars(stale))
    if ids:
        db.session.execute(
            delete(RoutingDecision).where(RoutingDecision.activity_id.in_(ids)),
            execution_options={"synchronize_session": "fetch"},
        )
    return len(ids)
