"""Reporting rounds: create (with the default inclusion of activities and routing), adjust the
routing preview, open (one entry per activity × body, set-based) and reopen; the lifecycle
itself is the table of :mod:`workflow.round_transitions`.

A round covers, by default, the activities *active in its period* (issue 4 item 1, DOMAIN.md
§3.1 and R17): ongoing ones, yearly and conditional ones, spans overlapping the period
(:meth:`workflow.deadlines.ParsedDeadline.is_active_in`), and spans that ended before the period
but were never reported on after their end (a one-off deadline still owes its final report,
e.g. A1.18 due 12/2024). The secretary may include or exclude any activity with a reason and
change any activity's bodies before the round opens.

Services take the actor explicitly, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, insert, literal, select, update
from sqlalchemy.orm import aliased, joinedload

from workflow import permissions
from workflow.db import UTCDateTime, db, utcnow
from workflow.deadlines import DeadlineKind, ParsedDeadline
from workflow.models import (
    Activity,
    ActivityBody,
    Body,
    Entry,
    Plan,
    ReportingRound,
    RoundActivity,
    RoundEvent,
    RoundRoute,
    User,
)
from workflow.permissions import Action
from workflow.routing.groups import expand, group_views, round_route_rows
from workflow.routing.resolution import cooperating_bodies, decide_activity, default_abbreviation
from workflow.states import EntryState, RoundState
from workflow.transitions import WorkflowError


class RoundError(WorkflowError):
    """A round cannot be created or changed as asked (message in Czech)."""


#: Why an activity is (not) in a round by default; stored in ``RoundActivity.default_reason``.
DEFAULT_REASONS = {
    "ongoing": _l("Průběžná aktivita bez pevného termínu"),
    "yearly": _l("Opakuje se každý rok"),
    "conditional": _l("Termín je podmíněný, aktivita se sleduje"),
    "unknown": _l("Termín nelze přečíst, aktivita se raději sleduje"),
    "overlaps": _l("Termín plnění zasahuje do sledovaného období"),
    "final_report": _l("Termín uplynul, ale závěrečné plnění dosud nebylo vykázáno"),
    "reported": _l("Termín uplynul a plnění už bylo vykázáno"),
    "starts_after": _l("Aktivita začíná až po sledovaném období"),
}


_ALWAYS = frozenset(
    {DeadlineKind.ongoing, DeadlineKind.yearly, DeadlineKind.conditional, DeadlineKind.unknown}
)


def _parsed(activity: Activity) -> ParsedDeadline:
    try:
        kind = DeadlineKind(activity.deadline_kind)
    except ValueError:
        kind = DeadlineKind.unknown
    return ParsedDeadline(
        kind,
        activity.deadline_start,
        activity.deadline_end,
        activity.deadline_frequency,
        activity.deadline_condition,
    )


def default_inclusion(
    activity: Activity, period_start: date, period_end: date, reported_until: date | None
) -> tuple[bool, str]:
    """Decide whether ``activity`` belongs to a round over ``period_start``–``period_end``.

    :param activity: the activity, or any object with its ``deadline_*`` attributes (a row of
        those columns: :func:`create_round`).
    :param reported_until: the latest period end of an earlier round with an approved entry of
        the activity (``None``: never reported on).
    :returns: ``(included, reason key of DEFAULT_REASONS)``.
    """
    parsed = _parsed(activity)
    if parsed.kind in _ALWAYS:
        return True, parsed.kind.value
    if parsed.is_active_in(period_start, period_end):
        return True, "overlaps"
    if parsed.start is not None and parsed.start > period_end:
        return False, "starts_after"
    # The span ended before the period: a final report is owed unless one came after its end.
    if parsed.end is not None and (reported_until is None or reported_until < parsed.end):
        return True, "final_report"
    return False, "reported"


def _reported_until(plan_id: int, before: date) -> dict[int, date]:
    """``{activity_id: latest period_end}`` of earlier rounds (ending before ``before``) of the
    plan with an approved entry of that activity. One query."""
    rows = db.session.execute(
        select(Entry.activity_id, func.max(ReportingRound.period_end))
        .join(ReportingRound, Entry.round_id == ReportingRound.id)
        .where(
            ReportingRound.plan_id == plan_id,
            ReportingRound.period_end < before,
            Entry.state == EntryState.approved,
        )
        .group_by(Entry.activity_id)
    )
    return {activity_id: until for activity_id, until in rows}


def log_round_event(
    round_: ReportingRound,
    actor: User | None,
    action: str,
    comment: str = "",
    from_state: str | None = None,
    to_state: str | None = None,
) -> None:
    """Add an entry to the round's log (:class:`~workflow.models.RoundEvent`); flushed with the rest."""
    db.session.add(
        RoundEvent(
            round_id=round_.id,
            action=action,
            actor_id=actor.id if actor else None,
            comment=comment,
            from_state=from_state,
            to_state=to_state,
        )
    )


def validate_dates(
    period_start: date | None,
    period_end: date | None,
    opens_on: date | None,
    submission_deadline: date | None,
    review_deadline: date | None,
) -> dict[str, str]:
    """Check a round's dates; returns ``{field: Czech message}`` (empty when fine)."""
    errors: dict[str, str] = {}
    if period_start and period_end and period_start > period_end:
        errors["period_end"] = _("Konec sledovaného období musí být po jeho začátku.")
    if submission_deadline and opens_on and submission_deadline < opens_on:
        errors["submission_deadline"] = _("Termín odevzdání nesmí být před otevřením kola.")
    if review_deadline and submission_deadline and review_deadline < submission_deadline:
        errors["review_deadline"] = _("Termín kontroly nesmí být před termínem odevzdání.")
    return errors


def create_round(
    plan_id: int,
    actor: User,
    *,
    title: str,
    period_start: date,
    period_end: date,
    opens_on: date | None = None,
    submission_deadline: date | None = None,
    review_deadline: date | None = None,
) -> ReportingRound:
    """Create a planned round with the default inclusion of every plan activity and a copy of
    the plan's current routing, groups of bodies expanded (both adjustable until the round opens).

    Set-based: one INSERT … for the inclusions and one for the routes (executemany each).

    :raises PermissionDenied: ``actor`` is not a secretary.
    :raises RoundError: bad dates or a duplicate title in the plan.
    """
    permissions.require(actor, Action.manage_rounds, message=_("Kolo může založit jen tajemník."))
    title = title.strip()
    if not title:
        raise RoundError(_("Zadejte název kola."))
    errors = validate_dates(period_start, period_end, opens_on, submission_deadline, review_deadline)
    if errors:
        raise RoundError(" ".join(errors.values()))
    if db.session.scalar(
        select(ReportingRound.id).where(ReportingRound.plan_id == plan_id, ReportingRound.title == title)
    ):
        raise RoundError(_("Kolo s názvem „%(title)s“ už v tomto plánu existuje.", title=title))
    round_ = ReportingRound(
        plan_id=plan_id,
        title=title,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        state=RoundState.planned,
        created_by_id=actor.id,
    )
    db.session.add(round_)
    db.session.flush()
    reported = _reported_until(plan_id, period_start)
    # the deadline columns only (default_inclusion reads nothing else): 2,000 activities as
    # entities cost more than the rest of creating the round (issue 17)
    activities = db.session.execute(
        select(
            Activity.id,
            Activity.deadline_kind,
            Activity.deadline_start,
            Activity.deadline_end,
            Activity.deadline_frequency,
            Activity.deadline_condition,
        ).where(Activity.plan_id == plan_id)
    ).all()
    rows = []
    for activity in activities:
        included, reason = default_inclusion(
            activity, period_start, period_end, reported.get(activity.id)  # type: ignore[arg-type]
        )
        rows.append(
            {
                "round_id": round_.id,
                "activity_id": activity.id,
                "included": included,
                "default_included": included,
                "default_reason": reason,
                "reason": "",
                "routing_changed": False,
                "routing_reason": "",
            }
        )
    if rows:
        db.session.execute(insert(RoundActivity.__table__), rows)  # Core executemany: no ORM bulk
    # The plan's current routing, groups of bodies expanded (workflow.routing.groups): the preview
    # shows exactly the routes from which opening the round creates its entries.
    routes = round_route_rows(plan_id, round_.id)
    if routes:
        db.session.execute(insert(RoundRoute), routes)
    log_round_event(round_, actor, "created", to_state=RoundState.planned)
    db.session.flush()
    return round_


def update_round_dates(round_: ReportingRound, actor: User, **dates: date | None) -> None:
    """Change a round's title or dates (not of a closed round).

    :raises PermissionDenied, RoundError:
    """
    permissions.require(actor, Action.manage_rounds, message=_("Kolo může upravit jen tajemník."))
    if round_.state == RoundState.closed:
        raise RoundError(_("Uzavřené kolo nelze upravit."))
    merged = {
        k: dates.get(k, getattr(round_, k))
        for k in ("period_start", "period_end", "opens_on", "submission_deadline", "review_deadline")
    }
    errors = validate_dates(**merged)
    if errors:
        raise RoundError(" ".join(errors.values()))
    for key, value in dates.items():
        setattr(round_, key, value)
    db.session.flush()


@dataclass
class RoutingRow:
    """One line of the routing preview.

    :ivar activity: the activity.
    :ivar inclusion: its :class:`RoundActivity` (included, default and reasons).
    :ivar bodies: the bodies that will get an entry, lead first.
    :ivar plan_bodies: the plan's own routing, lead first (to show a change); a group is one body
        here and ``expansions`` says what it became in the round.
    """

    activity: Activity
    inclusion: RoundActivity
    bodies: list[Body]
    plan_bodies: list[Body]
    #: groups among ``plan_bodies``: group body id → the bodies it expands to in this round.
    expansions: dict[int, list[Body]] = field(default_factory=dict)
    #: cooperating bodies named in the plan's wording („ve spolupráci s …“), abbreviations.
    cooperating: list[str] = field(default_factory=list)

    @property
    def default_reason_title(self) -> str:
        """Czech explanation of the default inclusion."""
        return str(DEFAULT_REASONS.get(self.inclusion.default_reason, self.inclusion.default_reason))


def routing_preview(round_: ReportingRound) -> list[RoutingRow]:
    """The activities of the round in plan order, each with inclusion and bodies (lead first),
    the plan's routing with its groups' expansion, and the cooperating bodies of the wording.

    A fixed number of queries whatever the plan's size.
    """
    inclusions = db.session.scalars(
        select(RoundActivity)
        .join(Activity, Activity.id == RoundActivity.activity_id)
        .where(RoundActivity.round_id == round_.id)
        .order_by(Activity.sort_key)
        .options(joinedload(RoundActivity.activity))
    ).all()
    routes: dict[int, list[Body]] = {}
    for route, body in db.session.execute(
        select(RoundRoute, Body)
        .join(Body, Body.id == RoundRoute.body_id)
        .where(RoundRoute.round_id == round_.id)
        .order_by(RoundRoute.activity_id, RoundRoute.position)
    ):
        routes.setdefault(route.activity_id, []).append(body)
    plan_routes: dict[int, list[Body]] = {}
    for link, body in db.session.execute(
        select(ActivityBody, Body)
        .join(Body, Body.id == ActivityBody.body_id)
        .join(Activity, Activity.id == ActivityBody.activity_id)
        .where(Activity.plan_id == round_.plan_id)
        .order_by(ActivityBody.activity_id, ActivityBody.position)
    ):
        plan_routes.setdefault(link.activity_id, []).append(body)
    groups = group_views()
    members = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(
        {i for view in groups.values() for i in view.targets}
    )))} if groups else {}
    plan = db.session.get(Plan, round_.plan_id)
    cooperating = cooperating_bodies([ra.activity for ra in inclusions], default_abbreviation(plan))
    return [
        RoutingRow(
            ra.activity,
            ra,
            routes.get(ra.activity_id, []),
            plan_routes.get(ra.activity_id, []),
            {
                b.id: [members[i] for i in groups[b.id].targets if i in members]
                for b in plan_routes.get(ra.activity_id, [])
                if b.id in groups
            },
            cooperating.get(ra.activity_id, []),
        )
        for ra in inclusions
    ]


def _planned(round_: ReportingRound) -> None:
    if round_.state != RoundState.planned:
        raise RoundError(_("Směrování a výběr aktivit lze měnit jen před otevřením kola."))


def set_inclusion(
    round_: ReportingRound, activity_id: int, actor: User, *, included: bool, reason: str
) -> None:
    """Include or exclude an activity; a change from the default needs a reason.

    :raises PermissionDenied, RoundError:
    """
    permissions.require(actor, Action.manage_rounds, message=_("Výběr aktivit může měnit jen tajemník."))
    _planned(round_)
    ra = db.session.get(RoundActivity, (round_.id, activity_id))
    if ra is None:
        raise RoundError(_("Aktivita nepatří k plánu tohoto kola."))
    if included != ra.default_included and not reason.strip():
        raise RoundError(_("Uveďte důvod, proč se aktivita od výchozího výběru liší."))
    ra.included = included
    ra.reason = reason.strip() if included != ra.default_included else ""
    ra.changed_by_id = actor.id
    ra.changed_at = utcnow()
    db.session.flush()


def set_routing(
    round_: ReportingRound,
    activity_id: int,
    body_ids: list[int],
    actor: User,
    *,
    reason: str,
    save_to_plan: bool = False,
) -> None:
    """Replace the bodies that answer for an activity in this round; ``body_ids[0]`` is the lead.

    A group among ``body_ids`` is expanded as in :func:`create_round`. With ``save_to_plan`` the
    correction becomes the plan's routing too (an explicit, audited decision that clears the
    activity's „k revizi“ flag: :func:`workflow.routing.resolution.decide_activity`), so the next
    round starts from it.

    :raises PermissionDenied, RoundError: not a secretary, round not planned, no body, no reason.
    """
    permissions.require(actor, Action.manage_rounds, message=_("Směrování může měnit jen tajemník."))
    _planned(round_)
    ra = db.session.get(RoundActivity, (round_.id, activity_id))
    if ra is None:
        raise RoundError(_("Aktivita nepatří k plánu tohoto kola."))
    body_ids = list(dict.fromkeys(body_ids))
    if not body_ids:
        raise RoundError(_("Aktivita musí mít alespoň jeden odpovědný subjekt."))
    if not reason.strip():
        raise RoundError(_("Uveďte důvod změny směrování."))
    known = set(db.session.scalars(select(Body.id).where(Body.id.in_(body_ids))))
    if known != set(body_ids):
        raise RoundError(_("Neznámý subjekt."))
    if save_to_plan:
        decide_activity(ra.activity, body_ids, actor, note=reason)
    body_ids = expand(body_ids, group_views())
    if not body_ids:
        raise RoundError(_("Skupina nemá žádného člena ani koordinující subjekt."))
    db.session.execute(
        RoundRoute.__table__.delete().where(
            RoundRoute.round_id == round_.id, RoundRoute.activity_id == activity_id
        )
    )
    db.session.execute(
        insert(RoundRoute),
        [
            {"round_id": round_.id, "activity_id": activity_id, "body_id": b, "position": i}
            for i, b in enumerate(body_ids)
        ],
    )
    ra.routing_changed = not save_to_plan
    ra.routing_reason = "" if save_to_plan else reason.strip()
    ra.changed_by_id = actor.id
    ra.changed_at = utcnow()
    action = "routing_saved_to_plan" if save_to_plan else "routing_changed"
    log_round_event(round_, actor, action, comment=f"{ra.activity.code}: {reason.strip()}")
    db.session.flush()


def rebuild_routing(round_: ReportingRound, actor: User) -> int:
    """Build the round's routing again from the plan's current routing (groups expanded),
    dropping this round's own corrections; only before the round opens.

    :returns: the number of routes.
    :raises PermissionDenied, RoundError: not a secretary, round not planned.
    """
    permissions.require(actor, Action.manage_rounds, message=_("Směrování může měnit jen tajemník."))
    _planned(round_)
    db.session.execute(RoundRoute.__table__.delete().where(RoundRoute.round_id == round_.id))
    routes = round_route_rows(round_.plan_id, round_.id)
    if routes:
        db.session.execute(insert(RoundRoute), routes)
    db.session.execute(
        update(RoundActivity.__table__)
        .where(RoundActivity.round_id == round_.id)
        .values(routing_changed=False, routing_reason="")
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, RoundActivity) and obj.round_id == round_.id:
            db.session.expire(obj, ["routing_changed", "routing_reason"])
    log_round_event(round_, actor, "routing_rebuilt")
    db.session.flush()
    return len(routes)


def _latest_approved() -> Select:
    """Per (activity, body): the last approved entry of any earlier round of any plan, ranked by
    the round's period end (rank 1 = the one to carry over)."""
    return (
        select(
            Entry.id.label("entry_id"),
            Entry.activity_id,
            Entry.body_id,
            func.row_number()
            .over(
                partition_by=(Entry.activity_id, Entry.body_id),
                order_by=(ReportingRound.period_end.desc(), Entry.approved_at.desc(), Entry.id.desc()),
            )
            .label("rank"),
        )
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(Entry.state == EntryState.approved)
    )


def open_round(round_: ReportingRound, actor: User) -> int:
    """Open a planned round: one entry per included (activity, body) in state ``not_started``,
    pre-filled from the last approved answer of the same activity and body (carry-over, marked
    ``carried_over`` until edited or confirmed). The ``open`` transition of
    :data:`workflow.round_transitions.ROUND_TRANSITIONS`.

    :returns: the number of entries created.
    :raises PermissionDenied, RoundError: not a secretary; the round is not planned; nothing routed.
    """
    from workflow.round_transitions import apply_round_transition

    return int(apply_round_transition(round_, "open", actor))


def check_openable(round_: ReportingRound) -> None:
    """The guard of ``open``: the round has a submission deadline. :raises RoundError:"""
    if round_.submission_deadline is None:
        raise RoundError(_("Před otevřením nastavte termín odevzdání."))


def create_entries(round_: ReportingRound) -> int:
    """The effect of ``open``: one entry per included (activity, body), carried over from the last
    approved answer. Set-based: a single ``INSERT … SELECT`` whatever the number of entries.

    :returns: the number of entries created.
    :raises RoundError: nothing is included and routed.
    """
    latest = _latest_approved().where(ReportingRound.id != round_.id).subquery()
    prev = aliased(Entry)
    now = utcnow()
    source = (
        select(
            RoundRoute.round_id,
            RoundRoute.activity_id,
            RoundRoute.body_id,
            literal(EntryState.not_started.value),
            prev.fulfilment_status,
            func.coalesce(prev.text, ""),
            prev.id.is_not(None),
            prev.id,
            func.coalesce(prev.indicator_unit, ""),
            func.coalesce(prev.cooperation_text, ""),
            literal(1),
            literal(now, UTCDateTime()),
            literal(now, UTCDateTime()),
        )
        .join(
            RoundActivity,
            and_(
                RoundActivity.round_id == RoundRoute.round_id,
                RoundActivity.activity_id == RoundRoute.activity_id,
            ),
        )
        .outerjoin(
            latest,
            and_(
                latest.c.activity_id == RoundRoute.activity_id,
                latest.c.body_id == RoundRoute.body_id,
                latest.c.rank == 1,
            ),
        )
        .outerjoin(prev, prev.id == latest.c.entry_id)
        .where(RoundRoute.round_id == round_.id, RoundActivity.included.is_(True))
    )
    db.session.flush()
    db.session.connection().execute(
        insert(Entry.__table__).from_select(
            [
                "round_id",
                "activity_id",
                "body_id",
                "state",
                "fulfilment_status",
                "text",
                "carried_over",
                "carried_from_id",
                "indicator_unit",
                "cooperation_text",
                "version",
                "created_at",
                "updated_at",
            ],
            source,
        )
    )
    count = select(func.count()).select_from(Entry).where(Entry.round_id == round_.id)
    created = db.session.scalar(count) or 0
    if created == 0:
        raise RoundError(_("Kolo nemá žádnou zahrnutou aktivitu s odpovědným subjektem."))
    return created


def reopen_round(round_: ReportingRound, actor: User, *, reason: str) -> None:
    """Reopen a closed round (an administrator's act, with a reason recorded in the round's log):
    the ``reopen`` transition of :data:`workflow.round_transitions.ROUND_TRANSITIONS`.

    :raises PermissionDenied, RoundError:
    """
    from workflow.round_transitions import apply_round_transition

    apply_round_transition(round_, "reopen", actor, comment=reason)


def round_events(round_: ReportingRound) -> list[RoundEvent]:
    """The round's log, oldest first."""
    return list(
        db.session.scalars(
            select(RoundEvent)
            .where(RoundEvent.round_id == round_.id)
            .order_by(RoundEvent.id)
            .options(joinedload(RoundEvent.actor))
        )
    )


def set_body_deadline(round_: ReportingRound, body_id: int, new_deadline: date) -> int:
    """Give every entry of ``body_id`` in the round the deadline ``new_deadline`` (set-based;
    the answer's version is not bumped: the deadline is not part of the answer).

    :returns: the number of entries changed.
    """
    result = db.session.connection().execute(
        update(Entry.__table__)
        .where(Entry.round_id == round_.id, Entry.body_id == body_id)
        .values(deadline=new_deadline)
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Entry) and obj.round_id == round_.id and obj.body_id == body_id:
            db.session.expire(obj, ["deadline"])
    return result.rowcount or 0
