"""Entries: saving drafts, transitions with audit and versions, carry-over, word diffs, bulk
approval, comments, the reviewer's assessment, evidence (links and attachments) and deadline
extensions.

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

import difflib
import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from workflow import clock, permissions
from workflow.db import db, utcnow
from workflow.models import (
    Attachment,
    DeadlineExtension,
    Entry,
    EntryComment,
    EntryTransition,
    EntryVersion,
    EvidenceLink,
    ReportingRound,
    User,
)
from workflow.models.rounds import ANSWER_FIELDS
from workflow.rounds import set_body_deadline
from workflow.states import FULFILMENT_TITLES, EntryState, FulfilmentStatus, Role, RoundState
from workflow.transitions import (
    EDITABLE_STATES,
    TRANSITIONS,
    ActingAs,
    Actor,
    IncompleteEntry,
    InvalidTransition,
    NotAllowed,
    RoundLocked,
    StaleEntry,
    WorkflowError,
    acting_as,
    check_transition,
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
#: Largest attachment accepted, in bytes.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class InvalidAnswer(WorkflowError):
    """A value breaks a hard limit even for a draft; ``errors`` maps fields to Czech messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# --- loading ------------------------------------------------------------------------------------
def entry_for_update(entry_id: int) -> Entry | None:
    """Load an entry locking its row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers anyway) and refreshing whatever the session held, so the state check that follows
    sees the committed truth."""
    return db.session.execute(
        select(Entry)
        .where(Entry.id == entry_id)
        .with_for_update(of=Entry)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


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
    number = (
        db.session.scalar(select(func.max(EntryVersion.number)).where(EntryVersion.entry_id == entry.id)) or 0
    ) + 1
    version = EntryVersion(
        entry_id=entry.id,
        number=number,
        state=entry.state,
        text=entry.text,
        data=answer_data(entry),
        author_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    log = EntryTransition(
        entry_id=entry.id,
        name=name,
        from_state=from_state,
        to_state=entry.state,
        actor_id=actor.id if actor else None,
        acted_for_body_id=entry.body_id if via_body else None,
        acted_for_user_id=as_of.principal_id if (via_body and as_of) else None,
        comment=comment.strip(),
        version_id=version.id,
    )
    db.session.add(log)
    return log


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
) -> Entry:
    """Save the answer without validating it (hard limits only); the first save of a not-started
    entry fires ``start``, the first save of a returned one ``rework``.

    :param data: any of :data:`~workflow.models.rounds.ANSWER_FIELDS`; ``text`` differing from a
        carried-over text ends the carry-over.
    :param expected_version: the version the form was loaded at.
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
    implicit = {EntryState.not_started: "start", EntryState.returned: "rework"}.get(EntryState(entry.state))
    if implicit:
        from_state = entry.state
        entry.state = TRANSITIONS[implicit].target
        db.session.flush()
        _record(entry, implicit, from_state, actor, as_of, "", via_body=True)
    db.session.flush()
    return entry


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
        missing["text"] = _("text převzatý z minulého kola upravte, nebo potvrďte, že stále platí")
    if entry.indicator_number is not None and not (entry.indicator_unit or "").strip():
        missing["indicator_unit"] = _("uveďte jednotku hodnoty indikátoru")
    has_value = entry.indicator_number is not None or (entry.indicator_text or "").strip()
    if has_value and entry.indicator_as_of is None:
        missing["indicator_as_of"] = _("uveďte, k jakému datu hodnota indikátoru platí (stav k datu)")
    return missing


# --- transitions --------------------------------------------------------------------------------
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

    :raises StaleEntry: ``expected_version`` is not the current version.
    :raises UnknownTransition, RoundLocked, NotAllowed, InvalidTransition, SelfApproval,
        CommentRequired: see :func:`~workflow.transitions.check_transition`.
    :raises IncompleteEntry: submitting an incomplete answer (``errors`` per field).
    """
    _check_version(entry, expected_version)
    as_of = as_of or acting_as(actor, entry)
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
    db.session.flush()
    via_body = Actor.body in t.actors and Actor.body in as_of.kinds
    log = _record(entry, t.name, from_state, actor, as_of, comment, via_body)
    db.session.flush()
    from notifications import events  # what the transition's notification sends (issue 5)

    events.entry_transitioned(entry, log)
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


# --- history and diffs --------------------------------------------------------------------------
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
    over, or else the latest one found), or ``None``."""
    if entry.carried_from is not None:
        return entry.carried_from
    return db.session.scalar(
        select(Entry)
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
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


# --- comments and assessment --------------------------------------------------------------------
def add_comment(entry: Entry, actor: User, text: str, *, internal: bool = False) -> EntryComment:
    """Add a comment to the entry's thread. Bodies comment visibly; reviewers and the secretary
    may also write internal comments (hidden from the body).

    :raises NotAllowed: the user is neither the body, a reviewer in scope nor the secretary, or
        a body member asks for an internal comment.
    :raises WorkflowError: empty text.
    """
    as_of = acting_as(actor, entry)
    staff = bool(as_of.kinds & {Actor.reviewer, Actor.secretary})
    if not staff and Actor.body not in as_of.kinds:
        raise NotAllowed(_("K tomuto záznamu nemůžete psát komentáře."))
    if internal and not staff:
        raise NotAllowed(_("Interní komentář mohou psát jen hodnotitelé a tajemník."))
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("Komentář je prázdný."))
    if len(text) > 5000:
        raise WorkflowError(_("Komentář smí mít nejvýše 5 000 znaků."))
    comment = EntryComment(entry_id=entry.id, author_id=actor.id, text=text, internal=internal)
    db.session.add(comment)
    db.session.flush()
    return comment


def visible_comments(entry: Entry, user: User | None) -> list[EntryComment]:
    """The thread as ``user`` may see it (internal comments only for reviewers in scope and the
    secretary), oldest first."""
    query = select(EntryComment).where(EntryComment.entry_id == entry.id).order_by(EntryComment.id)
    if not permissions.can_view_internal(user, entry):
        query = query.where(EntryComment.internal.is_(False))
    return list(db.session.scalars(query.options(joinedload(EntryComment.author))))


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


# --- evidence: links ----------------------------------------------------------------------------
def _require_evidence_edit(entry: Entry, actor: User) -> None:
    _require_round_open(entry)
    _require_body(entry, actor, None)
    _require_editable(entry)


def add_link(entry: Entry, actor: User, url: str, label: str = "") -> EvidenceLink:
    """Attach a link (``http``/``https`` only) as evidence.

    :raises RoundLocked, NotAllowed, InvalidTransition, WorkflowError: bad URL.
    """
    _require_evidence_edit(entry, actor)
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise WorkflowError(_("Zadejte úplnou adresu začínající https:// nebo http://."))
    link = EvidenceLink(entry_id=entry.id, url=url, label=(label or "").strip()[:300], created_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    return link


def remove_link(link: EvidenceLink, actor: User) -> None:
    """Remove a link from the evidence. :raises RoundLocked, NotAllowed, InvalidTransition:"""
    _require_evidence_edit(link.entry, actor)
    db.session.delete(link)
    db.session.flush()


# --- evidence: attachments ----------------------------------------------------------------------
#: Allowed kinds: detected content type → (MIME type, accepted file extensions).
ATTACHMENT_KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")


def safe_filename(name: str, default: str = "priloha") -> str:
    """Reduce an uploaded file name to a harmless display name: the last path component only
    (``../../etc/passwd`` → ``passwd``, ``C:\\x\\a.pdf`` → ``a.pdf``), no control or reserved
    characters (NUL, ``<>:"|?*``), no leading dots, at most 200 characters; Czech letters are
    kept. ``default`` when nothing is left. The name is only ever displayed (escaped) and sent as
    the download name; files are stored under generated names."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name or default


def detect_kind(path: Path) -> str | None:
    """Type of a file from its content (magic bytes; for ZIP containers the member that marks
    DOCX, XLSX, ODT or ODS), or ``None`` when it is none of the allowed kinds."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    return {
                        "application/vnd.oasis.opendocument.text": "odt",
                        "application/vnd.oasis.opendocument.spreadsheet": "ods",
                    }.get(mimetype)
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
        except (zipfile.BadZipFile, OSError):
            return None
    return None


def attachment_path(attachment: Attachment, storage_dir: Path) -> Path:
    """Where an attachment's bytes live: ``<storage_dir>/<2 chars>/<random name>``."""
    return storage_dir / attachment.storage_name[:2] / attachment.storage_name


def _chunks(stream: IO[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def store_attachment(
    entry: Entry,
    actor: User,
    filename: str,
    stream: IO[bytes],
    storage_dir: Path,
    *,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> Attachment:
    """Store an uploaded file as evidence: size limit, type by magic bytes (and a matching
    extension), SHA-256, a random storage name; the uploaded name is only displayed.

    :raises RoundLocked, NotAllowed, InvalidTransition: as for editing the entry.
    :raises WorkflowError: too large, empty, not an allowed type, extension not matching.
    """
    _require_evidence_edit(entry, actor)
    display = safe_filename(filename)
    storage_name = secrets.token_hex(24)
    target = storage_dir / storage_name[:2] / storage_name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(storage_name + ".part")
    digest, size = hashlib.sha256(), 0
    try:
        with partial.open("xb") as out:
            for chunk in _chunks(stream):
                size += len(chunk)
                if size > max_bytes:
                    mb = f"{max_bytes / (1024 * 1024):.2f}".rstrip("0").rstrip(".").replace(".", ",")
                    raise WorkflowError(_("Soubor je větší než %(mb)s MB.", mb=mb))
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise WorkflowError(_("Soubor je prázdný."))
        kind = detect_kind(partial)
        if kind is None:
            raise WorkflowError(_("Povolené jsou jen soubory PDF, DOCX, XLSX, ODT, ODS, PNG a JPEG."))
        mime, extensions = ATTACHMENT_KINDS[kind]
        ext = os.path.splitext(display)[1].lower()
        if not ext:
            display += extensions[0]
        elif ext not in extensions:
            raise WorkflowError(
                _("Obsah souboru (%(kind)s) neodpovídá jeho příponě %(ext)s.", kind=kind.upper(), ext=ext)
            )
        partial.rename(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        entry_id=entry.id,
        filename=display,
        storage_name=storage_name,
        kind=kind,
        content_type=mime,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(attachment: Attachment, actor: User, storage_dir: Path) -> None:
    """Delete an attachment (row and file). :raises RoundLocked, NotAllowed, InvalidTransition:"""
    _require_evidence_edit(attachment.entry, actor)
    path = attachment_path(attachment, storage_dir)
    db.session.delete(attachment)
    db.session.flush()
    path.unlink(missing_ok=True)


# --- deadline extensions ------------------------------------------------------------------------
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
    if not permissions._active(actor) or not actor.has_role(Role.secretary):
        raise NotAllowed(_("O prodloužení rozhoduje tajemník."))
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
