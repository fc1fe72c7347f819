"""The plan's resolution page (issue 14 §3): every unrecognised name once, a decision per name
with its effect shown first, applied to the whole plan at once and remembered as an alias.

A decision about a name (:class:`Target`): an existing body or group, a new body, a new group,
or „není subjekt“. Applying it stores a :class:`~workflow.models.RoutingAlias` (keyed by the
name's lemmas, so „obcemi“ and „obce“ are one decision), re-resolves every activity of the plan
and every flagged activity of other plans from their own „Odpovědnost“ wording (the wording is
never changed) and writes the account audit log. Later imports of any plan see the alias through
:func:`workflow.bodies.body_lookup`.

Explicit routing decisions (:func:`decide_activity`, :func:`confirm_defaults`) clear an
activity's „k revizi“ flag and are recorded as :class:`~workflow.models.RoutingDecision`, so that
re-resolution leaves the activity alone while its wording stays the one decided on.

Services flush, never commit; the actor is explicit; refusals are
:class:`~workflow.errors.DomainError` subclasses with Czech messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload, selectinload

from workflow import audit, permissions
from workflow.bodies import body_lookup
from workflow.bodies_seed import DEFAULT_BODY, REGION_BODY
from workflow.db import db, utcnow
from workflow.errors import Conflict, InvalidInput
from workflow.models import Activity, ActivityBody, Body, Plan, RoutingAlias, RoutingDecision, User
from workflow.permissions import Action
from workflow.responsibility import (
    LEMMA_PREFIX,
    NOT_A_BODY,
    REASON_RESOLVED,
    REASON_UNRECOGNISED_LEAD,
    Reason,
    Resolution,
    lemma_key,
    reasons_text,
    resolve_responsibility,
)
from workflow.routing.groups import create_group, new_body

_SESSION_KEY = "routing_lookup"
#: Example activities shown per name on the resolution page.
EXAMPLES = 3


def current_lookup() -> dict[str, str]:
    """:func:`workflow.bodies.body_lookup`, built once per database session (three queries) and
    forgotten when a service here changes the registry."""
    info = db.session.info
    if _SESSION_KEY not in info:
        info[_SESSION_KEY] = body_lookup()
    return info[_SESSION_KEY]


def _forget_lookup() -> None:
    db.session.info.pop(_SESSION_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session: Session, _transaction: object) -> None:
    """The cached lookup lives for one transaction: others may change the registry meanwhile."""
    session.info.pop(_SESSION_KEY, None)


def default_abbreviation(plan: Plan) -> str:
    """The abbreviation of the plan's default body (OSV when the plan names none)."""
    return plan.default_body.abbreviation if plan.default_body else DEFAULT_BODY


def resolve(activity: Activity, lookup: dict[str, str], default: str) -> Resolution:
    """The routing of ``activity``'s own „Odpovědnost“ text under ``lookup``."""
    return resolve_responsibility(activity.responsibility_raw or "", lookup, default, region=REGION_BODY)


def review_reason_codes(activities: Iterable[Activity], default: str) -> dict[int, tuple[Reason, ...]]:
    """Why each flagged activity is „k revizi“, stated from its real cause, as codes.

    Nothing is stored: the cause is derived from the activity's own „Odpovědnost“ wording and
    the current registry and aliases, so it is always the real one and renders in the reader's
    locale (:func:`workflow.responsibility.reason_text`).

    :param activities: activities of one plan (only flagged ones are looked at).
    :param default: abbreviation of the plan's default body.
    :returns: ``{activity id: reasons}`` for every flagged activity: the current resolution's
        reasons (``unrecognised_lead``, ``no_department`` …), or, when the cause has been
        resolved since (the flag waits for re-resolution), ``(Reason("resolved"),)``.
    """
    flagged = [a for a in activities if a.routing_needs_review]
    if not flagged:
        return {}
    lookup = current_lookup()
    return {
        activity.id: resolve(activity, lookup, default).reasons or (Reason(REASON_RESOLVED),)
        for activity in flagged
    }


def review_reasons(activities: Iterable[Activity], default: str) -> dict[int, str]:
    """:func:`review_reason_codes` as text in the current locale: ``{activity id: reason}``."""
    return {key: reasons_text(value) for key, value in review_reason_codes(activities, default).items()}


@dataclass
class NameRow:
    """One unrecognised name of a plan.

    :ivar key: its lemma key (the identity of the decision).
    :ivar name: the shortest spelling seen (Czech's nominative is mostly the shortest form:
        „obce“ rather than „obcemi“) — shown and offered as the new body's or group's name;
        ``spellings`` all spellings seen, in order of appearance.
    :ivar count: activities naming it (an activity naming it in two forms counts once).
    :ivar leads: of those, activities where it is the first name (its lead is unresolved).
    :ivar examples: up to :data:`EXAMPLES` activities (code, title or description).
    """

    key: str
    name: str
    spellings: list[str] = field(default_factory=list)
    count: int = 0
    leads: int = 0
    examples: list[Activity] = field(default_factory=list)
    activity_ids: set[int] = field(default_factory=set)


@dataclass
class ResolutionPage:
    """What the resolution page shows for a plan.

    :ivar names: unrecognised names, most frequent first.
    :ivar defaulted: flagged activities whose only cause is that no department is named
        (the default body answers): confirmed together by :func:`confirm_defaults`.
        Activities without any „Odpovědnost“ text are left to explicit decisions.
    :ivar flagged: all flagged activities; ``reasons`` their reasons.
    :ivar resolvable: flagged activities whose cause is resolved already (re-resolution clears them).
    """

    plan: Plan
    names: list[NameRow]
    defaulted: list[Activity]
    flagged: list[Activity]
    reasons: dict[int, str]
    resolvable: list[Activity]


def _activities(plan: Plan) -> list[Activity]:
    """The plan's activities with their routing and bodies: one query whatever the plan's size
    (a joined load; ``selectinload`` would split a large plan into batches)."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.plan_id == plan.id)
            .order_by(Activity.sort_key)
            .options(joinedload(Activity.routing))
        ).unique()
    )


def _decided(activity_ids: list[int]) -> dict[int, RoutingDecision]:
    if not activity_ids:
        return {}
    rows = db.session.scalars(select(RoutingDecision).where(RoutingDecision.activity_id.in_(activity_ids)))
    return {row.activity_id: row for row in rows}


def resolution_page(plan: Plan) -> ResolutionPage:
    """Collect the plan's unrecognised names and flags; reads only (a fixed number of queries).

    :param plan: the plan.
    :returns: a :class:`ResolutionPage`.
    """
    activities = _activities(plan)
    lookup = current_lookup()
    default = default_abbreviation(plan)
    decided = _decided([a.id for a in activities])
    names: dict[str, NameRow] = {}
    defaulted, resolvable = [], []
    for activity in activities:
        resolution = resolve(activity, lookup, default)
        for name in resolution.unmatched:
            key = lemma_key(name) or name
            row = names.setdefault(key, NameRow(key=key, name=name))
            if name not in row.spellings:
                row.spellings.append(name)
            if activity.id in row.activity_ids:
                continue  # named twice in two forms („obcemi … obce“): one activity, one example
            row.activity_ids.add(activity.id)
            row.count += 1
            row.leads += int(any(
                r.code == REASON_UNRECOGNISED_LEAD and (lemma_key(r.name) or r.name) == key
                for r in resolution.reasons
            ))
            if len(row.examples) < EXAMPLES:
                row.examples.append(activity)
        skip = (
            d := decided.get(activity.id)
        ) is not None and d.responsibility_raw == activity.responsibility_raw
        if activity.routing_needs_review and not resolution.used_default:
            resolvable.append(activity)
        elif (
            activity.routing_needs_review
            and resolution.used_default
            and not skip
            and not resolution.lead_unrecognised
            and not resolution.unmatched
        ):
            defaulted.append(activity)
    for row in names.values():
        row.name = min(row.spellings, key=len)
    flagged = [a for a in activities if a.routing_needs_review]
    return ResolutionPage(
        plan=plan,
        names=sorted(names.values(), key=lambda r: (-r.count, r.key)),
        defaulted=defaulted,
        flagged=flagged,
        reasons=review_reasons(flagged, default),
        resolvable=resolvable,
    )


# ----------------------------------------------------------------------------- decisions


TargetKind = Literal["body", "new_body", "new_group", "none"]


@dataclass(frozen=True)
class Target:
    """What a name is decided to be.

    :ivar kind: ``body`` (an existing body or group: ``body_id``), ``new_body``
        (``abbreviation``, ``name``, ``body_kind``), ``new_group`` (``abbreviation``, ``name``,
        ``mode``, ``member_ids``, ``coordinator_id``) or ``none`` („není subjekt“).
    """

    kind: TargetKind
    body_id: int | None = None
    abbreviation: str = ""
    name: str = ""
    body_kind: str = "other"
    mode: str = "each"
    member_ids: tuple[int, ...] = ()
    coordinator_id: int | None = None

    def label(self) -> str:
        """A short Czech description for the preview and the audit log."""
        if self.kind == "none":
            return _("není subjekt")
        if self.kind == "body":
            body = db.session.get(Body, self.body_id) if self.body_id else None
            return body.abbreviation if body else "?"
        return self.abbreviation.strip()


@dataclass
class Change:
    """One activity's routing before and after a decision (abbreviations, lead first)."""

    activity: Activity
    before: Resolution
    after: Resolution

    @property
    def changed(self) -> bool:
        """True when the bodies, the cooperating bodies or the flag change."""
        return (self.before.bodies, self.before.cooperating, self.before.used_default) != (
            self.after.bodies,
            self.after.cooperating,
            self.after.used_default,
        )


def _check_target(target: Target) -> None:
    if target.kind == "body":
        if target.body_id is None or db.session.get(Body, target.body_id) is None:
            raise InvalidInput(_("Vyberte subjekt nebo skupinu."))
    elif target.kind in ("new_body", "new_group"):
        if not target.abbreviation.strip():
            raise InvalidInput(_("Zadejte zkratku subjektu."))
        if db.session.scalar(select(Body.id).where(Body.abbreviation == target.abbreviation.strip())):
            raise InvalidInput(
                _("Subjekt se zkratkou „%(abbr)s“ už existuje.", abbr=target.abbreviation.strip())
            )
    elif target.kind != "none":
        raise InvalidInput(_("Vyberte, co název znamená."))


def _name_key(name: str) -> str:
    key = lemma_key(name)
    if not key:
        raise InvalidInput(_("Název je prázdný."))
    return key


def preview_decision(plan: Plan, name: str, target: Target) -> list[Change]:
    """The effect of deciding ``name`` as ``target`` on every activity of ``plan``; reads only.

    :param plan: the plan of the resolution page.
    :param name: the unrecognised name as written (any inflection).
    :param target: the decision.
    :returns: the activities whose routing or flag would change (before and after), plan order.
    :raises InvalidInput: an empty name or an unusable target.
    """
    key = _name_key(name)
    _check_target(target)
    lookup = current_lookup()
    hypothetical = dict(lookup)
    hypothetical[LEMMA_PREFIX + key] = NOT_A_BODY if target.kind == "none" else target.label()
    default = default_abbreviation(plan)
    changes = []
    for activity in _activities(plan):
        change = Change(
            activity, resolve(activity, lookup, default), resolve(activity, hypothetical, default)
        )
        if change.changed:
            changes.append(change)
    return changes


def apply_decision(plan: Plan, name: str, target: Target, actor: User) -> tuple[RoutingAlias, int]:
    """Decide ``name`` as ``target``: create the body or group if asked, store the alias,
    re-resolve the plan (and flagged activities of other plans) and audit; flushes.

    :returns: the alias and the number of activities whose routing changed.
    :raises PermissionDenied: not a secretary.
    :raises InvalidInput: an empty name, a name decided already, an unusable target.
    """
    permissions.require(actor, Action.resolve_routing)
    key = _name_key(name)
    _check_target(target)
    if db.session.scalar(select(RoutingAlias.id).where(RoutingAlias.normalized == key)):
        raise InvalidInput(_("O názvu „%(name)s“ už bylo rozhodnuto.", name=name))
    body: Body | None = None
    if target.kind == "body":
        body = db.session.get(Body, target.body_id)
    elif target.kind == "new_body":
        body = new_body(target.abbreviation, target.name, target.body_kind)
    elif target.kind == "new_group":
        body = create_group(
            target.abbreviation,
            target.name,
            mode=target.mode,
            member_ids=list(target.member_ids),
            coordinator_id=target.coordinator_id,
        )
    alias = RoutingAlias(
        name=name.strip(), normalized=key, body=body, plan_id=plan.id, created_by_id=actor.id
    )
    db.session.add(alias)
    db.session.flush()
    _forget_lookup()
    changed = reresolve(plan)
    audit.record(
        audit.AuditKind.routing_alias_decided,
        actor=actor,
        body=body,
        summary=f"„{name.strip()}“ → {body.abbreviation if body else _('není subjekt')} ({plan.title})",
        details={
            "plan_id": plan.id,
            "name": name.strip(),
            "key": key,
            "target": target.kind,
            "changed": changed,
        },
    )
    return alias, changed


def reresolve(plan: Plan | None) -> int:
    """Route activities again from their own „Odpovědnost“ text with the current registry and
    aliases: every activity of ``plan`` and every flagged activity of any plan (``plan=None``:
    flagged activities only). Activities with an explicit :class:`RoutingDecision` for their
    current text, and activities without any „Odpovědnost“ text (routed by hand), are left
    alone. Flushes.

    :returns: the number of activities whose routing or flag changed.
    """
    _forget_lookup()
    lookup = current_lookup()
    bodies = {b.abbreviation: b for b in db.session.scalars(select(Body))}
    query = select(Activity).options(selectinload(Activity.routing), selectinload(Activity.plan))
    if plan is None:
        query = query.where(Activity.routing_needs_review.is_(True))
    else:
        query = query.where((Activity.plan_id == plan.id) | Activity.routing_needs_review.is_(True))
    activities = list(db.session.scalars(query))
    decided = _decided([a.id for a in activities])
    changed = 0
    for activity in activities:
        decision = decided.get(activity.id)
        if decision is not None and decision.responsibility_raw == activity.responsibility_raw:
            continue
        if not (activity.responsibility_raw or "").strip():
            continue  # nothing to derive from: the routing was set by hand or by the import's default
        resolution = resolve(activity, lookup, default_abbreviation(activity.plan))
        wanted = [bodies[a] for a in resolution.bodies if a in bodies]
        if not wanted:
            continue
        before = ([link.body_id for link in activity.routing], activity.routing_needs_review)
        set_plan_routing(activity, wanted)
        activity.routing_needs_review = resolution.used_default
        if list(activity.routing_unmatched or []) != list(resolution.unmatched):
            activity.routing_unmatched = list(resolution.unmatched)
        changed += before != ([b.id for b in wanted], resolution.used_default)
    db.session.flush()
    return changed


def set_plan_routing(activity: Activity, wanted: list[Body]) -> None:
    """Route ``activity`` (the plan's routing) to ``wanted`` in order, the first leading;
    existing links are kept and re-numbered."""
    if [link.body_id for link in activity.routing] == [body.id for body in wanted]:
        return
    current = {link.body_id: link for link in activity.routing}
    links = []
    for position, body in enumerate(wanted):
        link = current.pop(body.id, None) or ActivityBody(body=body)
        link.position = position
        links.append(link)
    activity.routing = links


def decide_activity(activity: Activity, body_ids: list[int], actor: User, *, note: str) -> None:
    """The secretary's explicit routing of one activity on the plan: the bodies (lead first)
    replace the plan's routing, the „k revizi“ flag clears, the decision is remembered for the
    activity's current wording and audited. Flushes.

    :raises PermissionDenied: not a secretary.
    :raises InvalidInput: no body, an unknown body, no note.
    """
    permissions.require(actor, Action.resolve_routing)
    body_ids = list(dict.fromkeys(body_ids))
    if not body_ids:
        raise InvalidInput(_("Aktivita musí mít alespoň jeden odpovědný subjekt."))
    if not note.strip():
        raise InvalidInput(_("Uveďte důvod změny směrování."))
    found = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(body_ids)))}
    if set(found) != set(body_ids):
        raise InvalidInput(_("Neznámý subjekt."))
    set_plan_routing(activity, [found[i] for i in body_ids])
    _remember(activity, actor, note.strip())
    audit.record(
        audit.AuditKind.routing_activity_decided,
        actor=actor,
        body=found[body_ids[0]],
        summary=f"{activity.code}: {', '.join(found[i].abbreviation for i in body_ids)} – {note.strip()}",
        details={"activity_id": activity.id, "plan_id": activity.plan_id, "bodies": body_ids},
    )
    db.session.flush()


def _remember(activity: Activity, actor: User, note: str) -> None:
    decision = db.session.get(RoutingDecision, activity.id)
    if decision is None:
        decision = RoutingDecision(activity_id=activity.id)
        db.session.add(decision)
    decision.responsibility_raw = activity.responsibility_raw or ""
    decision.note = note
    decision.decided_by_id = actor.id
    decision.decided_at = utcnow()
    activity.routing_needs_review = False


def confirm_defaults(plan: Plan, actor: User) -> int:
    """Confirm the default body for every activity of the plan flagged only because no
    department is named (``LK``, ``KÚ LK``, ``jednotlivé odbory``): one explicit decision.

    :returns: the number of activities confirmed.
    :raises PermissionDenied: not a secretary.
    :raises Conflict: nothing to confirm.
    """
    permissions.require(actor, Action.resolve_routing)
    page = resolution_page(plan)
    if not page.defaulted:
        raise Conflict(_("Žádná aktivita nečeká na potvrzení výchozího subjektu."))
    default = default_abbreviation(plan)
    note = _("výchozí subjekt %(body)s potvrzen", body=default)
    for activity in page.defaulted:
        _remember(activity, actor, note)
    audit.record(
        audit.AuditKind.routing_activity_decided,
        actor=actor,
        body=plan.default_body,
        summary=f"{plan.title}: {note} ({len(page.defaulted)})",
        details={"plan_id": plan.id, "activities": [a.id for a in page.defaulted]},
    )
    db.session.flush()
    return len(page.defaulted)


def cooperating_bodies(activities: Iterable[Activity], default: str) -> dict[int, list[str]]:
    """The cooperating bodies („ve spolupráci s …“) of each activity, from its own wording and
    the current registry: ``{activity id: [abbreviation, …]}`` (only non-empty lists)."""
    lookup = current_lookup()
    result = {}
    for activity in activities:
        cooperating = resolve(activity, lookup, default).cooperating
        if cooperating:
            result[activity.id] = list(cooperating)
    return result
