"""Entries: loading, saving drafts (hard limits only), the audit record of a transition, carrying
over last round's answer and what an answer lacks for submitting.

Rules (issue 4 items 3–9): a draft saves at any time without validation (only hard limits);
submitting validates and names every missing field; every transition writes an append-only
:class:`~workflow.models.EntryTransition` and an :class:`~workflow.models.EntryVersion` of the
answer. Concurrency is optimistic: every form carries the ``version`` it was loaded at and a
different current version raises :class:`~workflow.transitions.StaleEntry` (the view shows both
versions); transitions load the row ``FOR UPDATE`` (PostgreSQL) and re-check the state, so a
double click applies once.

Services take the actor explicitly, flush and never commit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import joinedload, make_transient_to_detached

from workflow.db import db, utcnow
from workflow.errors import InvalidInput
from workflow.models import Entry, EntryTransition, EntryVersion, ReportingRound, User
from workflow.models.rounds import ANSWER_FIELDS
from workflow.states import EntryState, FulfilmentStatus, RoundState
from workflow.transitions import (
    EDITABLE_STATES,
    TRANSITIONS,
    ActingAs,
    Actor,
    InvalidTransition,
    NotAllowed,
    RoundLocked,
    StaleEntry,
    WorkflowError,
    acting_as,
    state_title,
)

#: „Plnění“: recommended length (characters) and the hard limit (DOMAIN.md §4: 160–1 220 seen).
TEXT_GUIDANCE = (150, 1500)
TEXT_LIMIT = 10_000
#: Hard limits of the other free-text fields.
FIELD_LIMITS = {
    "cooperation_text": 5000,
    "problems": 5000,
    "proposal": 5000,
    "indicator_text": 2000,
    "indicator_unit": 100,
}


class InvalidAnswer(WorkflowError, InvalidInput):
    """A value breaks a hard limit even for a draft; ``errors`` maps fields to Czech messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# --- loading ------------------------------------------------------------------------------------
def entry_for_update(entry_id: int) -> Entry | None:
    """Load an entry locking its row (``SELECT … FOR UPDATE OF entries`` on PostgreSQL; SQLite
    serialises writers anyway) and refreshing whatever the session held, so the state check that
    follows sees the committed truth. Its round and activity, which every check that follows reads
    (the round's state, a reviewer's scope), and its body come in the same statement, unlocked."""
    return db.session.execute(_ENTRY_FOR_UPDATE, {"entry_id": entry_id}).scalar_one_or_none()


#: :func:`entry_for_update`'s statement, built once (its cache key is then computed once).
_ENTRY_FOR_UPDATE = (
    select(Entry)
    .where(Entry.id == bindparam("entry_id"))
    .options(
        # without the round's change counter (the sum of its slots, read by no check; the commit's
        # bump then has no loaded value to raise)
        joinedload(Entry.round, innerjoin=True).defer(ReportingRound.change_counter),
        joinedload(Entry.activity, innerjoin=True),
        joinedload(Entry.body, innerjoin=True),  # the digest's item names it (notifications)
    )
    .with_for_update(of=Entry)
    .execution_options(populate_existing=True)
)


def answer_data(entry: Entry) -> dict[str, Any]:
    """The answer fields of ``entry`` as JSON-friendly values (decimals and dates as strings)."""
    data: dict[str, Any] = {}
    for name in ANSWER_FIELDS:
        value = getattr(entry, name)
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        elif isinstance(value, date):
            value = value.isoformat()
        data[name] = value
    return data


# --- drafts -------------------------------------------------------------------------------------
def _require_round_open(entry: Entry) -> None:
    if entry.round.state != RoundState.open:
        raise RoundLocked(
            _("Kolo „%(round)s“ není otevřené, záznamy jsou uzamčené.", round=entry.round.title)
        )


def _require_body(entry: Entry, actor: User | None, as_of: ActingAs | None) -> ActingAs:
    as_of = as_of or acting_as(actor, entry)
    if Actor.body not in as_of.kinds:
        raise NotAllowed(_("Záznam může upravovat jen zpracovatel za odpovědný subjekt (nebo jeho zástup)."))
    return as_of


def _require_editable(entry: Entry) -> None:
    if entry.state not in EDITABLE_STATES:
        raise InvalidTransition(
            _("Záznam ve stavu „%(state)s“ nelze upravovat.", state=state_title(entry.state))
        )


def _check_version(entry: Entry, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != entry.version:
        raise StaleEntry(entry, int(expected_version))


def check_limits(data: dict[str, Any]) -> dict[str, str]:
    """Hard limits that hold even for drafts: ``{field: Czech message}``."""
    errors: dict[str, str] = {}
    text = data.get("text") or ""
    if len(text) > TEXT_LIMIT:
        errors["text"] = _(
            "Text plnění smí mít nejvýše %(limit)s znaků (má %(n)s).", limit="10 000", n=len(text)
        )
    for name, limit in FIELD_LIMITS.items():
        if len(data.get(name) or "") > limit:
            errors[name] = _("Pole smí mít nejvýše %(limit)s znaků.", limit=limit)
    status = data.get("fulfilment_status")
    if status and status not in set(FulfilmentStatus):
        errors["fulfilment_status"] = _("Neznámý stav plnění.")
    number = data.get("indicator_number")
    if number is not None and abs(Decimal(number)) >= Decimal("1e14"):
        errors["indicator_number"] = _("Hodnota indikátoru je příliš velká.")
    return errors


def _record(
    entry: Entry,
    name: str,
    from_state: str,
    actor: User | None,
    as_of: ActingAs | None,
    comment: str,
    via_body: bool,
) -> EntryTransition:
    """Write the version of ``entry``'s answer as it stands and the audit row of transition
    ``name`` pointing to it: two ``INSERT`` statements at once, built once, past the unit of work
    (the entry's own ``UPDATE`` waits for the caller's next flush; both rows are append-only, so
    nothing else of the session needs to know). Flushing is not needed before recording a second
    version of the same entry: its number is computed inside its ``INSERT``.

    :returns: the audit row as written, with its ``id``, ``version_id`` and ``created_at``; detached
        (not in the session, so a rolled-back savepoint leaves no stale row behind): its columns
        only, load it by id for its relationships.
    """
    author = actor.id if actor else None
    version_id = db.session.execute(
        _INSERT_VERSION,
        {
            "of_entry": entry.id,
            "entry_id": entry.id,
            "state": entry.state,
            "text": entry.text,
            "data": answer_data(entry),
            "author_id": author,
            "created_at": utcnow(),
        },
    ).scalar_one()
    row = {
        "entry_id": entry.id,
        "name": name,
        "from_state": from_state,
        "to_state": entry.state,
        "actor_id": author,
        "acted_for_body_id": entry.body_id if via_body else None,
        "acted_for_user_id": as_of.principal_id if (via_body and as_of) else None,
        "comment": comment.strip(),
        "version_id": version_id,
        "created_at": utcnow(),
    }
    log = EntryTransition(id=db.session.execute(_INSERT_TRANSITION, row).scalar_one(), **row)
    make_transient_to_detached(log)  # the row exists: never to be written by a flush
    return log


_VERSIONS, _TRANSITIONS = EntryVersion.__table__, EntryTransition.__table__
#: The version's ``INSERT``: the next number is computed inside it (no SELECT of its own); the
#: entry's row lock, held by every writer of its versions, keeps two of them from taking the same
#: number.
_INSERT_VERSION = (
    insert(_VERSIONS)
    .values(
        number=select(func.coalesce(func.max(_VERSIONS.c.number), 0) + 1)
        .where(_VERSIONS.c.entry_id == bindparam("of_entry"))
        .scalar_subquery()
    )
    .returning(_VERSIONS.c.id)
)
_INSERT_TRANSITION = insert(_TRANSITIONS).returning(_TRANSITIONS.c.id)


_TEXT_FIELDS = frozenset(
    {"text", "indicator_unit", "indicator_text", "cooperation_text", "problems", "proposal"}
)


def save_draft(
    entry: Entry,
    actor: User,
    data: dict[str, Any],
    *,
    expected_version: int | None,
    as_of: ActingAs | None = None,
    flush: bool = True,
) -> Entry:
    """Save the answer without validating it (hard limits only); the first save of a not-started
    entry fires ``start``, the first save of a returned one ``rework``.

    :param data: any of :data:`~workflow.models.rounds.ANSWER_FIELDS`; ``text`` differing from a
        carried-over text ends the carry-over.
    :param expected_version: the version the form was loaded at.
    :param flush: ``False`` leaves the answer's ``UPDATE`` to the next flush, so a submit that
        follows at once writes the answer and the new state in one ``UPDATE`` (also after an
        implicit ``start``/``rework``, whose version and audit row are written at once).
    :raises NotAllowed: not the body (checked first).
    :raises StaleEntry: ``expected_version`` is not current (checked before the state).
    :raises RoundLocked, InvalidTransition, InvalidAnswer:
    """
    # A stale version wins over the other refusals: the user then sees the conflict page with
    # both versions instead of losing what they typed (e.g. when somebody submitted meanwhile).
    as_of = _require_body(entry, actor, as_of)
    _check_version(entry, expected_version)
    _require_round_open(entry)
    _require_editable(entry)
    errors = check_limits(data)
    if errors:
        raise InvalidAnswer(errors)
    for name in ANSWER_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if value is None and name in _TEXT_FIELDS:
            value = ""
        if isinstance(value, str) and name != "text":
            value = value.strip()
        if name == "fulfilment_status":
            value = value or None
        if name == "text":
            value = normalize_text(value or "")
            if entry.carried_over and value != entry.text:
                entry.carried_over = False
        setattr(entry, name, value)
    entry.updated_by_id = actor.id
    record_editor(entry, actor)
    implicit = {EntryState.not_started: "start", EntryState.returned: "rework"}.get(EntryState(entry.state))
    if implicit:
        from_state = entry.state
        entry.state = TRANSITIONS[implicit].target
        _record(entry, implicit, from_state, actor, as_of, "", via_body=True)  # written at once
    if flush:
        db.session.flush()
    return entry


def record_editor(entry: Entry, actor: User) -> None:
    """Note ``actor`` among those who edited the answer since it was last sent back or reopened
    (``entry.editor_ids``); none of them may approve it (:func:`~workflow.transitions.check_transition`)."""
    editors = list(entry.editor_ids or [])
    if actor.id not in editors:
        entry.editor_ids = [*editors, actor.id]  # a new list: the JSON column sees the change


def normalize_text(text: str) -> str:
    """Tidy text pasted from Word or PDF (DOMAIN.md R28): private-use bullets (U+F0B7) become
    „•“, non-breaking spaces stay, Windows line ends become ``\\n``, trailing spaces go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\uf0b7", "•")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def confirm_carry_over(entry: Entry, actor: User, *, expected_version: int | None) -> Entry:
    """The body confirms last round's answer as still true (ends the „převzato“ mark); a
    not-started entry becomes a draft.

    :raises RoundLocked, NotAllowed, InvalidTransition, StaleEntry:
    """
    _require_round_open(entry)
    as_of = _require_body(entry, actor, None)
    _require_editable(entry)
    _check_version(entry, expected_version)
    entry.carried_over = False
    return save_draft(entry, actor, {}, expected_version=None, as_of=as_of)


def missing_for_submit(entry: Entry) -> dict[str, str]:
    """What the answer lacks for submitting: ``{form field: Czech message}`` (empty: complete)."""
    missing: dict[str, str] = {}
    if not entry.fulfilment_status:
        missing["fulfilment_status"] = _("vyberte stav plnění")
    if not (entry.text or "").strip():
        missing["text"] = _("vyplňte text plnění")
    elif entry.carried_over:
        missing["text"] = _("text převzatý z loňského plnění upravte, nebo potvrďte, že stále platí")
    if entry.indicator_number is not None and not (entry.indicator_unit or "").strip():
        missing["indicator_unit"] = _("uveďte jednotku hodnoty indikátoru")
    has_value = entry.indicator_number is not None or (entry.indicator_text or "").strip()
    if has_value and entry.indicator_as_of is None:
        missing["indicator_as_of"] = _("uveďte, k jakému datu hodnota indikátoru platí (stav k datu)")
    return missing
