"""Groups of bodies („obce“, „poskytovatelé sociálních služeb“, „příspěvkové organizace kraje“,
„NNO“) and their expansion into a round's routing.

A plan may be routed to a group (the group is a :class:`~workflow.models.Body` of kind ``group``
with a :class:`~workflow.models.BodyGroup` row). When a round's routing is built
(:func:`round_route_rows`, called by :func:`workflow.rounds.create_round` and
:func:`workflow.rounds.rebuild_routing`), the group becomes one route per member (``each``) or
one route to its coordinating body (``coordinator``), so the routing preview shows the
expansion before the round opens, and opening the round creates exactly those entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.bodies import body_search_text
from workflow.db import db
from workflow.errors import InvalidInput
from workflow.models import Activity, ActivityBody, Body, BodyGroup
from workflow.models.routing import GROUP_MODES


@dataclass(frozen=True)
class GroupView:
    """What a group expands to: ``mode`` and the bodies (ids) that get an entry, in order."""

    body_id: int
    mode: str
    targets: tuple[int, ...]


def group_views() -> dict[int, GroupView]:
    """Every group by its body id, with its expansion. Two queries.

    :returns: ``{group body id: GroupView}``; a group with no member (``each``) or no
        coordinator (``coordinator``) expands to nothing.
    """
    groups = db.session.scalars(select(BodyGroup).options(selectinload(BodyGroup.members))).all()
    views = {}
    for group in groups:
        if group.mode == "coordinator":
            targets: tuple[int, ...] = (group.coordinator_id,) if group.coordinator_id else ()
        else:
            targets = tuple(member.id for member in group.members)
        views[group.body_id] = GroupView(group.body_id, group.mode, targets)
    return views


def expand(body_ids: list[int], groups: dict[int, GroupView]) -> list[int]:
    """Replace every group in ``body_ids`` by its targets, keeping order, without duplicates.

    :param body_ids: an activity's bodies, lead first.
    :param groups: :func:`group_views`.
    :returns: body ids, lead first (a group that leads gives its first target the lead).
    """
    result: list[int] = []
    for body_id in body_ids:
        view = groups.get(body_id)
        result.extend(view.targets if view is not None else (body_id,))
    return list(dict.fromkeys(result))


def round_route_rows(plan_id: int, round_id: int, activity_ids: set[int] | None = None) -> list[dict]:
    """The ``round_routes`` rows of a round built from the plan's current routing, groups
    expanded. Three queries whatever the plan's size.

    :param activity_ids: only these activities (``None``: all of the plan).
    :returns: ``[{"round_id", "activity_id", "body_id", "position"}]``.
    """
    groups = group_views()
    links: dict[int, list[int]] = {}
    query = (
        select(ActivityBody.activity_id, ActivityBody.body_id)
        .join(Activity, Activity.id == ActivityBody.activity_id)
        .where(Activity.plan_id == plan_id)
        .order_by(ActivityBody.activity_id, ActivityBody.position)
    )
    for activity_id, body_id in db.session.execute(query):
        if activity_ids is None or activity_id in activity_ids:
            links.setdefault(activity_id, []).append(body_id)
    return [
        {"round_id": round_id, "activity_id": activity_id, "body_id": body_id, "position": position}
        for activity_id, body_ids in links.items()
        for position, body_id in enumerate(expand(body_ids, groups))
    ]


def group_members(
    mode: str, member_ids: list[int], coordinator_id: int | None
) -> tuple[list[Body], Body | None]:
    """Check a group's setting and load its members and coordinator (one query).

    :returns: ``(members in the given order, coordinator or None)``.
    :raises InvalidInput: an unknown mode or body, a group among the members or as the
        coordinator, ``coordinator`` without a coordinator, ``each`` without members.
    """
    if mode not in GROUP_MODES:
        raise InvalidInput(_("Neznámé nastavení skupiny."))
    ids = list(dict.fromkeys(member_ids))
    wanted = ids + ([coordinator_id] if coordinator_id else [])
    found = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(wanted)))} if wanted else {}
    if set(wanted) - set(found):
        raise InvalidInput(_("Neznámý subjekt."))
    if any(body.kind == "group" for body in found.values()):
        raise InvalidInput(_("Členem skupiny nemůže být jiná skupina."))
    if mode == "coordinator" and coordinator_id is None:
        raise InvalidInput(_("Skupina s jedním záznamem potřebuje koordinující subjekt."))
    if mode == "each" and not ids:
        raise InvalidInput(_("Vyberte alespoň jednoho člena skupiny."))
    return [found[i] for i in ids], found.get(coordinator_id) if coordinator_id else None


def create_group(
    abbreviation: str, name: str, *, mode: str, member_ids: list[int], coordinator_id: int | None
) -> Body:
    """Create a group of bodies (a body of kind ``group`` with its members); flushes.

    :param abbreviation: the group's unique short name, e.g. ``"obce"``.
    :param name: its full name, e.g. ``"Obce Libereckého kraje"``.
    :param mode: ``each`` (one entry per member) or ``coordinator`` (one for ``coordinator_id``).
    :param member_ids: ids of existing bodies (not groups).
    :param coordinator_id: id of an existing body; required for ``coordinator``.
    :returns: the group's body.
    :raises InvalidInput: an empty or taken abbreviation, an unknown mode or body, a group among
        the members, ``coordinator`` without a coordinator, ``each`` without members.
    """
    members, coordinator = group_members(mode, member_ids, coordinator_id)
    body = new_body(abbreviation, name, "group")
    db.session.add(BodyGroup(body=body, mode=mode, coordinator=coordinator, members=members))
    db.session.flush()
    return body


def new_body(abbreviation: str, name: str, kind: str) -> Body:
    """Create a body of the registry; flushes.

    :raises InvalidInput: an empty abbreviation or name, or an abbreviation already taken.
    """
    abbreviation, name = abbreviation.strip(), name.strip() or abbreviation.strip()
    if not abbreviation:
        raise InvalidInput(_("Zadejte zkratku subjektu."))
    if len(abbreviation) > 60:
        raise InvalidInput(_("Zkratka subjektu může mít nejvýše 60 znaků."))
    if db.session.scalar(select(Body.id).where(Body.abbreviation == abbreviation)):
        raise InvalidInput(_("Subjekt se zkratkou „%(abbr)s“ už existuje.", abbr=abbreviation))
    body = Body(abbreviation=abbreviation, name=name, kind=kind, aliases=[])
    body.search_text = body_search_text(body)
    db.session.add(body)
    db.session.flush()
    return body
