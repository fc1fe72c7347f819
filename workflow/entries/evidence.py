"""Entries: evidence links (the body's proof of fulfilment)."""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import gettext as _

from workflow.db import db
from workflow.entries.drafts import _require_body, _require_editable, _require_round_open
from workflow.models import Entry, EvidenceLink, User
from workflow.transitions import WorkflowError


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
