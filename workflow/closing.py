"""Closing a round: the checklist of what blocks it, waivers, close (freeze + snapshot), reopen.

* Blocking: entries that are not approved and not waived; included activities without any
  consolidated text (neither a :class:`Consolidation` nor an approved entry to merge).
* Closing (the secretary) is the ``close`` transition of
  :data:`workflow.round_transitions.ROUND_TRANSITIONS`: the checklist is its guard
  (:func:`check_closable`); it writes the merged texts (:func:`workflow.consolidation.consolidate_round`),
  locks the round and stores an immutable :class:`RoundSnapshot` of the report
  (:func:`store_snapshot`); its domain event sends the „kolo uzavřeno“ e-mails. After that nothing
  is editable; exports of the round print the snapshot.
* Finishing the checklist in bulk (the secretary): :func:`waive_remaining` waives every entry that
  is neither approved nor waived with one reason; :func:`fill_missing_texts` gives every included
  activity still without a text one stated text (by default :data:`DEFAULT_MISSING_TEXT`, „Za
  sledované období nebylo plnění vykázáno.“), as an edited, versioned consolidation, when every
  entry of the activity is waived (an entry still open keeps the activity out). The report
  therefore never prints an empty „Plnění“ cell: it prints what the secretary decided.
* Reopening (an administrator, with a reason) is the ``reopen`` transition; the snapshot stays as
  history and the next closing writes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workflow import permissions
from workflow.consolidation import edit_consolidation
from workflow.db import db
from workflow.models import Activity, Entry, ReportingRound, RoundSnapshot, User, Waiver
from workflow.permissions import Action
from workflow.report import build_report, content_hash
from workflow.states import EntryState, RoundState
from workflow.transitions import WorkflowError

#: The text :func:`fill_missing_texts` gives by default to activities nobody reported on.
DEFAULT_MISSING_TEXT = _l("Za sledované období nebylo plnění vykázáno.")


class ClosingError(WorkflowError):
    """The round cannot be closed (blocking items), or a waiver/reopen is not allowed."""


@dataclass
class Checklist:
    """What stands between a round and its closing."""

    open_entries: list[Entry] = field(default_factory=list)
    waived: list[Waiver] = field(default_factory=list)
    missing_text: list[Activity] = field(default_factory=list)
    #: Acronyms the report would print without a definition in the plan's „Seznam zkratek“ (a warning,
    #: shown while it can still be fixed; it does not block the closing).
    undefined_abbreviations: list[str] = field(default_factory=list)

    @property
    def unreported(self) -> list[Activity]:
        """The activities without a text and without an open entry: :func:`fill_missing_texts`
        may give them the stated text."""
        still_open = {entry.activity_id for entry in self.open_entries}
        return [activity for activity in self.missing_text if activity.id not in still_open]

    @property
    def ready(self) -> bool:
        """True when nothing blocks closing."""
        return not self.open_entries and not self.missing_text


def closing_checklist(round_: ReportingRound) -> Checklist:
    """The round's checklist (a constant number of queries)."""
    waivers = db.session.scalars(
        select(Waiver)
        .where(Waiver.round_id == round_.id)
        .options(
            joinedload(Waiver.entry).joinedload(Entry.activity),
            joinedload(Waiver.entry).joinedload(Entry.body),
        )
    ).all()
    waived_ids = {w.entry_id for w in waivers}
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.round_id == round_.id, Entry.state != EntryState.approved.value)
        .options(joinedload(Entry.activity), joinedload(Entry.body))
    ).all()
    open_entries = sorted(
        (e for e in entries if e.id not in waived_ids),
        key=lambda e: (e.activity.sort_key, e.body.abbreviation),
    )
    content = build_report(round_, live=True)
    missing_ids = [row.activity_id for row in content.rows if not row.fulfilment.strip()]
    missing = []
    if missing_ids:
        missing = list(
            db.session.scalars(
                select(Activity).where(Activity.id.in_(missing_ids)).order_by(Activity.sort_key)
            )
        )
    waivers_sorted = sorted(waivers, key=lambda w: (w.entry.activity.sort_key, w.entry.body.abbreviation))
    return Checklist(
        open_entries=open_entries,
        waived=waivers_sorted,
        missing_text=missing,
        undefined_abbreviations=content.undefined_abbreviations,
    )


def waive_entry(entry: Entry, actor: User, reason: str) -> Waiver:
    """Release ``entry`` from the checklist with ``reason`` (the secretary, round not closed).

    :raises ClosingError: wrong role, closed round, approved entry, empty reason, already waived.
    """
    permissions.require(actor, Action.manage_rounds, message=_("Záznam může prominout jen tajemník."))
    if entry.round.state == RoundState.closed.value:
        raise ClosingError(_("Kolo je uzavřené."))
    if entry.state == EntryState.approved.value:
        raise ClosingError(_("Schválený záznam není třeba promíjet."))
    if not reason.strip():
        raise ClosingError(_("Uveďte důvod prominutí."))
    if db.session.scalars(select(Waiver).where(Waiver.entry_id == entry.id)).first():
        raise ClosingError(_("Záznam už je prominutý."))
    waiver = Waiver(entry_id=entry.id, round_id=entry.round_id, reason=reason.strip(), waived_by_id=actor.id)
    db.session.add(waiver)
    db.session.flush()
    return waiver


def _bulk_step_value(
    round_: ReportingRound, actor: User, value: str, *, not_secretary: str, not_open: str, empty: str
) -> str:
    """``value`` stripped, after checking that the secretary acts on an open round.

    :raises ClosingError: with the given message for each failed condition.
    """
    permissions.require(actor, Action.manage_rounds, message=not_secretary)
    if round_.state != RoundState.open.value:
        raise ClosingError(not_open)
    value = value.strip()
    if not value:
        raise ClosingError(empty)
    return value


def waive_remaining(round_: ReportingRound, actor: User, reason: str) -> int:
    """Waive, with one ``reason``, every entry of ``round_`` that is neither approved nor waived.

    :returns: the number of entries waived (0 when nothing was left).
    :raises ClosingError: the actor is not the secretary, the round is not open, empty reason.
    """
    reason = _bulk_step_value(
        round_,
        actor,
        reason,
        not_secretary=_("Záznam může prominout jen tajemník."),
        not_open=_("Prominout lze jen záznamy otevřeného kola."),
        empty=_("Uveďte důvod prominutí."),
    )
    waived = select(Waiver.entry_id).where(Waiver.round_id == round_.id)
    entry_ids = db.session.scalars(
        select(Entry.id).where(
            Entry.round_id == round_.id,
            Entry.state != EntryState.approved.value,
            Entry.id.not_in(waived),
        )
    ).all()
    db.session.add_all(
        Waiver(entry_id=entry_id, round_id=round_.id, reason=reason, waived_by_id=actor.id)
        for entry_id in entry_ids
    )
    db.session.flush()
    return len(entry_ids)


def fill_missing_texts(round_: ReportingRound, actor: User, text: str) -> int:
    """Give the ``text`` to every included activity of ``round_`` that has no consolidated text and
    no entry still open (each of its entries is waived, or it has none).

    An activity with an entry still waiting for approval is left alone, so that its approved
    answer is not hidden behind the stated text later. Each filled activity becomes an edited
    consolidation with a version (who, when), like a hand-written one, so a later merge never
    overwrites it and the report prints it.

    :returns: the number of activities that got the text.
    :raises ClosingError: the actor is not the secretary, the round is not open, empty text.
    """
    text = _bulk_step_value(
        round_,
        actor,
        text,
        not_secretary=_("Souhrnné texty může doplnit jen tajemník."),
        not_open=_("Doplnit texty lze jen v otevřeném kole."),
        empty=_("Souhrnný text nesmí být prázdný."),
    )
    missing = closing_checklist(round_).unreported
    for activity in missing:
        edit_consolidation(round_, activity, actor, text=text)
    return len(missing)


def close_with_snapshot(round_: ReportingRound, actor: User) -> RoundSnapshot:
    """Close ``round_`` after its checklist is clear and store the snapshot of its report: the
    ``close`` transition of :data:`workflow.round_transitions.ROUND_TRANSITIONS`.

    :raises PermissionDenied: the actor is not the secretary.
    :raises ClosingError: blocking items remain.
    :raises workflow.rounds.RoundError: the round is not open.
    """
    from workflow.round_transitions import apply_round_transition

    snapshot: RoundSnapshot = apply_round_transition(round_, "close", actor)
    return snapshot


def check_closable(round_: ReportingRound) -> None:
    """The guard of ``close``: nothing is left on the checklist. :raises ClosingError:"""
    checklist = closing_checklist(round_)
    if not checklist.ready:
        raise ClosingError(
            _(
                "Kolo nelze uzavřít: %(entries)d záznamů není schváleno ani prominuto a %(texts)d aktivit "
                "nemá souhrnný text.",
                entries=len(checklist.open_entries),
                texts=len(checklist.missing_text),
            )
        )


def store_snapshot(round_: ReportingRound, actor: User) -> RoundSnapshot:
    """The effect of ``close``: the immutable snapshot of the round's report (flushes)."""
    data = build_report(round_, live=True).to_dict()
    snapshot = RoundSnapshot(
        round_id=round_.id, content=data, content_hash=content_hash(data), created_by_id=actor.id
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def reopen(round_: ReportingRound, actor: User, reason: str) -> None:
    """Reopen a closed round (an administrator, with a reason); the snapshot stays as history.

    :raises PermissionDenied: not an administrator.
    :raises workflow.rounds.RoundError: not closed, imported, or no reason.
    """
    from workflow.round_transitions import apply_round_transition

    apply_round_transition(round_, "reopen", actor, comment=reason)
