"""Entries: moving an entry along the transition table (with audit record and version) and bulk
approval. The table itself is :data:`workflow.transitions.TRANSITIONS`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from workflow import clock, permissions
from workflow.db import db, utcnow
from workflow.entries.drafts import _check_version, _record, entry_for_update, missing_for_submit
from workflow.events import EntryTransitioned, record
from workflow.models import Entry, EntryTransition, User
from workflow.states import EntryState
from workflow.transitions import (
    ActingAs,
    Actor,
    IncompleteEntry,
    WorkflowError,
    acting_as,
    check_capacity,
    check_transition,
)


def apply_transition(
    entry: Entry,
    name: str,
    actor: User,
    *,
    comment: str = "",
    expected_version: int | None = None,
    as_of: ActingAs | None = None,
) -> EntryTransition:
    """Move ``entry`` along transition ``name`` of :data:`~workflow.transitions.TRANSITIONS`,
    writing the audit record and a version of the answer.

    Load the entry with :func:`entry_for_update` first, so that two concurrent requests cannot
    both pass the state check.

    :raises NotAllowed: the actor may not fire ``name`` at all (checked before the version, so a
        forged request with an old version is refused as forbidden, not as a conflict).
    :raises StaleEntry: ``expected_version`` is not the current version.
    :raises UnknownTransition, RoundLocked, NotAllowed, InvalidTransition, SelfApproval,
        CommentRequired: see :func:`~workflow.transitions.check_transition`.
    :raises IncompleteEntry: submitting an incomplete answer (``errors`` per field).
    :returns: the audit row as written (detached, its columns only: see ``_record``).
    """
    as_of = as_of or acting_as(actor, entry)
    check_capacity(entry, name, as_of)  # who may act comes before the version (issue 16, item 4)
    _check_version(entry, expected_version)
    t = check_transition(entry, name, actor, comment=comment, as_of=as_of)
    if t.validates:
        missing = missing_for_submit(entry)
        if missing:
            raise IncompleteEntry(missing)
    now = utcnow()
    from_state = entry.state
    entry.state = t.target
    entry.updated_by_id = actor.id
    if t.target == EntryState.submitted:
        entry.submitted_at = now
        entry.submitted_by_id = actor.id
        if entry.first_submitted_at is None:
            entry.first_submitted_at = now
            deadline = entry.effective_deadline
            entry.submitted_on_time = deadline is None or clock.today(now) <= deadline
    elif t.target == EntryState.approved:
        entry.approved_at = now
        entry.approved_by_id = actor.id
    elif from_state == EntryState.approved:
        entry.approved_at = None
        entry.approved_by_id = None
    if t.name in ("send_back", "reopen"):
        entry.editor_ids = []  # a new round of editing: the four-eyes list starts afresh
    via_body = Actor.body in t.actors and Actor.body in as_of.kinds
    log = _record(entry, t.name, from_state, actor, as_of, comment, via_body)
    db.session.flush()  # the entry's UPDATE (its version and the audit row are written already)
    record(
        EntryTransitioned(t.notification, entry_id=entry.id, transition=t.name, transition_log_id=log.id),
        subject=entry,
    )
    return log


@dataclass
class BulkResult:
    """Outcome of :func:`bulk_approve`: approved entries and refused ones with the reason."""

    approved: list[Entry] = field(default_factory=list)
    refused: list[tuple[Entry, str]] = field(default_factory=list)
    #: Ids that name no entry the actor may see: counted only, nothing about them is disclosed.
    unknown: int = 0


def bulk_approve(entry_ids: Iterable[int], actor: User) -> BulkResult:
    """Approve each entry with exactly the checks of approving it alone (scope, state,
    self-approval, round open); refusals are collected, not raised. An id of an entry the actor
    may not see (out of scope, or none at all) is only counted in ``unknown``: its activity, body
    and round are not disclosed, as a single entry outside the scope answers 404."""
    result = BulkResult()
    for entry_id in entry_ids:
        entry = entry_for_update(entry_id)
        if entry is None or not permissions.can_view_entry(actor, entry):
            result.unknown += 1
            continue
        try:
            apply_transition(entry, "approve", actor)
        except WorkflowError as exc:
            result.refused.append((entry, exc.message))
        else:
            result.approved.append(entry)
    return result
