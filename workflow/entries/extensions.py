"""Entries: deadline extensions (a body asks, the secretary decides)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from workflow import clock, permissions
from workflow.db import db, utcnow
from workflow.models import DeadlineExtension, ReportingRound, User
from workflow.permissions import Action
from workflow.rounds import set_body_deadline
from workflow.states import RoundState
from workflow.transitions import NotAllowed, RoundLocked, WorkflowError


def request_extension(
    round_: ReportingRound, body_id: int, actor: User, *, reason: str, until: date | None
) -> DeadlineExtension:
    """A body asks for a later deadline in an open round.

    :raises NotAllowed: the actor does not act for ``body_id`` today.
    :raises RoundLocked, WorkflowError: round not open; no reason; date not after the deadline.
    """
    if round_.state != RoundState.open:
        raise RoundLocked(_("O prodloužení lze žádat jen v otevřeném kole."))
    if body_id not in permissions.acting_body_ids(actor, clock.today()):
        raise NotAllowed(_("O prodloužení může žádat jen zpracovatel za daný subjekt."))
    if not (reason or "").strip():
        raise WorkflowError(_("Uveďte důvod žádosti o prodloužení."))
    if until is not None and round_.submission_deadline and until <= round_.submission_deadline:
        raise WorkflowError(_("Navržený termín musí být po termínu odevzdání kola."))
    pending = db.session.scalar(
        select(DeadlineExtension.id).where(
            DeadlineExtension.round_id == round_.id,
            DeadlineExtension.body_id == body_id,
            DeadlineExtension.status == "requested",
        )
    )
    if pending:
        raise WorkflowError(_("Žádost tohoto subjektu už čeká na rozhodnutí."))
    ext = DeadlineExtension(
        round_id=round_.id,
        body_id=body_id,
        reason=reason.strip(),
        requested_until=until,
        requested_by_id=actor.id,
    )
    db.session.add(ext)
    db.session.flush()
    return ext


def decide_extension(
    ext: DeadlineExtension, actor: User, *, grant: bool, until: date | None, comment: str = ""
) -> int:
    """The secretary grants (a new deadline for the body's entries in the round) or refuses.

    :returns: the number of entries whose deadline changed (0 when refused).
    :raises NotAllowed, WorkflowError: not a secretary; already decided; no date to grant;
        refusal without a reason.
    """
    permissions.require(actor, Action.manage_rounds, message=_("O prodloužení rozhoduje tajemník."))
    if ext.status != "requested":
        raise WorkflowError(_("O žádosti už bylo rozhodnuto."))
    changed = 0
    if grant:
        until = until or ext.requested_until
        if until is None:
            raise WorkflowError(_("Zadejte nový termín."))
        if ext.round.submission_deadline and until <= ext.round.submission_deadline:
            raise WorkflowError(_("Nový termín musí být po termínu odevzdání kola."))
        ext.granted_until = until
        ext.status = "granted"
        changed = set_body_deadline(ext.round, ext.body_id, until)
    else:
        if not (comment or "").strip():
            raise WorkflowError(_("Uveďte důvod zamítnutí."))
        ext.status = "refused"
    ext.decision_comment = (comment or "").strip()
    ext.decided_by_id = actor.id
    ext.decided_at = utcnow()
    db.session.flush()
    return changed
