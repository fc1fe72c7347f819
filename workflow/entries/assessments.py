"""Entries: the reviewer's assessment („Komentář hodnotitele“)."""

from __future__ import annotations

from flask_babel import gettext as _

from workflow.db import db
from workflow.entries.drafts import _require_round_open
from workflow.models import Entry, User
from workflow.transitions import Actor, NotAllowed, WorkflowError, acting_as


def set_assessment(entry: Entry, actor: User, text: str, *, public: bool) -> None:
    """Write the reviewer's assessment („Komentář hodnotitele“), internal or published.

    :raises NotAllowed: not a reviewer covering the entry.
    :raises RoundLocked: the round is not open.
    """
    _require_round_open(entry)
    if Actor.reviewer not in acting_as(actor, entry).kinds:
        raise NotAllowed(_("Komentář hodnotitele může psát jen hodnotitel s působností pro tento záznam."))
    if len(text or "") > 5000:
        raise WorkflowError(_("Komentář hodnotitele smí mít nejvýše 5 000 znaků."))
    entry.assessment = (text or "").strip()
    entry.assessment_public = bool(public) and bool(entry.assessment)
    entry.assessment_by_id = actor.id
    db.session.flush()
