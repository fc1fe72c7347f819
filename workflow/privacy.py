"""Personal data (GDPR): export everything the product holds about a user; anonymise a departed one.

* :func:`export_user_data` gathers the account, its roles, bodies, deputies, API tokens (never
  their secrets or digests), the account audit events that name the user, and everything the user
  wrote or did in the entry workflow (versions, transitions, comments, evidence, extensions) and
  the e-mails addressed to them. An administrator downloads it as JSON (``/sprava/uzivatele/<id>``).
* :func:`anonymise_user` erases who the person was and keeps what they did: the answers, versions,
  transitions and comments stay, attributed to „bývalý uživatel“ (the name every page, e-mail
  and report shows for the account from then on). The e-mail address becomes a placeholder, the
  password, roles, bodies and deputyships go, API tokens are revoked, and e-mails to the person
  are redacted.

The account audit log is append-only and keeps its rows (with the e-mail address typed at a sign-in)
until the retention purge removes them (``AUDIT_RETENTION_DAYS``, :func:`workflow.audit.purge_expired`);
this is the legitimate-interest record of who had access, documented in ``docs/reliability.md``.
Both functions write an audit event, flush and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select, union
from sqlalchemy.orm import joinedload

from workflow.audit import AuditKind, events_query, record
from workflow.db import db, utcnow
from workflow.errors import DomainError
from workflow.models import (
    ApiToken,
    Attachment,
    AuditEvent,
    DeadlineExtension,
    Deputy,
    Entry,
    EntryComment,
    EntryTransition,
    EntryVersion,
    EvidenceLink,
    OutboxMessage,
    User,
)
from workflow.models.outbox import FAILED, PENDING

#: The name shown for an anonymised user wherever an author or actor is displayed.
FORMER_USER_NAME = "bývalý uživatel"

#: Version of the export's layout (``format`` key of the JSON).
EXPORT_FORMAT = "plneni-user-export/1"


class PrivacyError(DomainError):
    """An anonymisation that is not allowed; ``message`` is Czech, for the UI."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class _Erasure:
    """What anonymising one user puts in place of the person: the time and the placeholder address."""

    now: datetime
    placeholder: str


def _revoke_token(token: ApiToken, erasure: _Erasure) -> None:
    if token.revoked_at is None:
        token.revoked_at = erasure.now


def _redact_email(message: OutboxMessage, erasure: _Erasure) -> None:
    message.recipient_email = erasure.placeholder
    message.payload = {"redacted": True}
    if message.state == PENDING:
        message.state = FAILED
        message.last_error = "anonymised"


@dataclass(frozen=True)
class PersonalData:
    """One place where the product keeps data about a user — the one walk that both
    :func:`export_user_data` and :func:`anonymise_user` follow.

    :ivar key: the key of the export.
    :ivar rows: the query for the user's rows, in export order.
    :ivar export: one row as a JSON-ready dict (timestamps as UTC ISO strings).
    :ivar erase: what anonymising does to one row; ``None``: the row stays (it is attributed to
        „bývalý uživatel“ through the anonymised account).
    :ivar entry_bound: the rows belong to an entry; the export adds the entry's round, activity
        and body to each.
    """

    key: str
    rows: Callable[[User], Select[Any]]
    export: Callable[[Any, User], dict[str, Any]]
    erase: Callable[[Any, _Erasure], None] | None = None
    entry_bound: bool = False


def _deputies(user: User) -> Select[Any]:
    return (
        select(Deputy)
        .where(or_(Deputy.principal_id == user.id, Deputy.deputy_id == user.id))
        .order_by(Deputy.id)
    )


#: Every place holding personal data of a user, in the order of the export (after the account,
#: bodies and roles, which :func:`export_user_data` writes from the user itself).
PERSONAL_DATA: tuple[PersonalData, ...] = (
    PersonalData(
        "deputies",
        _deputies,
        lambda d, user: {
            "principal": d.principal.email,
            "deputy": d.deputy.email,
            "body": d.body.abbreviation if d.body else None,
            "starts_on": d.starts_on.isoformat(),
            "ends_on": d.ends_on.isoformat(),
            "note": d.note,
        },
        erase=lambda d, erasure: db.session.delete(d),
    ),
    PersonalData(
        "api_tokens",
        lambda user: select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id),
        lambda t, user: {
            "name": t.name,
            "prefix": t.prefix,
            "created_at": _iso(t.created_at),
            "last_used_at": _iso(t.last_used_at),
            "revoked_at": _iso(t.revoked_at),
        },
        erase=_revoke_token,
    ),
    PersonalData(
        "audit_events",
        lambda user: events_query(user=user).order_by(None).order_by(AuditEvent.id),
        lambda e, user: {
            "at": _iso(e.at),
            "kind": e.kind,
            "actor_id": e.actor_id,
            "subject_id": e.subject_id,
            "acted_for_id": e.acted_for_id,
            "email": e.email,
            "ip": e.ip,
            "summary": e.summary,
            "details": e.details,
        },
    ),
    PersonalData(
        "entry_versions",
        lambda user: select(EntryVersion).where(EntryVersion.author_id == user.id).order_by(EntryVersion.id),
        lambda v, user: {
            "number": v.number,
            "state": v.state,
            "text": v.text,
            "data": v.data,
            "created_at": _iso(v.created_at),
        },
        entry_bound=True,
    ),
    PersonalData(
        "entry_transitions",
        lambda user: select(EntryTransition)
        .where(or_(EntryTransition.actor_id == user.id, EntryTransition.acted_for_user_id == user.id))
        .order_by(EntryTransition.id),
        lambda t, user: {
            "name": t.name,
            "from": t.from_state,
            "to": t.to_state,
            "comment": t.comment,
            "as_deputy_for": t.acted_for_user_id if t.actor_id == user.id else None,
            "acted_by_deputy": t.actor_id if t.acted_for_user_id == user.id else None,
            "created_at": _iso(t.created_at),
        },
        entry_bound=True,
    ),
    PersonalData(
        "comments",
        lambda user: select(EntryComment).where(EntryComment.author_id == user.id).order_by(EntryComment.id),
        lambda c, user: {"text": c.text, "internal": c.internal, "created_at": _iso(c.created_at)},
        entry_bound=True,
    ),
    PersonalData(
        "evidence_links",
        lambda user: select(EvidenceLink)
        .where(EvidenceLink.created_by_id == user.id)
        .order_by(EvidenceLink.id),
        lambda link, user: {"url": link.url, "label": link.label, "created_at": _iso(link.created_at)},
        entry_bound=True,
    ),
    PersonalData(
        "attachments",
        lambda user: select(Attachment).where(Attachment.uploaded_by_id == user.id).order_by(Attachment.id),
        lambda a, user: {
            "filename": a.filename,
            "kind": a.kind,
            "size": a.size,
            "sha256": a.sha256,
            "uploaded_at": _iso(a.uploaded_at),
        },
        entry_bound=True,
    ),
    PersonalData(
        "deadline_extensions",
        lambda user: select(DeadlineExtension)
        .where(or_(DeadlineExtension.requested_by_id == user.id, DeadlineExtension.decided_by_id == user.id))
        .order_by(DeadlineExtension.id),
        lambda x, user: {
            "round_id": x.round_id,
            "body_id": x.body_id,
            "requested": x.requested_by_id == user.id,
            "decided": x.decided_by_id == user.id,
        },
    ),
    PersonalData(
        "emails",
        lambda user: select(OutboxMessage)
        .where(OutboxMessage.recipient_id == user.id)
        .order_by(OutboxMessage.id),
        lambda m, user: {
            "kind": m.kind,
            "to": m.recipient_email,
            "state": m.state,
            "created_at": _iso(m.created_at),
            "sent_at": _iso(m.sent_at),
            "payload": m.payload,
        },
        erase=_redact_email,
    ),
)


def _entry_ids(rows: Select[Any]) -> Select[Any]:
    """The ``entry_id`` column of a query for rows of an entry-bound model, unordered."""
    return rows.order_by(None).with_only_columns(rows.column_descriptions[0]["entity"].entry_id)


def _entry_refs(user: User) -> dict[int, dict[str, Any]]:
    """``{entry id: {"entry_id", "round", "activity", "body"}}`` of every entry ``user`` left
    entry-bound data in (:data:`PERSONAL_DATA`), in one query whatever their number."""
    touched = union(*(_entry_ids(place.rows(user)) for place in PERSONAL_DATA if place.entry_bound))
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.id.in_(select(touched.subquery().c[0])))
        .options(joinedload(Entry.round), joinedload(Entry.activity), joinedload(Entry.body))
    )
    return {
        e.id: {
            "entry_id": e.id,
            "round": e.round.title,
            "activity": e.activity.code,
            "body": e.body.abbreviation,
        }
        for e in entries
    }


def export_user_data(user: User, *, actor: User, ip: str = "") -> dict[str, Any]:
    """Everything the product holds about ``user``, as a JSON-ready dict (UTC ISO timestamps).

    :param user: the person whose data is exported.
    :param actor: the administrator exporting (recorded as ``user_exported`` in the audit log).
    :param ip: the client address for the audit log.
    :returns: a dict with the keys ``format``, ``exported_at``, ``account``, ``bodies``, ``roles``
        and then the key of each place of :data:`PERSONAL_DATA` (``deputies``, ``api_tokens``,
        ``audit_events``, ``entry_versions``, ``entry_transitions``, ``comments``,
        ``evidence_links``, ``attachments``, ``deadline_extensions`` and ``emails``).
    """
    from workflow.accounts import describe_assignment

    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "locale": user.locale,
            "active": user.active,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
            "invited_at": _iso(user.invited_at),
            "deactivated_at": _iso(user.deactivated_at),
            "anonymised_at": _iso(user.anonymised_at),
            "has_password": bool(user.password_hash),
        },
        "bodies": [{"id": b.id, "abbreviation": b.abbreviation, "name": b.name} for b in user.bodies],
        "roles": [{"role": a.role, "scope": str(describe_assignment(a))} for a in user.role_assignments],
    }
    refs = _entry_refs(user)
    for place in PERSONAL_DATA:
        rows = db.session.scalars(place.rows(user))
        if place.entry_bound:
            data[place.key] = [{**refs[row.entry_id], **place.export(row, user)} for row in rows]
        else:
            data[place.key] = [place.export(row, user) for row in rows]
    record(AuditKind.user_exported, actor=actor, subject=user, ip=ip, summary="export osobních údajů (JSON)")
    return data


def placeholder_email(user: User) -> str:
    """The address an anonymised account gets: unique, not deliverable (``.invalid``)."""
    return f"former-user-{user.id}@anonymised.invalid"


def anonymise_user(user: User, *, actor: User, reason: str, ip: str = "") -> None:
    """Anonymise a departed user; their answers stay, attributed to „bývalý uživatel“.

    :param user: the account to anonymise (deactivated as part of it).
    :param actor: the administrator (recorded as ``user_anonymised`` with the reason).
    :param reason: why, e.g. „odchod z úřadu 31. 12.“; required.
    :param ip: the client address for the audit log.
    :raises PrivacyError: no reason given, the actor's own account, or already anonymised.
    """
    reason = (reason or "").strip()
    if not reason:
        raise PrivacyError(_("Uveďte důvod anonymizace."))
    if user.id == actor.id:
        raise PrivacyError(_("Vlastní účet anonymizovat nelze."))
    if user.anonymised_at is not None:
        raise PrivacyError(_("Účet už je anonymizovaný."))
    now = utcnow()
    placeholder = placeholder_email(user)
    record(
        AuditKind.user_anonymised,
        actor=actor,
        subject=user,
        email=placeholder,
        ip=ip,
        summary=f"důvod: {reason}"[:500],
        details={"reason": reason},
    )
    erasure = _Erasure(now, placeholder)
    for place in PERSONAL_DATA:
        if place.erase is not None:
            for row in db.session.scalars(place.rows(user)).all():
                place.erase(row, erasure)
    user.role_assignments.clear()
    user.bodies.clear()
    user.name = FORMER_USER_NAME
    user.email = placeholder
    user.password_hash = None
    user.active = False
    user.deactivated_at = user.deactivated_at or now
    user.last_login_at = None
    user.invited_at = None
    user.anonymised_at = now
    db.session.flush()
