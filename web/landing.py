"""Where each role lands after sign-in (issue 16, item 7) and who has „Moje úkoly“ in the menu.

One place for the rule; :func:`web.views.auth.landing_url` and the home page (``/``) use it.
"""

from __future__ import annotations

from flask import has_request_context, request, url_for
from sqlalchemy import select

from workflow import clock
from workflow.db import db
from workflow.models import ReportingRound, User
from workflow.permissions import acting_body_ids
from workflow.states import Role, RoundState


def acting_bodies_today(user: User) -> set[int]:
    """:func:`workflow.permissions.acting_body_ids` of ``user`` today, computed once per request
    (kept on the request object, so a test's application context shared by several requests does
    not carry it over): the menu (:func:`has_tasks`) and a page that needs them share one query.

    :returns: a new set of body ids (the caller may change it).
    """
    today = clock.today()
    if not has_request_context():
        return acting_body_ids(user, today)
    memo = getattr(request, "_plneni_acting_bodies", None)
    if memo is None or memo[0] != (user.id, today):
        memo = ((user.id, today), frozenset(acting_body_ids(user, today)))
        request._plneni_acting_bodies = memo  # type: ignore[attr-defined]
    return set(memo[1])


def has_tasks(user: User) -> bool:
    """True if ``user`` can have tasks in „Moje úkoly“: a contributor or head, or someone who stands
    in for a body today. One query at most per request (the user's deputyships,
    :func:`acting_bodies_today`)."""
    if user.has_role(Role.contributor, Role.head):
        return True
    return bool(acting_bodies_today(user))


def _latest_round(state: RoundState) -> ReportingRound | None:
    return db.session.scalars(
        select(ReportingRound)
        .where(ReportingRound.state == state, ReportingRound.imported.is_(False))
        .order_by(ReportingRound.period_end.desc(), ReportingRound.id.desc())
        .limit(1)
    ).first()


def landing_url(user: User) -> str:
    """The page ``user`` starts on: their work.

    * secretary → the open round's dashboard (the newest, if several), else the list of rounds;
    * reviewer → „Kontrola“ (the review queue);
    * contributor, head, deputy → „Moje úkoly“;
    * commission member → the report of the latest closed round, else the list of rounds;
    * administrator → administration;
    * anyone else → the plans.

    A user with several roles lands on the first that applies in this order (the busiest work first).
    """
    if user.has_role(Role.secretary):
        open_round = _latest_round(RoundState.open)
        return url_for("rounds.detail", round_id=open_round.id) if open_round else url_for("rounds.index")
    if user.has_role(Role.reviewer):
        return url_for("review.queue")
    if has_tasks(user):
        return url_for("tasks.index")
    if user.has_role(Role.commission):
        closed = _latest_round(RoundState.closed)
        return url_for("reports.report", round_id=closed.id) if closed else url_for("rounds.index")
    if user.has_role(Role.admin):
        return url_for("admin.index")
    return url_for("plans.list_plans")
