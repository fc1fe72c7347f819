"""Entries: evidence attachments — file type by content, safe display names, stored under random
names with a SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from workflow.db import db
from workflow.entries.evidence import _require_evidence_edit
from workflow.models import Attachment, Entry, User
from workflow.transitions import WorkflowError

#: Largest attachment accepted, in bytes.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


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
