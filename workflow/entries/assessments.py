"""Entries: the reviewer's assessment („Komentář hodnotitele“)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow.db import db
from workflow.entries.drafts import _require_round_open
from workflow.models import AssessmentVersion, Entry, User
from workflow.states import EntryState
from workflow.transitions import Actor, InvalidTransition, NotAllowed, WorkflowError, acting_as


def set_assessment(entry: Entry, actor: User, text: str, *, public: bool) -> None:
    """Write the reviewer's assessment („Komentář hodnotitele“), internal or published; every
    change is kept as an :class:`~workflow.models.AssessmentVersion` (shown in the history).

    :raises NotAllowed: not a reviewer covering the entry.
    :raises RoundLocked: the round is not open.
    :raises InvalidTransition: the entry is approved (only a reopen allows a change).
    """
    _require_round_open(entry)
    if Actor.reviewer not in acting_as(actor, entry).kinds:
        raise NotAllowed(_("Komentář hodnotitele může psát jen hodnotitel s působností pro tento záznam."))
    if len(text or "") > 5000:
        raise WorkflowError(_("Komentář hodnotitele smí mít nejvýše 5 000 znaků."))
    new_text = (text or "").strip()
    new_public = bool(public) and bool(new_text)
    if (new_text, new_public) == (entry.assessment or "", bool(entry.assessment_public)):
        return  # nothing changed: no new version
    if entry.state == EntryState.approved:
        raise InvalidTransition(_("Záznam je schválený: komentář hodnotitele lze změnit až po jeho "
                                  "znovuotevření."))
    entry.assessment = new_text
    entry.assessment_public = new_public
    entry.assessment_by_id = actor.id
    number = (db.session.scalar(
        select(func.max(AssessmentVersion.number)).where(AssessmentVersion.entry_id == entry.id)) or 0) + 1
    db.session.add(AssessmentVersion(entry_id=entry.id, number=number, text=new_text, public=new_public,
                                     author_id=actor.id))
    db.session.flush()


def assessment_history(entry: Entry) -> list[AssessmentVersion]:
    """Every version of ``entry``'s assessment, oldest first (with their authors)."""
    query = select(AssessmentVersion).where(AssessmentVersion.entry_id == entry.id)
    return list(db.session.scalars(query.order_by(AssessmentVersion.number)))
