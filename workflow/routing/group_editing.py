"""Editing a group of bodies after it was created (issue 14 §3): rename it, add or remove
members, switch its setting (one entry per member / one entry for the coordinating body) and
choose the coordinating body.

The plans' routing names the group's body, so an edit changes no plan: it changes what the group
expands to when a round's routing is built (:func:`workflow.routing.groups.round_route_rows`).
:func:`group_usage` shows the secretary that effect first: every activity routed through the
group with its expansion now and after the edit, and the planned rounds of those plans (their
routing preview takes the new expansion with „Převzít směrování z plánu“; open and closed
rounds keep their entries). :func:`edit_group` applies the edit and audits it like the other
routing decisions.

Services flush, never commit; the actor is explicit; refusals are
:class:`~workflow.errors.DomainError` subclasses with Czech messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from workflow import audit, permissions
from workflow.bodies import body_search_text
from workflow.collation import czech
from workflow.db import db
from workflow.errors import InvalidInput
from workflow.models import (
    Activity,
    ActivityBody,
    Body,
    BodyAlias,
    BodyGroup,
    Plan,
    ReportingRound,
    User,
)
from workflow.permissions import Action
from workflow.responsibility import normalize_alias
from workflow.routing.groups import group_members
from workflow.states import RoundState
from workflow.text import czech_sort_key


def group_of(body_id: int) -> BodyGroup | None:
    """The group whose body is ``body_id``, with its body, members and coordinator (one query);
    ``None`` when there is no such group."""
    return db.session.scalar(
        select(BodyGroup)
        .where(BodyGroup.body_id == body_id)
        .options(
            joinedload(BodyGroup.body), joinedload(BodyGroup.coordinator), selectinload(BodyGroup.members)
        )
    )


def expansion(mode: str, members: list[Body], coordinator: Body | None) -> list[Body]:
    """The bodies that get an entry in a round for the group: every member (``each``), or the
    coordinating body (``coordinator``)."""
    if mode == "coordinator":
        return [coordinator] if coordinator is not None else []
    return list(members)


def _keep_former_spellings(body: Body, abbreviation: str, name: str) -> None:
    """Keep the group's former abbreviation and name as aliases, so that plans written with them
    still route to the group after a rename (a spelling another body has is left alone)."""
    new_keys = {normalize_alias(abbreviation), normalize_alias(name)}
    own = {alias.normalized for alias in body.aliases}
    for spelling in (body.abbreviation, body.name):
        key = normalize_alias(spelling)
        if not key or key in new_keys or key in own:
            continue
        if db.session.scalar(select(BodyAlias.id).where(BodyAlias.normalized == key)):
            continue
        body.aliases.append(BodyAlias(alias=spelling, normalized=key))
        own.add(key)


def preview_expansion(mode: str, member_ids: list[int], coordinator_id: int | None) -> list[Body]:
    """What the group would expand to with this setting; writes nothing (one query).

    :raises InvalidInput: as :func:`edit_group` for the setting, members and coordinator.
    """
    members, coordinator = group_members(mode, member_ids, coordinator_id)
    return expansion(mode, sorted(members, key=lambda b: czech_sort_key(b.abbreviation)), coordinator)


@dataclass
class GroupUsage:
    """Where a group is used.

    :ivar links: the plans' routing links to the group (activity loaded with its plan), plan by
        plan in code order; ``position`` 0 means the group leads.
    :ivar planned_rounds: rounds not yet opened of those plans.
    """

    links: list[ActivityBody]
    planned_rounds: list[ReportingRound]


def group_usage(group: BodyGroup) -> GroupUsage:
    """Every activity routed through ``group`` (all plans) and the planned rounds of their plans.
    Two queries.

    :param group: the group.
    :returns: a :class:`GroupUsage`.
    """
    links = list(
        db.session.scalars(
            select(ActivityBody)
            .join(Activity, Activity.id == ActivityBody.activity_id)
            .join(Plan, Plan.id == Activity.plan_id)
            .where(ActivityBody.body_id == group.body_id)
            .options(joinedload(ActivityBody.activity).joinedload(Activity.plan))
            .order_by(czech(Plan.title), Plan.id, Activity.sort_key)
        ).unique()
    )
    plan_ids = {link.activity.plan_id for link in links}
    rounds = []
    if plan_ids:
        rounds = list(
            db.session.scalars(
                select(ReportingRound)
                .where(ReportingRound.plan_id.in_(plan_ids), ReportingRound.state == RoundState.planned.value)
                .order_by(ReportingRound.id)
            )
        )
    return GroupUsage(links=links, planned_rounds=rounds)


def edit_group(
    group: BodyGroup,
    actor: User,
    *,
    abbreviation: str,
    name: str,
    mode: str,
    member_ids: list[int],
    coordinator_id: int | None,
) -> list[str]:
    """Rename the group, set its members, its setting and its coordinating body; audited. Flushes.

    :param group: the group to edit.
    :param actor: the secretary or administrator.
    :param abbreviation: the group's unique short name (its body's abbreviation).
    :param name: its full name (the abbreviation when empty).
    :param mode: ``each`` or ``coordinator``.
    :param member_ids: ids of bodies (not groups), in any order.
    :param coordinator_id: id of a body (not a group); required for ``coordinator``.
    :returns: Czech descriptions of what changed (empty: nothing changed, nothing audited).
    :raises PermissionDenied: neither secretary nor administrator.
    :raises InvalidInput: an empty or taken abbreviation, an unknown mode or body, a group among
        the members or as the coordinator, ``coordinator`` without a coordinator, ``each``
        without members.
    """
    permissions.require(actor, Action.edit_body_group)
    body = group.body
    abbreviation, name = abbreviation.strip(), name.strip() or abbreviation.strip()
    if not abbreviation:
        raise InvalidInput(_("Zadejte zkratku subjektu."))
    if len(abbreviation) > 60:
        raise InvalidInput(_("Zkratka subjektu může mít nejvýše 60 znaků."))
    taken = db.session.scalar(select(Body.id).where(Body.abbreviation == abbreviation, Body.id != body.id))
    if taken:
        raise InvalidInput(_("Subjekt se zkratkou „%(abbr)s“ už existuje.", abbr=abbreviation))
    members, coordinator = group_members(mode, member_ids, coordinator_id)

    before = {m.id: m.abbreviation for m in group.members}
    after = {m.id: m.abbreviation for m in members}

    def describe() -> list[str]:
        changes: list[str] = []
        if abbreviation != body.abbreviation:
            changes.append(_("zkratka: %(old)s → %(new)s", old=body.abbreviation, new=abbreviation))
        if name != body.name:
            changes.append(_("název: %(old)s → %(new)s", old=body.name, new=name))
        if added := sorted(after[i] for i in set(after) - set(before)):
            changes.append(_("přidáni členové: %(bodies)s", bodies=", ".join(added)))
        if removed := sorted(before[i] for i in set(before) - set(after)):
            changes.append(_("odebráni členové: %(bodies)s", bodies=", ".join(removed)))
        if mode != group.mode:
            changes.append(
                _("nastavení: jeden záznam pro koordinující subjekt")
                if mode == "coordinator"
                else _("nastavení: záznam pro každého člena")
            )
        if (coordinator.id if coordinator else None) != group.coordinator_id:
            changes.append(
                _("koordinující subjekt: %(body)s", body=coordinator.abbreviation if coordinator else "—")
            )
        return changes

    changes = describe()
    if not changes:
        return []

    with force_locale("cs"):  # the audit log is Czech whatever the actor's language
        czech_changes = describe()
    _keep_former_spellings(body, abbreviation, name)
    body.abbreviation, body.name = abbreviation, name
    body.search_text = body_search_text(body)
    group.mode, group.coordinator = mode, coordinator
    if set(after) != set(before):
        group.members = members
    audit.record(
        audit.AuditKind.routing_group_edited,
        actor=actor,
        body=body,
        summary=f"{abbreviation}: " + "; ".join(czech_changes),
        details={
            "group_id": body.id,
            "abbreviation": abbreviation,
            "mode": mode,
            "members": sorted(after),
            "coordinator_id": coordinator.id if coordinator else None,
        },
    )
    db.session.flush()
    return changes
