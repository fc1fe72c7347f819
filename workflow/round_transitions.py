"""The round state machine: THE declarative table of round transitions and the one function that
applies them (the rounds' counterpart of :mod:`workflow.transitions`).

======  =======  ======  ==========================  ========  ============  =============================
name    from     to      who (:mod:`~workflow.perm…  reason    notification  guard → before / after
======  =======  ======  ==========================  ========  ============  =============================
open    planned  open    ``manage_rounds``: secret.  –         round_opened  a submission deadline → the
                                                                             entries are created
close   open     closed  ``manage_rounds``: secret.  –         round_closed  the closing checklist is
                                                                             clear → consolidation /
                                                                             the report's snapshot
reopen  closed   open    ``reopen_round``: admin     required  –             not an imported round
======  =======  ======  ==========================  ========  ============  =============================

:func:`apply_round_transition` is the only code that changes a round's state: it asks the
permission gate, checks the state, the guard and the reason, runs the effects, writes the round's
log (:class:`~workflow.models.RoundEvent`) and records the domain event
(:class:`~workflow.events.RoundTransitioned`) whose notification the subscriber sends.

Services take the actor explicitly, flush and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflow import permissions
from workflow.db import db, utcnow
from workflow.events import RoundTransitioned, record
from workflow.models import ReportingRound, User
from workflow.permissions import Action
from workflow.states import RoundState


@dataclass(frozen=True)
class RoundTransition:
    """One row of the round table.

    :ivar name: the verb (``open``, ``close``, ``reopen``), used in URLs and the round's log.
    :ivar sources: states it may start from.
    :ivar target: the state it leads to.
    :ivar action: the permission asked of :func:`workflow.permissions.require`.
    :ivar refusal: what a user without the permission is told (Czech).
    :ivar wrong_state: what is said when the round is in none of ``sources`` (Czech).
    :ivar logged_as: the ``action`` of the round's log entry.
    :ivar reason_required: what asks for the reason when it is required (Czech), else ``None``;
        the reason is stored in the round's log.
    :ivar notification: the notification it raises (a handler of :mod:`notifications.events`).
    :ivar guard: raises when the round may not take the transition now (after the state check).
    :ivar before: runs before the state changes (its result is returned).
    :ivar after: runs after the state changed (its result, unless ``None``, is returned instead).
    """

    name: str
    sources: frozenset[RoundState]
    target: RoundState
    action: Action
    refusal: Any
    wrong_state: Any
    logged_as: str
    reason_required: Any = None
    notification: str | None = None
    guard: Callable[[ReportingRound], None] | None = None
    before: Callable[[ReportingRound, User], Any] | None = None
    after: Callable[[ReportingRound, User], Any] | None = None


def _open_guard(round_: ReportingRound) -> None:
    from workflow.rounds import check_openable

    check_openable(round_)


def _open_before(round_: ReportingRound, actor: User) -> int:
    from workflow.rounds import create_entries

    round_.opened_at = utcnow()
    return create_entries(round_)


def _close_guard(round_: ReportingRound) -> None:
    from workflow.closing import check_closable

    check_closable(round_)


def _close_before(round_: ReportingRound, actor: User) -> None:
    from workflow.consolidation import consolidate_round

    consolidate_round(round_, actor)
    round_.closed_at = utcnow()


def _close_after(round_: ReportingRound, actor: User) -> Any:
    from workflow.closing import store_snapshot

    return store_snapshot(round_, actor)


def _reopen_guard(round_: ReportingRound) -> None:
    from workflow.rounds import RoundError

    if round_.imported:
        raise RoundError(_("Znovu otevřít lze jen uzavřené kolo vedené v aplikaci."))


def _reopen_before(round_: ReportingRound, actor: User) -> None:
    round_.closed_at = None


S = RoundState

ROUND_TRANSITIONS: dict[str, RoundTransition] = {
    t.name: t
    for t in (
        RoundTransition(
            "open",
            frozenset({S.planned}),
            S.open,
            Action.manage_rounds,
            _l("Kolo může otevřít jen tajemník."),
            _l("Otevřít lze jen připravované kolo."),
            "opened",
            notification="round_opened",
            guard=_open_guard,
            before=_open_before,
        ),
        RoundTransition(
            "close",
            frozenset({S.open}),
            S.closed,
            Action.manage_rounds,
            _l("Kolo může uzavřít jen tajemník."),
            _l("Uzavřít lze jen otevřené kolo."),
            "closed",
            notification="round_closed",
            guard=_close_guard,
            before=_close_before,
            after=_close_after,
        ),
        RoundTransition(
            "reopen",
            frozenset({S.closed}),
            S.open,
            Action.reopen_round,
            _l("Uzavřené kolo může znovu otevřít jen správce."),
            _l("Znovu otevřít lze jen uzavřené kolo vedené v aplikaci."),
            "reopened",
            reason_required=_l("Uveďte důvod znovuotevření kola."),
            guard=_reopen_guard,
            before=_reopen_before,
        ),
    )
}


def apply_round_transition(
    round_: ReportingRound, name: str, actor: User | None, *, comment: str = ""
) -> Any:
    """Move ``round_`` along transition ``name`` of :data:`ROUND_TRANSITIONS`.

    Checks in this order: the name, the permission, the state, the guard, the reason; then the
    ``before`` effect, the new state, the round's log, the ``after`` effect and the domain event.

    :returns: what the effects return: the number of entries created (``open``), the
        :class:`~workflow.models.RoundSnapshot` (``close``), ``None`` (``reopen``).
    :raises workflow.rounds.RoundError: unknown name, wrong state, missing reason (or the guard's).
    :raises workflow.errors.PermissionDenied: the actor may not.
    :raises workflow.closing.ClosingError: closing while the checklist is not clear.
    """
    from workflow.rounds import RoundError, log_round_event

    t = ROUND_TRANSITIONS.get(name)
    if t is None:
        raise RoundError(_("Neznámá akce „%(name)s“.", name=name))
    permissions.require(actor, t.action, message=t.refusal)
    if round_.state not in t.sources:
        raise RoundError(t.wrong_state)
    if t.guard is not None:
        t.guard(round_)
    comment = (comment or "").strip()
    if t.reason_required is not None and not comment:
        raise RoundError(t.reason_required)
    result = t.before(round_, actor) if t.before is not None else None
    from_state = round_.state
    round_.state = t.target
    log_round_event(round_, actor, t.logged_as, comment, from_state=from_state, to_state=t.target)
    if t.after is not None:
        outcome = t.after(round_, actor)
        result = result if outcome is None else outcome
    db.session.flush()
    record(RoundTransitioned(t.notification, round_id=round_.id, transition=t.name))
    return result
