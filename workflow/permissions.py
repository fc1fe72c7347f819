"""Who may do what: the one place every view and API endpoint asks.

Two layers decide, in this order:

1. :data:`POLICY` – which roles may perform an :class:`Action` at all (``None``: any signed-in,
   active user). Checked first, before any object is loaded.
2. Object rules – for a call ``can(user, action, obj)``, the rule registered for ``action`` and the
   type of ``obj`` (:func:`object_rule`) decides about that object. A call with an object for which
   no rule is registered raises :class:`MissingObjectRule`, so a new kind of object can never be
   allowed by accident. Helpers for rules: :func:`acts_for`, :func:`in_review_scope`.

Adding an entry-level rule (issue 4), for example::

    class Action(StrEnum):
        ...
        edit_entry = "edit_entry"

    POLICY[Action.edit_entry] = frozenset({Role.contributor, Role.head})

    @object_rule(Action.edit_entry, Entry)
    def _edit_own_bodies_entry(user: User, entry: Entry) -> bool:
        return acts_for(user, entry.body)          # own bodies + those stood in for today

    @object_rule(Action.view_entry, Entry)
    def _view_entry(user, entry):
        return (acts_for(user, entry.body)
                or in_review_scope(user, plan_id=..., node_id=..., body_id=entry.body_id)
                or (user.has_role(Role.commission) and entry.state == EntryState.approved))

**403 versus 404** (also in ``docs/security.md``), one policy for the UI and the API:

* *Anonymous*: UI pages redirect to the sign-in page (302, ``?next=``); the JSON API answers 401.
  A deactivated user is anonymous from the next request on.
* *Signed in, but the role lacks the action* (a contributor opening ``/sprava/…``, a commission
  member opening the import): **403**. This is decided from the role alone, before the object is
  looked up, so the answer is the same for existing and non-existing ids.
* *Signed in, the object exists but lies outside the user's scope* (another body's entry, a
  reviewer's foreign area, unapproved content for a commission member): **404**, exactly as for an
  id that does not exist, so ids cannot be probed.
* *Signed in, the object is visible but this action on it is not allowed* (a contributor may read
  their entry but not approve it): **403**.

:func:`refusal` returns the status to use for a given check.

**The one gate for services.** A service that refuses a user calls :func:`require`, which raises
:class:`workflow.errors.PermissionDenied` with the Czech message of the action
(:data:`REFUSALS`, or a more precise one given by the caller) and the status of :func:`refusal`.
No module but this one checks roles: how a user stands towards an entry (body, reviewer,
secretary: :func:`acting_as`), which entries a review queue shows (:func:`review_queue_clause`)
and whether a user may name deputies (:func:`may_name_deputies`) are decided here too;
``tests/workflow/test_role_checks.py`` fails when a role check appears anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, inspect, select

from workflow import clock
from workflow.db import db
from workflow.errors import PermissionDenied
from workflow.models import Body, Entry, OfflineUpload, User, user_bodies
from workflow.states import Role


class Action(StrEnum):
    """Actions guarded by :func:`can`."""

    view_plans = "view_plans"  #: plan list, plan pages, bodies, read API
    import_plan = "import_plan"  #: upload, preview and commit a plan file; import history, revert
    delete_plan = "delete_plan"  #: delete a plan that has no round (issue 14 §2)
    configure_plan_attributes = "configure_plan_attributes"  #: which further attributes show where (issue 14)
    manage_bodies = "manage_bodies"  #: create and edit bodies and their aliases (/sprava/subjekty)
    manage_users = "manage_users"  #: invite, (de)activate users, roles, bodies, deputies (/sprava/uzivatele)
    manage_tokens = "manage_tokens"  #: create, list and revoke API tokens (/sprava/tokeny)
    view_audit_log = "view_audit_log"  #: the account audit log (/sprava/audit)
    manage_personal_data = "manage_personal_data"  #: export a user's data, anonymise a departed user (GDPR)
    manage_own_account = "manage_own_account"  #: own language, password (/ucet)
    name_deputy = "name_deputy"  #: name a deputy for an own body (object rule: Body)
    act_for_body = "act_for_body"  #: act for a body today: own or stood in for (object rule: Body)
    # Reporting rounds and entries (issue 4; docs/workflow.md). Transitions: workflow.transitions.
    view_rounds = "view_rounds"  #: round list and round pages (what each sees is narrowed further)
    view_round_dashboard = "view_round_dashboard"  #: a round's whole dashboard and all its extensions
    manage_rounds = "manage_rounds"  #: create, route, open, close rounds; reopen entries; extensions
    reopen_round = "reopen_round"  #: reopen a closed round (with a reason)
    review_entries = "review_entries"  #: the review queue and pages (within the reviewer's scope)
    fill_entries = "fill_entries"  #: „Moje úkoly“ (own and deputised bodies' entries)
    view_entry = "view_entry"  #: see one entry (object rule: Entry)
    edit_entry = "edit_entry"  #: save the answer, evidence (object rule: Entry)
    #: download a body's entries as XLSX, upload them filled, submit complete drafts (issue 18;
    #: object rules: Body — acts for it today; OfflineUpload — uploaded it)
    work_offline = "work_offline"
    # The consolidated report (issue 6; docs/report.md).
    view_reports = "view_reports"  #: report pages, exports, statistics, period reports, report API
    edit_consolidation = "edit_consolidation"  #: edit consolidated texts and statuses of an open round
    publish_report = "publish_report"  #: publish and withdraw a closed round's public report (issue 18)
    # Notifications (issue 5; docs/notifications.md).
    manage_reminders = "manage_reminders"  #: a round's reminder schedule, pause, „odeslat teď“, sent log
    manage_outbox = "manage_outbox"  #: the outbox of all e-mails, failed ones, „Odeslat znovu“, .eml files
    # Routing resolved once (issue 14 §3; docs/import.md „Odpovědnost a směrování“).
    resolve_routing = "resolve_routing"  #: the plan's resolution page: aliases, groups, routing decisions
    edit_body_group = "edit_body_group"  #: rename a group of bodies, its members, setting and coordinator


#: Which roles may perform each action (``None`` = any signed-in, active user).
POLICY: dict[Action, frozenset[Role] | None] = {
    Action.view_plans: None,
    Action.import_plan: frozenset({Role.admin, Role.secretary}),
    Action.configure_plan_attributes: frozenset({Role.admin, Role.secretary}),
    Action.delete_plan: frozenset({Role.admin, Role.secretary}),
    Action.manage_bodies: frozenset({Role.admin}),
    Action.manage_users: frozenset({Role.admin}),
    Action.manage_tokens: frozenset({Role.admin}),
    Action.view_audit_log: frozenset({Role.admin}),
    Action.manage_personal_data: frozenset({Role.admin}),
    Action.manage_own_account: None,
    Action.name_deputy: frozenset({Role.contributor, Role.head}),
    Action.act_for_body: None,
    Action.view_rounds: None,
    Action.view_round_dashboard: frozenset({Role.secretary, Role.admin}),
    Action.manage_rounds: frozenset({Role.secretary}),
    Action.reopen_round: frozenset({Role.admin}),
    Action.review_entries: frozenset({Role.reviewer, Role.secretary}),
    Action.fill_entries: None,
    Action.view_entry: None,
    Action.edit_entry: None,
    Action.work_offline: None,
    Action.view_reports: frozenset({Role.commission, Role.reviewer, Role.secretary, Role.admin}),
    Action.edit_consolidation: frozenset({Role.reviewer, Role.secretary}),
    Action.publish_report: frozenset({Role.secretary}),
    Action.manage_reminders: frozenset({Role.secretary}),
    Action.manage_outbox: frozenset({Role.admin}),
    Action.resolve_routing: frozenset({Role.secretary}),
    Action.edit_body_group: frozenset({Role.secretary, Role.admin}),
}

#: What :func:`require` says when it refuses an action (a call may pass a more precise message).
REFUSALS: dict[Action, Any] = {
    Action.manage_rounds: _l("Tuto akci může provést jen tajemník."),
    Action.reopen_round: _l("Uzavřené kolo může znovu otevřít jen správce."),
    Action.edit_consolidation: _l("Souhrn může upravit jen hodnotitel nebo tajemník."),
    Action.resolve_routing: _l("Směrování plánu může rozhodovat jen tajemník."),
    Action.edit_body_group: _l("Skupinu subjektů může upravit jen tajemník nebo správce."),
}
#: What :func:`require` says for an action without an entry in :data:`REFUSALS`.
DEFAULT_REFUSAL = _l("K této akci nemáte oprávnění.")

Rule = Callable[[User, Any], bool]
_RuleT = TypeVar("_RuleT", bound=Rule)

#: Object rules: ``(action, type of object) → predicate(user, obj)``; see :func:`object_rule`.
OBJECT_RULES: dict[tuple[Action, type], Rule] = {}


class MissingObjectRule(LookupError):
    """``can()`` was given an object for which no rule is registered (a programming error)."""


def object_rule(action: Action, obj_type: type) -> Callable[[_RuleT], _RuleT]:
    """Register ``predicate(user, obj) -> bool`` deciding ``action`` on objects of ``obj_type``.

    The predicate runs only after :data:`POLICY` allowed the user's roles; it is given an active,
    signed-in user. Subclasses of ``obj_type`` use the rule too unless they have their own.

    :raises ValueError: a rule for ``(action, obj_type)`` is already registered.
    """

    def decorator(predicate: _RuleT) -> _RuleT:
        if (action, obj_type) in OBJECT_RULES:
            raise ValueError(f"rule for {action} on {obj_type.__name__} registered twice")
        OBJECT_RULES[(action, obj_type)] = predicate
        return predicate

    return decorator


def _signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.active)


def _active(user: Any) -> bool:
    """True for a signed-in (or domain) user whose account is active; ``None``/anonymous: False."""
    return _signed_in(user)


def can(user: User | None, action: Action, obj: Any = None) -> bool:
    """True if ``user`` (``None`` or anonymous: never) may perform ``action`` (on ``obj``, if given).

    :raises MissingObjectRule: ``obj`` is given but no rule is registered for its type and ``action``.
    """
    if user is None or not _signed_in(user):
        return False
    roles = POLICY[Action(action)]
    if roles is not None and not user.has_role(*roles):
        return False
    if obj is None:
        return True
    for klass in type(obj).__mro__:
        rule = OBJECT_RULES.get((Action(action), klass))
        if rule is not None:
            return bool(rule(user, obj))
    raise MissingObjectRule(f"no rule for {action} on {type(obj).__name__}")


def refusal(
    user: User | None, action: Action, obj: Any = None, *, view_action: Action | None = None
) -> int | None:
    """The HTTP status with which to refuse, or ``None`` when allowed (the 403/404 policy above).

    :param view_action: the action that decides whether ``obj`` is visible at all; when the user
        may not even see ``obj`` the answer is 404, otherwise 403.
    :returns: ``None`` (allowed), 401 (not signed in), 403 or 404.
    """
    if user is None or not _signed_in(user):
        return 401
    if can(user, action, obj):
        return None
    if obj is not None and view_action is not None and not can(user, view_action, obj):
        return 404
    return 403


def require(
    user: User | None,
    action: Action,
    obj: Any = None,
    *,
    view_action: Action | None = None,
    message: Any = None,
) -> None:
    """The one permission gate of the services: return when ``user`` may perform ``action`` (on
    ``obj``), else refuse.

    :param view_action: as for :func:`refusal` (a user who may not even see ``obj`` gets 404).
    :param message: what the user is told (Czech source text); default :data:`REFUSALS` of the
        action, else :data:`DEFAULT_REFUSAL`.
    :raises PermissionDenied: with the message and the status of :func:`refusal` (401 for an
        anonymous or deactivated user, 403, or 404).
    :raises MissingObjectRule: ``obj`` is given but no rule is registered for it.
    """
    status = refusal(user, action, obj, view_action=view_action)
    if status is None:
        return
    if message is None:
        message = REFUSALS.get(Action(action), DEFAULT_REFUSAL)
    raise PermissionDenied(message, status=status)


# --------------------------------------------------------------------------------------------
# Helpers for object rules


def acts_for(user: User, body: Body, on: date | None = None) -> bool:
    """True if ``user`` may act for ``body`` on ``on`` (default: today, :func:`workflow.clock.today`): a
    member of the body, or the deputy of a member on that day (:func:`workflow.accounts.bodies_of`)."""
    from workflow.accounts import bodies_of

    return any(b.id == body.id for b in bodies_of(user, on or clock.today()))


def may_name_deputies(user: User) -> bool:
    """True if ``user``'s roles let them name a deputy (the roles of :data:`POLICY` for
    ``name_deputy``), whether or not they are signed in now (an administrator names one for them)."""
    roles = POLICY[Action.name_deputy]
    return roles is None or user.has_role(*roles)


#: Attribute of a :class:`User` instance: the ids of their bodies read by :func:`member_body_ids`
#: (forgotten by :func:`workflow.accounts.user_for_request` when the user is loaded for a request).
MEMBER_BODY_IDS = "_plneni_member_body_ids"


def member_body_ids(user: User | None) -> set[int]:
    """Ids of the bodies ``user`` is a member of as contributor or head (empty when inactive): from
    ``user.bodies`` when loaded (it may have just been changed), else one query of the ids alone (no
    body objects, no ordering), remembered on the user for the rest of the request."""
    if not _active(user) or not user.has_role(Role.contributor, Role.head):  # type: ignore[union-attr]
        return set()
    if "bodies" in inspect(user).dict:
        return {b.id for b in user.bodies}  # type: ignore[union-attr]
    known = user.__dict__.get(MEMBER_BODY_IDS)  # type: ignore[union-attr]
    if known is None:
        mine = select(user_bodies.c.body_id).where(user_bodies.c.user_id == user.id)  # type: ignore[union-attr]
        known = user.__dict__[MEMBER_BODY_IDS] = frozenset(db.session.scalars(mine))  # type: ignore[union-attr]
    return set(known)


def deputised_body_ids(user: User | None, on: date) -> dict[int, int]:
    """``{body_id: principal_id}`` of the bodies ``user`` stands in for on day ``on`` (Prague date).

    Only principals who are contributors or heads count; a deputyship narrowed to one body gives
    only that body. Own bodies are not listed (see :func:`member_body_ids`).
    """
    from workflow.accounts.deputies import _standing_in

    if not _active(user):
        return {}
    result: dict[int, int] = {}
    for entry in _standing_in(user, on):  # type: ignore[arg-type]
        principal = entry.principal
        if not principal.has_role(Role.contributor, Role.head):
            continue
        for body in principal.bodies:
            if entry.body_id in (None, body.id):
                result.setdefault(body.id, principal.id)
    return result


def reviewer_covers(user: User | None, plan_id: int | None, node_id: int | None, body_id: int | None) -> bool:
    """Positional form of :func:`in_review_scope` (False for inactive or anonymous users)."""
    return _active(user) and in_review_scope(user, plan_id=plan_id, node_id=node_id, body_id=body_id)  # type: ignore[arg-type]


def in_review_scope(user: User, *, plan_id: int | None, node_id: int | None, body_id: int | None) -> bool:
    """True if one of ``user``'s reviewer roles covers an object of this plan, top-level node
    (:attr:`Activity.top_node_id <workflow.models.Activity.top_node_id>`, the okruh) and body.

    A reviewer role without scope covers everything; a scoped one covers objects matching every
    part of its scope that is set (plan, top-level node, body).
    """
    for assignment in user.role_assignments:
        if assignment.role != Role.reviewer:
            continue
        if assignment.plan_id is not None and assignment.plan_id != plan_id:
            continue
        if assignment.node_id is not None and assignment.node_id != node_id:
            continue
        if assignment.body_id is not None and assignment.body_id != body_id:
            continue
        return True
    return False


@object_rule(Action.name_deputy, Body)
def _deputy_for_own_body(user: User, body: Body) -> bool:
    """Only for a body the user belongs to themselves (a deputy cannot name a further deputy)."""
    return any(b.id == body.id for b in user.bodies)


@object_rule(Action.act_for_body, Body)
def _act_for_body(user: User, body: Body) -> bool:
    return acts_for(user, body)


# --------------------------------------------------------------------------------------------
# Entry-level rules of reporting rounds (issue 4; docs/workflow.md)


def acting_body_ids(user: User | None, on: date) -> set[int]:
    """Bodies ``user`` may write entries for on ``on``: own (as contributor/head) and deputised."""
    return member_body_ids(user) | set(deputised_body_ids(user, on))


def reviewer_scope_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``entries`` (``reporting_rounds`` joined) for the entries in ``user``'s
    reviewer scope (same rule as :func:`in_review_scope`); false for a non-reviewer."""
    from sqlalchemy import and_, false, or_, select, true

    from workflow.models import Activity, ReportingRound

    if not _active(user):
        return false()
    conditions = []
    for a in user.role_assignments:  # type: ignore[union-attr]
        if a.role != Role.reviewer:
            continue
        parts: list[ColumnElement[bool]] = [true()]
        if a.plan_id is not None:
            parts.append(ReportingRound.plan_id == a.plan_id)
        if a.node_id is not None:
            under_node = select(Activity.id).where(Activity.top_node_id == a.node_id)
            parts.append(Entry.activity_id.in_(under_node))
        if a.body_id is not None:
            parts.append(Entry.body_id == a.body_id)
        conditions.append(and_(*parts))
    return or_(*conditions) if conditions else false()


def reviewers_covering_clause() -> ColumnElement[bool]:
    """SQL condition on ``users`` for the active users whose reviewer roles cover an object of the
    plan, top-level node and body given as the bind parameters ``plan_id``, ``node_id`` and
    ``body_id`` (``None`` where the object has none): the reverse of :func:`reviewer_scope_clause`,
    the same rule as :func:`in_review_scope` (recipient selection of the reviewers' digest in one
    query). The parameters are given when the statement runs, so a statement built with this
    clause once serves every object (``role.x IS NULL OR role.x = NULL`` is ``role.x IS NULL``)."""
    from sqlalchemy import and_, bindparam, exists, or_

    from workflow.models import RoleAssignment

    def part(column: Any, name: str) -> ColumnElement[bool]:
        return or_(column.is_(None), column == bindparam(name, type_=column.type))

    return and_(
        User.active.is_(True),
        exists().where(
            RoleAssignment.user_id == User.id,
            RoleAssignment.role == Role.reviewer.value,
            part(RoleAssignment.plan_id, "plan_id"),
            part(RoleAssignment.node_id, "node_id"),
            part(RoleAssignment.body_id, "body_id"),
        ),
    )


def entry_visibility_clause(user: User | None, on: date) -> ColumnElement[bool]:
    """SQL condition on ``entries`` (``reporting_rounds`` joined) for what ``user`` may see:
    secretary and admin all, reviewers their scope, bodies (and deputies) their own entries,
    the commission approved ones. Same rule as :func:`can_view_entry`."""
    from sqlalchemy import false, or_, true

    if not _active(user):
        return false()
    if user.has_role(Role.secretary, Role.admin):  # type: ignore[union-attr]
        return true()
    conditions = [reviewer_scope_clause(user)]
    bodies = acting_body_ids(user, on)
    if bodies:
        conditions.append(Entry.body_id.in_(sorted(bodies)))
    if user.has_role(Role.commission):  # type: ignore[union-attr]
        conditions.append(Entry.state == "approved")
    return or_(*conditions)


def review_queue_clause(user: User | None) -> ColumnElement[bool]:
    """SQL condition on ``entries`` (``reporting_rounds`` joined) for the entries of ``user``'s
    review queue: all for the secretary, the reviewer scope (:func:`reviewer_scope_clause`) for
    anyone else (none for a non-reviewer)."""
    from sqlalchemy import true

    if _active(user) and user.has_role(Role.secretary):  # type: ignore[union-attr]
        return true()
    return reviewer_scope_clause(user)


def approves_entries(user: User | None) -> bool:
    """True if ``user`` is a reviewer, the role that approves entries (the ``approve`` transition,
    :mod:`workflow.transitions`): the queue offers them bulk approval of submitted entries."""
    return _active(user) and user.has_role(Role.reviewer)  # type: ignore[union-attr]


def review_queue_scope(user: User | None) -> tuple[Any, ...]:
    """What :func:`review_queue_clause` of ``user`` depends on, as a hashable value (part of the
    key of a cached queue page): ``("all",)`` for the secretary, else the sorted reviewer scopes
    ``(plan_id, node_id, body_id)`` with 0 for „any“ (empty: no queue). Two users with the same
    value see the same queue."""
    if not _active(user):
        return ()
    if user.has_role(Role.secretary):  # type: ignore[union-attr]
        return ("all",)
    return _reviewer_scopes(user)  # type: ignore[arg-type]


def _reviewer_scopes(user: User) -> tuple[tuple[int, int, int], ...]:
    """``user``'s reviewer scopes as sorted ``(plan_id, node_id, body_id)``, 0 for „any“."""
    return tuple(
        sorted(
            (a.plan_id or 0, a.node_id or 0, a.body_id or 0)
            for a in user.role_assignments
            if a.role == Role.reviewer
        )
    )


def entry_visibility_scope(user: User | None, on: date) -> tuple[Any, ...]:
    """What :func:`entry_visibility_clause` of ``user`` on ``on`` depends on, as a hashable value
    (part of the key of a cached count of the entries a user may see): ``("none",)``, ``("all",)``
    for the secretary and the administrator, else the reviewer scopes, the bodies the user acts
    for that day (their own and those they stand in for) and whether they sit on the commission.
    Two users with the same value see the same entries of a round, while the plan's structure
    (which activity is under which node) stays the same."""
    if not _active(user):
        return ("none",)
    if user.has_role(Role.secretary, Role.admin):  # type: ignore[union-attr]
        return ("all",)
    return (
        "some",
        _reviewer_scopes(user),  # type: ignore[arg-type]
        tuple(sorted(acting_body_ids(user, on))),
        user.has_role(Role.commission),  # type: ignore[union-attr]
    )


def can_view_entry(user: User | None, entry: Entry, on: date | None = None) -> bool:
    """True if ``user`` may see ``entry`` on ``on`` (default: today, :func:`workflow.clock.today`)."""
    if not _active(user):
        return False
    if user.has_role(Role.secretary, Role.admin):  # type: ignore[union-attr]
        return True
    if entry.body_id in acting_body_ids(user, on or clock.today()):
        return True
    if reviewer_covers(user, entry.round.plan_id, entry.activity.top_node_id, entry.body_id):
        return True
    return user.has_role(Role.commission) and entry.state == "approved"  # type: ignore[union-attr]


def can_view_internal(user: User | None, entry: Entry) -> bool:
    """True if ``user`` may read internal comments and an unpublished assessment of ``entry``."""
    if not _active(user):
        return False
    return user.has_role(Role.secretary) or reviewer_covers(  # type: ignore[union-attr]
        user, entry.round.plan_id, entry.activity.top_node_id, entry.body_id
    )


@object_rule(Action.view_entry, Entry)
def _view_entry(user: User, entry: Entry) -> bool:
    return can_view_entry(user, entry)


@object_rule(Action.edit_entry, Entry)
def _edit_entry(user: User, entry: Entry) -> bool:
    """The body (member as contributor/head, or deputy today) while the round is open."""
    return entry.round.state == "open" and entry.body_id in acting_body_ids(user, clock.today())


@object_rule(Action.work_offline, Body)
def _work_offline_for_body(user: User, body: Body) -> bool:
    """The body's entries in XLSX: a member (contributor/head) or a deputy of one today."""
    return body.id in acting_body_ids(user, clock.today())


@object_rule(Action.work_offline, OfflineUpload)
def _own_upload(user: User, upload: OfflineUpload) -> bool:
    """An uploaded file's preview and confirmation: only the user who uploaded it."""
    return upload.user_id == user.id


# --------------------------------------------------------------------------------------------
# Capacities towards one entry (the ``actors`` of workflow.transitions.TRANSITIONS)


class Actor(StrEnum):
    """In which capacity a user may fire a transition on a given entry."""

    body = "body"  #: member (contributor/head) of the entry's body, or a deputy of one today
    reviewer = "reviewer"  #: reviewer whose scope covers the entry
    secretary = "secretary"  #: tajemník


@dataclass(frozen=True)
class ActingAs:
    """How a user stands towards one entry on one day.

    :ivar kinds: capacities (:class:`Actor`) the user holds for the entry.
    :ivar member: the user is a member of the entry's body (contributor/head).
    :ivar principal_id: the member the user deputises for, when acting as a deputy.
    """

    kinds: frozenset[Actor]
    member: bool
    principal_id: int | None


def acting_as(user: User | None, entry: Entry, day: date | None = None) -> ActingAs:
    """Resolve ``user``'s capacities for ``entry`` on ``day`` (default: :func:`workflow.clock.today`)."""
    day = day or clock.today()
    kinds: set[Actor] = set()
    member = entry.body_id in member_body_ids(user)
    principal_id = None
    if member:
        kinds.add(Actor.body)
    else:
        principal_id = deputised_body_ids(user, day).get(entry.body_id)
        if principal_id is not None:
            kinds.add(Actor.body)
    node_id = entry.activity.top_node_id
    if user is not None and reviewer_covers(user, entry.round.plan_id, node_id, entry.body_id):
        kinds.add(Actor.reviewer)
    if _active(user) and user.has_role(Role.secretary):  # type: ignore[union-attr]
        kinds.add(Actor.secretary)
    return ActingAs(frozenset(kinds), member, principal_id)
