"""The entry state machine: THE declarative table of transitions and the checks that guard it.

:data:`TRANSITIONS` is the only place where from → to pairs are written (issue 4 item 5):

=========  ======================  ==========  =========================  =======  =================
name       from                    to          who (:class:`Actor`)       comment  notification
=========  ======================  ==========  =========================  =======  =================
start      not_started             draft       body                       –        –
submit     draft                   submitted   body                       –        entry_submitted
send_back  submitted               returned    reviewer                   required entry_returned
rework     returned                draft       body                       –        –
approve    submitted               approved    reviewer (not self)        –        entry_approved
reopen     approved                draft       secretary                  required entry_reopened
=========  ======================  ==========  =========================  =======  =================

``start`` and ``rework`` are *implicit*: saving a draft fires them (the body starts writing, or
starts reworking a returned answer), so they have no button. Each notification named here has a
handler in :mod:`notifications.events`, which sends it through the outbox when the transaction that
recorded the transition's domain event commits (:mod:`workflow.events`).

Who an actor is for a given entry (:func:`~workflow.permissions.acting_as`) is decided by
:mod:`workflow.permissions` (re-exported here with :class:`Actor` and :class:`ActingAs`):
*body* = a member of the entry's body with a contributor or head role, or their deputy on that day;
*reviewer* = a reviewer whose scope (plan/area/body) covers the entry; *secretary* = the role.
Everything here raises a :class:`WorkflowError` with a Czech message on refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from workflow.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from workflow.permissions import ActingAs, Actor, acting_as
from workflow.states import ENTRY_STATE_TITLES, EntryState

if TYPE_CHECKING:
    from workflow.models import Entry, User


ACTOR_TITLES = {
    Actor.body: _l("zpracovatel za odpovědný subjekt"),
    Actor.reviewer: _l("hodnotitel s působností pro tento záznam"),
    Actor.secretary: _l("tajemník"),
}


@dataclass(frozen=True)
class Transition:
    """One row of the table.

    :ivar name: the verb, used in URLs and the audit trail.
    :ivar sources: states it may start from.
    :ivar target: the state it leads to.
    :ivar actors: capacities that may fire it.
    :ivar title: the button label (Czech).
    :ivar needs_comment: a non-empty comment (reason) is required.
    :ivar notification: name of the notification it raises (sent through the outbox), or None.
    :ivar validates: the answer must be complete (:func:`workflow.entries.missing_for_submit`).
    :ivar implicit: fired by saving a draft, never by a button.
    :ivar no_self_approval: refused to the submitter and to members of the entry's body.
    :ivar style: Bootstrap button style.
    """

    name: str
    sources: frozenset[EntryState]
    target: EntryState
    actors: frozenset[Actor]
    title: Any
    needs_comment: bool = False
    notification: str | None = None
    validates: bool = False
    implicit: bool = False
    no_self_approval: bool = False
    style: str = "primary"
    comment_label: Any = field(default=None, compare=False)


S = EntryState

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start",
            frozenset({S.not_started}),
            S.draft,
            frozenset({Actor.body}),
            _l("Začít vyplňovat"),
            implicit=True,
        ),
        Transition(
            "submit",
            frozenset({S.draft}),
            S.submitted,
            frozenset({Actor.body}),
            _l("Odeslat ke kontrole"),
            notification="entry_submitted",
            validates=True,
        ),
        Transition(
            "send_back",
            frozenset({S.submitted}),
            S.returned,
            frozenset({Actor.reviewer}),
            _l("Vrátit k doplnění"),
            needs_comment=True,
            notification="entry_returned",
            style="outline-danger",
            comment_label=_l("Důvod vrácení"),
        ),
        Transition(
            "rework",
            frozenset({S.returned}),
            S.draft,
            frozenset({Actor.body}),
            _l("Přepracovat"),
            implicit=True,
        ),
        Transition(
            "approve",
            frozenset({S.submitted}),
            S.approved,
            frozenset({Actor.reviewer}),
            _l("Schválit"),
            notification="entry_approved",
            no_self_approval=True,
            style="success",
        ),
        Transition(
            "reopen",
            frozenset({S.approved}),
            S.draft,
            frozenset({Actor.secretary}),
            _l("Znovu otevřít k úpravám"),
            needs_comment=True,
            notification="entry_reopened",
            style="outline-secondary",
            comment_label=_l("Důvod znovuotevření"),
        ),
    )
}

#: States in which the body may edit the answer (a save moves not_started/returned to draft).
EDITABLE_STATES = frozenset({S.not_started, S.draft, S.returned})


# --- errors -------------------------------------------------------------------------------------
class WorkflowError(DomainError):
    """Base of every refusal of the workflow; ``message`` is Czech and says what to do."""


class UnknownTransition(WorkflowError, NotFound):
    """No transition of that name exists."""


class RoundLocked(WorkflowError):
    """The entry's round is not open (planned or closed): entries are locked."""


class NotAllowed(WorkflowError, PermissionDenied):
    """The user may not fire this transition (or do this) on this entry."""


class InvalidTransition(WorkflowError):
    """The entry's state is not a source of the transition."""


class SelfApproval(WorkflowError):
    """The approver submitted the entry or belongs to its body."""


class CommentRequired(WorkflowError, InvalidInput):
    """The transition needs a reason."""


class IncompleteEntry(WorkflowError, InvalidInput):
    """The answer lacks what submitting needs; ``errors`` maps form fields to Czech messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Záznam nelze odeslat, chybí: %(fields)s.", fields="; ".join(errors.values())))
        self.errors = errors


class StaleEntry(WorkflowError, Conflict):
    """Somebody else changed the entry since the form was loaded (optimistic locking)."""

    def __init__(self, entry: Entry, expected_version: int) -> None:
        super().__init__(
            _(
                "Záznam mezitím změnil někdo jiný (verze %(theirs)s, "
                "váš formulář byl načten ve verzi %(mine)s).",
                theirs=entry.version,
                mine=expected_version,
            )
        )
        self.entry = entry
        self.expected_version = expected_version


def state_title(state: str) -> str:
    """Czech title of an entry state, e.g. ``"Odesláno ke kontrole"``."""
    return str(ENTRY_STATE_TITLES.get(EntryState(state), state))


def check_capacity(entry: Entry, name: str, as_of: ActingAs) -> None:
    """Refuse a user who acts for ``entry`` in no capacity that may fire transition ``name``
    (unknown names and locked rounds are left to :func:`check_transition`, which refuses them first).

    :raises NotAllowed: with a Czech message naming who may.
    """
    t = TRANSITIONS.get(name)
    if t is not None and entry.round.is_open and not as_of.kinds & t.actors:
        who = ", ".join(str(ACTOR_TITLES[a]) for a in sorted(t.actors))
        raise NotAllowed(_("Akci „%(action)s“ smí provést jen %(who)s.", action=t.title, who=who))


def check_transition(
    entry: Entry,
    name: str,
    user: User | None,
    *,
    comment: str = "",
    as_of: ActingAs | None = None,
    check_comment: bool = True,
) -> Transition:
    """Say whether ``user`` may fire transition ``name`` on ``entry`` now; return it if so.

    Checks in this order: the name, the round being open, the user's capacity, the entry's
    state, self-approval, the comment. (Completeness of the answer is checked by
    :func:`workflow.entries.apply_transition`, which knows the fields.)

    :raises UnknownTransition, RoundLocked, NotAllowed, InvalidTransition, SelfApproval,
        CommentRequired: with a Czech message.
    """
    t = TRANSITIONS.get(name)
    if t is None:
        raise UnknownTransition(_("Neznámá akce „%(name)s“.", name=name))
    if not entry.round.is_open:
        raise RoundLocked(
            _("Kolo „%(round)s“ není otevřené, záznamy jsou uzamčené.", round=entry.round.title)
        )
    as_of = as_of or acting_as(user, entry)
    check_capacity(entry, name, as_of)
    if entry.state not in t.sources:
        sources = ", ".join(f"„{state_title(s)}“" for s in sorted(t.sources))
        raise InvalidTransition(
            _(
                "Záznam je ve stavu „%(state)s“; akci „%(action)s“ lze provést jen ve stavu %(sources)s.",
                state=state_title(entry.state),
                action=t.title,
                sources=sources,
            )
        )
    if t.no_self_approval:
        if as_of.member or as_of.principal_id is not None:
            raise SelfApproval(
                _("Záznam vlastního subjektu nemůžete schválit (zákaz schvalování sebe sama).")
            )
        if user is not None and entry.submitted_by_id == user.id:
            raise SelfApproval(_("Záznam, který jste sami odeslali, nemůžete schválit."))
        if user is not None and user.id in (entry.editor_ids or []):
            raise SelfApproval(_("Text, který jste od posledního vrácení sami upravovali, nemůžete schválit "
                                 "(ani jako bývalý zástupce)."))
    if check_comment and t.needs_comment and not comment.strip():
        raise CommentRequired(
            _("Akce „%(action)s“ vyžaduje zdůvodnění. Vyplňte prosím komentář.", action=t.title)
        )
    return t


def allowed_transitions(
    entry: Entry, user: User | None, *, as_of: ActingAs | None = None
) -> list[Transition]:
    """Transitions (with buttons, i.e. not implicit) ``user`` may fire on ``entry`` now, in table
    order; a transition needing a comment is listed (the form asks for it)."""
    as_of = as_of or acting_as(user, entry)
    result = []
    for t in TRANSITIONS.values():
        if t.implicit:
            continue
        try:
            check_transition(entry, t.name, user, as_of=as_of, check_comment=False)
        except WorkflowError:
            continue
        result.append(t)
    return result
