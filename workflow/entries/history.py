"""Entries: the history of an entry (transitions with versions and word diffs) and the previous
round's answer."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from workflow.db import db
from workflow.models import Entry, EntryTransition, EntryVersion, ReportingRound
from workflow.models.rounds import ANSWER_FIELDS
from workflow.states import FULFILMENT_TITLES, EntryState, FulfilmentStatus

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff: ``[(op, text)]`` with op ``equal``, ``insert`` or ``delete``, in reading
    order (a replacement is a delete followed by an insert)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(("insert", "".join(b[j1:j2])))
    return out


@dataclass
class HistoryItem:
    """One transition with the version it stored and the diff against the previous version."""

    transition: EntryTransition
    version: EntryVersion | None
    diff: list[tuple[str, str]]
    changed_fields: list[str]


def entry_history(entry: Entry) -> list[HistoryItem]:
    """The entry's transitions, oldest first, each with its version and word diff of the text
    against the version before (the first against the carried-over answer, if any)."""
    transitions = db.session.scalars(
        select(EntryTransition)
        .where(EntryTransition.entry_id == entry.id)
        .order_by(EntryTransition.id)
        .options(
            joinedload(EntryTransition.actor),
            joinedload(EntryTransition.version),
            joinedload(EntryTransition.acted_for_body),
            joinedload(EntryTransition.acted_for_user),
        )
    ).all()
    items: list[HistoryItem] = []
    prev_text = entry.carried_from.text if entry.carried_from else ""
    prev_data: dict[str, Any] = {}
    for t in transitions:
        v = t.version
        text = v.text if v else prev_text
        data = v.data if v else prev_data
        changed = [k for k in ANSWER_FIELDS if k != "text" and prev_data and data.get(k) != prev_data.get(k)]
        items.append(HistoryItem(t, v, word_diff(prev_text, text), changed))
        prev_text, prev_data = text, data
    return items


def previous_answer(entry: Entry) -> Entry | None:
    """Last approved answer of the same activity and body in an earlier round (what was carried
    over, or else the latest one found), or ``None``; with its round (the pages show its title),
    from the same statement."""
    if entry.carried_from is not None:
        return entry.carried_from
    return db.session.scalar(
        select(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .options(contains_eager(Entry.round))
        .where(
            Entry.activity_id == entry.activity_id,
            Entry.body_id == entry.body_id,
            Entry.state == EntryState.approved,
            Entry.round_id != entry.round_id,
            ReportingRound.period_end < entry.round.period_start,
        )
        .order_by(ReportingRound.period_end.desc(), Entry.id.desc())
        .limit(1)
    )


def fulfilment_title(value: str | None) -> str:
    """Czech title of a fulfilment status (``""`` for none)."""
    if not value:
        return ""
    try:
        return str(FULFILMENT_TITLES[FulfilmentStatus(value)])
    except ValueError:
        return value
