"""Entries: the comment thread (visible and internal comments)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from workflow import permissions
from workflow.db import db
from workflow.models import Entry, EntryComment, User
from workflow.transitions import Actor, NotAllowed, WorkflowError, acting_as


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
    secretary), oldest first; no statement for an entry loaded with :attr:`Entry.has_comments`
    ``False``."""
    if entry.__dict__.get("has_comments") is False:
        return []
    query = _THREAD if permissions.can_view_internal(user, entry) else _PUBLIC_THREAD
    return list(db.session.scalars(query, {"entry_id": entry.id}))


#: :func:`visible_comments`' statements, built once (their cache keys then computed once): the
#: whole thread, and the thread without internal comments.
_THREAD = (
    select(EntryComment)
    .where(EntryComment.entry_id == bindparam("entry_id"))
    .order_by(EntryComment.id)
    .options(joinedload(EntryComment.author))
)
_PUBLIC_THREAD = _THREAD.where(EntryComment.internal.is_(False))
