"""Consolidation: the approved entries of an activity's bodies merged into one „Plnění“ text.

Rules (issue 6):

* **Merge** – the approved entries of an activity, lead body first (the round's routing order,
  else the plan's). One text, or several identical texts, give that text unchanged; several
  different texts give one paragraph per body, each labelled ``"OSV: …"`` with the body's
  abbreviation. Waived and unapproved entries are left out.
* **Edit** – a reviewer or the secretary may rewrite the text and the „Komentář“ of an activity
  while the round is not closed; every change writes a :class:`ConsolidationVersion` (who, when,
  text). An edited text is never overwritten by a later merge.
* **Status** – derived from the entries' „Stav plnění“ (:func:`derive_status`), overridable with a
  reason (:class:`StatusOverride`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow import permissions
from workflow.db import db, utcnow
from workflow.models import (
    Activity,
    ActivityBody,
    Body,
    Consolidation,
    ConsolidationVersion,
    Entry,
    ReportingRound,
    RoundRoute,
    StatusOverride,
    User,
)
from workflow.permissions import Action
from workflow.states import EntryState, FulfilmentStatus, RoundState
from workflow.transitions import WorkflowError


class ConsolidationError(WorkflowError):
    """The consolidation cannot be changed (closed round, wrong role, missing reason …)."""


#: Statuses that say something was done; a mix of these with others derives ``partial``.
_POSITIVE = {FulfilmentStatus.done.value, FulfilmentStatus.ongoing.value, FulfilmentStatus.partial.value}


def derive_status(statuses: list[str | None]) -> str | None:
    """The activity's fulfilment status from its approved entries' statuses, lead first.

    :param statuses: the entries' ``fulfilment_status`` values (``None`` = not given), lead first.
    :returns: ``None`` when no entry gives one; the common status when all that give one agree;
        ``partial`` when they differ and at least one reports progress (done/ongoing/partial);
        else the lead's (first given) status.
    """
    given = [s for s in statuses if s]
    if not given:
        return None
    if len(set(given)) == 1:
        return given[0]
    if any(s in _POSITIVE for s in given):
        return FulfilmentStatus.partial.value
    return given[0]


def merge_texts(parts: list[tuple[str, str]]) -> str:
    """Merge ``[(body abbreviation, text), …]`` (lead first) into one „Plnění“ text.

    :returns: ``""`` for no text; the text itself when only one body wrote one or all wrote the
        same; otherwise paragraphs ``"ABBR: text"`` separated by a blank line.
    """
    parts = [(abbr, text.strip()) for abbr, text in parts if text and text.strip()]
    if not parts:
        return ""
    if len({text for _, text in parts}) == 1:
        return parts[0][1]
    return "\n\n".join(f"{abbr}: {text}" for abbr, text in parts)


def _route_positions(round_: ReportingRound) -> dict[tuple[int, int], int]:
    """``{(activity_id, body_id): position}`` of the round's routing, else the plan's."""
    rows = db.session.execute(
        select(RoundRoute.activity_id, RoundRoute.body_id, RoundRoute.position).where(
            RoundRoute.round_id == round_.id
        )
    ).all()
    if not rows:
        rows = db.session.execute(
            select(ActivityBody.activity_id, ActivityBody.body_id, ActivityBody.position)
            .join(Activity, Activity.id == ActivityBody.activity_id)
            .where(Activity.plan_id == round_.plan_id)
        ).all()
    return {(a, b): p for a, b, p in rows}


@dataclass
class ApprovedPart:
    """One approved entry's contribution to an activity (what the merge and the status use)."""

    activity_id: int
    body_id: int
    body: str
    text: str
    status: str | None
    position: int
    assessment: str
    assessment_public: bool


def approved_parts(round_: ReportingRound) -> dict[int, list[ApprovedPart]]:
    """The approved entries of ``round_`` per activity id, lead first (two queries)."""
    positions = _route_positions(round_)
    rows = db.session.execute(
        select(
            Entry.activity_id,
            Entry.body_id,
            Body.abbreviation,
            Entry.text,
            Entry.fulfilment_status,
            Entry.assessment,
            Entry.assessment_public,
        )
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.round_id == round_.id, Entry.state == EntryState.approved.value)
    ).all()
    result: dict[int, list[ApprovedPart]] = {}
    for activity_id, body_id, abbr, text, status, assessment, public in rows:
        result.setdefault(activity_id, []).append(
            ApprovedPart(
                activity_id,
                body_id,
                abbr,
                text or "",
                status,
                positions.get((activity_id, body_id), 99),
                assessment or "",
                bool(public),
            )
        )
    for parts in result.values():
        parts.sort(key=lambda p: (p.position, p.body))
    return result


def _next_number(round_id: int, activity_id: int) -> int:
    current = db.session.scalar(
        select(func.max(ConsolidationVersion.number)).where(
            ConsolidationVersion.round_id == round_id, ConsolidationVersion.activity_id == activity_id
        )
    )
    return (current or 0) + 1


def _require_editable(round_: ReportingRound) -> None:
    if round_.state == RoundState.closed.value:
        raise ConsolidationError(_("Kolo je uzavřené, souhrn už nelze měnit."))


def consolidate_round(round_: ReportingRound, actor: User | None) -> int:
    """Write the merged text of every activity with approved entries into its :class:`Consolidation`.

    Texts a person edited (``source == "edited"``) are kept. Each change writes a version.

    :returns: the number of activities whose text changed.
    :raises ConsolidationError: the round is closed.
    """
    _require_editable(round_)
    parts = approved_parts(round_)
    existing = {
        c.activity_id: c
        for c in db.session.scalars(select(Consolidation).where(Consolidation.round_id == round_.id))
    }
    numbers = dict(
        db.session.execute(
            select(ConsolidationVersion.activity_id, func.max(ConsolidationVersion.number))
            .where(ConsolidationVersion.round_id == round_.id)
            .group_by(ConsolidationVersion.activity_id)
        ).all()
    )
    changed = 0
    for activity_id, items in parts.items():
        text = merge_texts([(p.body, p.text) for p in items])
        consolidation = existing.get(activity_id)
        if consolidation is not None and (consolidation.source == "edited" or consolidation.text == text):
            continue
        if consolidation is None:
            consolidation = Consolidation(
                round_id=round_.id, activity_id=activity_id, text=text, source="merged"
            )
            db.session.add(consolidation)
        else:
            consolidation.text, consolidation.source = text, "merged"
        number = numbers.get(activity_id, 0) + 1
        numbers[activity_id] = number
        db.session.add(
            ConsolidationVersion(
                round_id=round_.id,
                activity_id=activity_id,
                number=number,
                text=text,
                source="merged",
                author_id=actor.id if actor else None,
            )
        )
        changed += 1
    db.session.flush()
    return changed


def edit_consolidation(
    round_: ReportingRound, activity: Activity, actor: User, *, text: str, comment: str = ""
) -> ConsolidationVersion:
    """Set the consolidated text and „Komentář“ of ``activity`` in ``round_`` (a new version).

    :raises ConsolidationError: closed round, actor neither reviewer nor secretary, empty text.
    """
    _require_editable(round_)
    permissions.require(actor, Action.edit_consolidation)
    text, comment = text.strip(), comment.strip()
    if not text:
        raise ConsolidationError(_("Souhrnný text nesmí být prázdný."))
    consolidation = db.session.scalars(
        select(Consolidation).where(
            Consolidation.round_id == round_.id, Consolidation.activity_id == activity.id
        )
    ).first()
    if consolidation is None:
        consolidation = Consolidation(round_id=round_.id, activity_id=activity.id)
        db.session.add(consolidation)
    consolidation.text, consolidation.source = text, "edited"
    version = ConsolidationVersion(
        round_id=round_.id,
        activity_id=activity.id,
        number=_next_number(round_.id, activity.id),
        text=text,
        comment=comment,
        source="edited",
        author_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    return version


def consolidation_history(round_: ReportingRound, activity: Activity) -> list[ConsolidationVersion]:
    """All versions of ``activity``'s consolidated text in ``round_``, newest first."""
    return list(
        db.session.scalars(
            select(ConsolidationVersion)
            .where(
                ConsolidationVersion.round_id == round_.id, ConsolidationVersion.activity_id == activity.id
            )
            .order_by(ConsolidationVersion.number.desc())
        )
    )


def latest_comments(round_id: int) -> dict[int, str]:
    """``{activity_id: comment}`` of the newest version of each activity in the round (one query)."""
    newest = (
        select(ConsolidationVersion.activity_id, func.max(ConsolidationVersion.number).label("n"))
        .where(ConsolidationVersion.round_id == round_id)
        .group_by(ConsolidationVersion.activity_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ConsolidationVersion.activity_id, ConsolidationVersion.comment)
        .join(
            newest,
            (newest.c.activity_id == ConsolidationVersion.activity_id)
            & (newest.c.n == ConsolidationVersion.number),
        )
        .where(ConsolidationVersion.round_id == round_id)
    ).all()
    return {a: c for a, c in rows if c}


def set_status_override(
    round_: ReportingRound, activity: Activity, actor: User, *, status: str | None, reason: str = ""
) -> StatusOverride | None:
    """Override the derived fulfilment status of ``activity`` (``status=None`` removes the override).

    :raises ConsolidationError: closed round, wrong role, unknown status, missing reason.
    """
    _require_editable(round_)
    permissions.require(actor, Action.edit_consolidation)
    current = db.session.scalars(
        select(StatusOverride).where(
            StatusOverride.round_id == round_.id, StatusOverride.activity_id == activity.id
        )
    ).first()
    if status is None:
        if current is not None:
            db.session.delete(current)
            db.session.flush()
        return None
    if status not in {s.value for s in FulfilmentStatus}:
        raise ConsolidationError(_("Neznámý stav plnění."))
    if not reason.strip():
        raise ConsolidationError(_("Uveďte důvod změny stavu plnění."))
    if current is None:
        current = StatusOverride(round_id=round_.id, activity_id=activity.id)
        db.session.add(current)
    current.status, current.reason, current.set_by_id, current.set_at = (
        status,
        reason.strip(),
        actor.id,
        utcnow(),
    )
    db.session.flush()
    return current


def activity_statuses(
    round_: ReportingRound, parts: dict[int, list[ApprovedPart]] | None = None
) -> dict[int, dict[str, Any]]:
    """``{activity_id: {"status", "derived", "override_reason"}}`` for the round (two queries).

    ``status`` is the override when set, else the derived status (may be ``None``).
    """
    parts = approved_parts(round_) if parts is None else parts
    overrides = {
        o.activity_id: o
        for o in db.session.scalars(select(StatusOverride).where(StatusOverride.round_id == round_.id))
    }
    result: dict[int, dict[str, Any]] = {}
    for activity_id in set(parts) | set(overrides):
        derived = derive_status([p.status for p in parts.get(activity_id, [])])
        override = overrides.get(activity_id)
        result[activity_id] = {
            "status": override.status if override else derived,
            "derived": derived,
            "override_reason": override.reason if override else "",
        }
    return result


# ----------------------------------------------------------------------------- collected values


def _number(value: Any) -> str:
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    integer, _sep, fraction = text.partition(".")
    grouped = f"{int(integer):,}".replace(",", "\u00a0") if integer.lstrip("-").isdigit() else integer
    return grouped + ("," + fraction if fraction else "")


def collected_values(round_: ReportingRound) -> dict[int, dict[str, str]]:
    """Per activity id, what the approved entries of ``round_`` reported besides the text:
    ``{"indicator_value": …, "problems": …}``, a line per body (``"OSV: …"``; no prefix when only one
    body answered). One query."""
    rows = db.session.execute(
        select(
            Entry.activity_id, Body.abbreviation, Entry.indicator_number, Entry.indicator_unit,
            Entry.indicator_text, Entry.indicator_as_of, Entry.problems,
        )
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.round_id == round_.id, Entry.state == EntryState.approved.value)
        .order_by(Entry.activity_id, Body.abbreviation)
    ).all()
    per_activity: dict[int, list[tuple[str, str, str]]] = {}
    for activity_id, body, number, unit, text, as_of, problems in rows:
        value = " ".join(x for x in (_number(number) if number is not None else "", unit or "") if x)
        value = "; ".join(x for x in (value, (text or "").strip()) if x)
        if value and as_of:
            value += f" (k {as_of.day}. {as_of.month}. {as_of.year})"
        per_activity.setdefault(activity_id, []).append((body, value, (problems or "").strip()))
    result: dict[int, dict[str, str]] = {}
    for activity_id, items in per_activity.items():
        several = len(items) > 1

        def lines(index: int, items: list[tuple[str, str, str]] = items, several: bool = several) -> str:
            return "\n".join(f"{i[0]}: {i[index]}" if several else i[index] for i in items if i[index])

        result[activity_id] = {"indicator_value": lines(1), "problems": lines(2)}
    return result
