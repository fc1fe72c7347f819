"""The preview of an uploaded offline form, applying it, and submitting every complete draft.

Each row read from the file (:func:`workflow.offline.reading.read_upload`) becomes a
:class:`RowOutcome`, decided in this order:

1. *refused, blocking* (the file must be fixed; nothing of it can be applied): a formula, a
   missing, damaged or forged stamp, an entry that does not exist or whose body the stamp does
   not name, a row of a body the user does not act for, the same entry twice, a value that is not
   allowed (unknown status, not a number, not a date, over a hard limit);
2. *unchanged*: the answer in the file is the entry's current answer, or the row is as it was
   downloaded (its digest matches the stamp's) — nothing to do, whatever happened since;
3. *refused* (the other rows may still be applied): the round is not open, the entry was
   submitted or approved since, or somebody changed its answer since the download (another
   version whose answer is not the downloaded one; both texts are listed);
4. *changed*: the fields that differ, prose as a word diff.

:func:`apply_upload` evaluates the stored rows again on the locked entries and applies the changed
rows only when the outcome is still the one the user confirmed (its fingerprint), each through
:func:`workflow.entries.save_draft` plus a version marked „nahráno z Excelu“ in the history. It
flushes; the caller's unit of work commits all of it or nothing. Nothing is submitted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from workflow import permissions
from workflow.db import db, utcnow
from workflow.entries import (
    InvalidAnswer,
    apply_transition,
    check_limits,
    entry_for_update,
    fulfilment_title,
    save_draft,
    word_diff,
)
from workflow.entries.drafts import _record
from workflow.errors import NotFound
from workflow.models import Activity, Entry, OfflineUpload, ReportingRound, User
from workflow.offline.columns import (
    ANSWER_KEYS,
    ANSWER_LABELS,
    CODE_KEY,
    PROSE_KEYS,
    STAMP_KEY,
    StampError,
    ValueNotAllowed,
    answer_digest,
    canonical,
    entry_answer,
    parse_cell,
    read_stamp,
    status_titles,
)
from workflow.states import EntryState, RoundState
from workflow.transitions import EDITABLE_STATES, WorkflowError, acting_as, state_title

#: Name of the history record of an upload, and its comment.
UPLOAD_TRANSITION = "excel_upload"
UPLOAD_COMMENT = "nahráno z Excelu"
#: Uploads not confirmed within this time are deleted when the user uploads again.
PENDING_LIFETIME = timedelta(days=2)


@dataclass
class FieldChange:
    """One changed answer field: its label, old and new value as shown, and a word diff for prose."""

    key: str
    label: str
    old: str
    new: str
    diff: list[tuple[str, str]] | None = None


@dataclass
class RowOutcome:
    """What the upload does with one row of the file.

    :ivar kind: ``changed``, ``unchanged`` or ``refused``.
    :ivar blocking: refused for a reason the file must be fixed for (no row is applied then).
    :ivar theirs, mine: the saved and the uploaded text of „Plnění“, for a row refused because
        somebody else changed the entry since the download.
    :ivar data: the typed values to save (changed fields only).
    """

    row: int
    code: str
    kind: str
    entry: Entry | None = None
    reasons: list[str] = field(default_factory=list)
    blocking: bool = False
    changes: list[FieldChange] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    version: int | None = None
    theirs: str | None = None
    mine: str | None = None


@dataclass
class Preview:
    """The outcome of every row of an upload."""

    rows: list[RowOutcome]

    def of_kind(self, kind: str) -> list[RowOutcome]:
        """Rows of one kind (``changed``, ``unchanged``, ``refused``)."""
        return [r for r in self.rows if r.kind == kind]

    @property
    def blocked(self) -> bool:
        """True when a refusal means the file must be fixed (then nothing may be applied)."""
        return any(r.blocking for r in self.rows)

    @property
    def can_apply(self) -> bool:
        """True when there is something to apply and nothing blocks it."""
        return not self.blocked and bool(self.of_kind("changed"))

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of what applying would write: entry, version and values of the changed
        rows. The confirmation carries it, so a different outcome is never applied unseen."""
        payload = [
            [
                r.entry.id if r.entry else None,
                r.version,
                sorted((k, canonical(k, v)) for k, v in r.data.items()),
            ]
            for r in self.of_kind("changed")
        ]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _shown(key: str, value: str) -> str:
    """A canonical value as the preview shows it."""
    if key == "fulfilment_status":
        return fulfilment_title(value)
    if key == "indicator_number":
        return value.replace(".", ",")
    if key == "indicator_as_of" and value:
        d = date.fromisoformat(value)
        return f"{d.day}. {d.month}. {d.year}"
    return value


def _load(entry_ids: set[int], lock: bool) -> dict[int, Entry]:
    if not entry_ids:
        return {}
    if lock:  # one row at a time, in id order (the order every writer locks in)
        loaded = {i: entry_for_update(i) for i in sorted(entry_ids)}
        return {i: e for i, e in loaded.items() if e is not None}
    query = (
        select(Entry)
        .where(Entry.id.in_(sorted(entry_ids)))
        .options(
            joinedload(Entry.round),
            joinedload(Entry.activity).joinedload(Activity.node),
            joinedload(Entry.body),
        )
    )
    return {e.id: e for e in db.session.scalars(query)}


def evaluate(
    rows: list[dict[str, Any]], user: User, secret: str, *, today: date, lock: bool = False
) -> Preview:
    """The preview of the rows of an upload for ``user`` (see the module docstring for the order
    of the decisions).

    :param rows: what :func:`~workflow.offline.reading.read_upload` returned (or was stored).
    :param secret: the application's ``SECRET_KEY`` (checks the stamps).
    :param today: the day (Europe/Prague) for deputyships.
    :param lock: load the entries ``FOR UPDATE`` (when applying).
    """
    titles = status_titles()
    stamps: dict[int, dict[str, Any] | StampError] = {}
    for index, raw in enumerate(rows):
        try:
            stamps[index] = read_stamp(raw["cells"].get(STAMP_KEY, ""), secret)
        except StampError as exc:
            stamps[index] = exc
    entries = _load({s["e"] for s in stamps.values() if isinstance(s, dict)}, lock)
    own_bodies = permissions.acting_body_ids(user, today)
    seen: dict[int, int] = {}
    outcomes = []
    for index, raw in enumerate(rows):
        outcomes.append(_row(raw, stamps[index], entries, own_bodies, seen, titles))
    return Preview(outcomes)


def _row(
    raw: dict[str, Any],
    stamp: dict[str, Any] | StampError,
    entries: dict[int, Entry],
    own_bodies: set[int],
    seen: dict[int, int],
    titles: dict[str, str],
) -> RowOutcome:
    number, cells = int(raw["row"]), raw["cells"]
    out = RowOutcome(row=number, code=cells.get(CODE_KEY, ""), kind="refused", blocking=True)
    for f in raw.get("formulas") or []:
        out.reasons.append(
            _(
                "Sloupec „%(column)s“ (buňka %(cell)s) obsahuje vzorec %(formula)s; vzorce nejsou "
                "dovoleny, zapište hodnotu.",
                column=f["column"],
                cell=f["cell"],
                formula=f["formula"],
            )
        )
    if isinstance(stamp, StampError):
        out.reasons.append(stamp.message)
        return out
    entry = entries.get(stamp["e"])
    if entry is None or entry.body_id != stamp["b"]:
        out.reasons.append(_("Razítko verze řádku je poškozené nebo podvržené; stáhněte si soubor znovu."))
        return out
    out.entry, out.code = entry, entry.activity.code
    if entry.body_id not in own_bodies:
        out.reasons.append(
            _(
                "Řádek patří subjektu %(body)s, za který nejednáte; nahrajte jen formulář svého subjektu.",
                body=entry.body.abbreviation,
            )
        )
        return out
    if entry.id in seen:
        out.reasons.append(_("Záznam je v souboru podruhé (poprvé na řádku %(row)s).", row=seen[entry.id]))
        return out
    seen[entry.id] = number
    values: dict[str, Any] = {}
    for key in ANSWER_KEYS:
        try:
            values[key] = parse_cell(key, cells.get(key, ""), titles)
        except ValueNotAllowed as exc:
            out.reasons.append(
                _("Sloupec „%(column)s“: %(message)s", column=ANSWER_LABELS[key], message=str(exc))
            )
    for key, message in check_limits({k: v for k, v in values.items() if v is not None}).items():
        out.reasons.append(_("Sloupec „%(column)s“: %(message)s", column=ANSWER_LABELS[key], message=message))
    if out.reasons:
        return out
    out.blocking = False
    mine = {key: canonical(key, values[key]) for key in ANSWER_KEYS}
    current = entry_answer(entry)
    if mine == current or answer_digest(mine) == stamp["h"]:
        out.kind = "unchanged"
        return out
    if entry.round.state != RoundState.open:
        out.reasons.append(
            _("Kolo „%(round)s“ není otevřené, záznamy jsou uzamčené.", round=entry.round.title)
        )
        return out
    if entry.state not in EDITABLE_STATES:
        out.reasons.append(
            _(
                "Záznam je mezitím ve stavu „%(state)s“ a nelze jej upravit; změny z tohoto řádku "
                "se nenahrají.",
                state=state_title(entry.state),
            )
        )
        return out
    # Another version with the answer as downloaded (a deadline extension, a save of the same
    # text) loses nobody's words: the row applies. Another answer is a conflict.
    if entry.version != stamp["v"] and answer_digest(current) != stamp["h"]:
        out.reasons.append(
            _(
                "Záznam mezitím změnil někdo jiný (verze %(theirs)s, soubor byl stažen ve verzi "
                "%(mine)s). Porovnejte obě znění a změnu zapište ve formuláři, nebo si stáhněte "
                "soubor znovu.",
                theirs=entry.version,
                mine=stamp["v"],
            )
        )
        out.theirs, out.mine = current["text"], mine["text"]
        return out
    out.kind, out.version = "changed", entry.version
    for key in ANSWER_KEYS:
        if mine[key] == current[key]:
            continue
        out.data[key] = values[key]
        out.changes.append(
            FieldChange(
                key,
                str(ANSWER_LABELS[key]),
                _shown(key, current[key]),
                _shown(key, mine[key]),
                word_diff(current[key], mine[key]) if key in PROSE_KEYS else None,
            )
        )
    return out


def store_upload(user: User, filename: str, content: bytes, rows: list[dict[str, Any]]) -> OfflineUpload:
    """Keep the rows read from an upload until the user confirms it (deleting the user's own
    unconfirmed uploads older than :data:`PENDING_LIFETIME`); flushes for the id."""
    db.session.execute(
        delete(OfflineUpload).where(
            OfflineUpload.user_id == user.id,
            OfflineUpload.status == "pending",
            OfflineUpload.created_at < utcnow() - PENDING_LIFETIME,
        )
    )
    upload = OfflineUpload(
        user_id=user.id, filename=filename, sha256=hashlib.sha256(content).hexdigest(), rows=rows
    )
    db.session.add(upload)
    db.session.flush()
    return upload


class UploadGone(WorkflowError, NotFound):
    """The upload was applied already (a second click) or does not exist."""


def apply_upload(
    upload: OfflineUpload, user: User, secret: str, fingerprint: str, *, today: date
) -> tuple[bool, Preview]:
    """Apply the changed rows of ``upload`` as drafts, if the outcome is still ``fingerprint``.

    Every entry is loaded ``FOR UPDATE`` and the rows are evaluated again; when the outcome differs
    from the one the user confirmed (somebody changed an entry meanwhile) or a refusal blocks the
    file, nothing is written. Otherwise each changed row is saved through
    :func:`~workflow.entries.save_draft` with the version of its stamp (which records the editor
    for the four-eyes rule and fires ``start``/``rework``) and gets a version in the history named
    ``excel_upload`` with the comment „nahráno z Excelu“. Nothing is submitted.

    :returns: ``(applied, preview)``; ``applied`` False when nothing was written.
    :raises UploadGone: the upload was applied already.
    :raises WorkflowError: a refusal of ``save_draft`` (the caller rolls everything back).
    """
    permissions.require(user, permissions.Action.work_offline, upload)
    if upload.status != "pending":
        raise UploadGone(_("Tento soubor už byl nahrán. Stav záznamů vidíte v části „Moje úkoly“."))
    preview = evaluate(upload.rows, user, secret, today=today, lock=True)
    if not preview.can_apply or preview.fingerprint != fingerprint:
        return False, preview
    for outcome in preview.of_kind("changed"):
        entry = outcome.entry
        assert entry is not None
        as_of = acting_as(user, entry, today)
        save_draft(entry, user, outcome.data, expected_version=outcome.version, as_of=as_of)
        _record(entry, UPLOAD_TRANSITION, entry.state, user, as_of, UPLOAD_COMMENT, via_body=True)
    upload.status = "applied"
    upload.applied_at = utcnow()
    db.session.flush()
    return True, preview


@dataclass
class SubmitResult:
    """Outcome of :func:`submit_complete_drafts`: submitted entries and refused ones with the reason."""

    submitted: list[Entry] = field(default_factory=list)
    refused: list[tuple[Entry, str]] = field(default_factory=list)


def submit_complete_drafts(user: User, *, today: date) -> SubmitResult:
    """Submit every draft of the bodies ``user`` acts for in open rounds, each through
    :func:`~workflow.entries.apply_transition` (``submit``) with exactly the checks of submitting
    it alone; a draft that is incomplete or otherwise refused is listed with the reason.

    :param today: the day (Europe/Prague) for deputyships.
    """
    permissions.require(user, permissions.Action.work_offline)
    bodies = permissions.acting_body_ids(user, today)
    result = SubmitResult()
    if not bodies:
        return result
    ids = db.session.scalars(
        select(Entry.id)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Activity, Activity.id == Entry.activity_id)
        .where(
            Entry.body_id.in_(sorted(bodies)),
            Entry.state == EntryState.draft,
            ReportingRound.state == RoundState.open,
        )
        .order_by(ReportingRound.id, Activity.sort_key, Entry.id)
    ).all()
    for entry_id in ids:
        entry = entry_for_update(entry_id)
        if entry is None:
            continue
        try:
            apply_transition(entry, "submit", user, expected_version=entry.version)
        except (WorkflowError, InvalidAnswer) as exc:
            result.refused.append((entry, exc.message))
        else:
            result.submitted.append(entry)
    return result
