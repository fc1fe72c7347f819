"""The account audit log: an append-only record of sign-ins, account changes and token use.

Every service in :mod:`workflow.accounts` and :mod:`workflow.tokens` that changes an account
writes one :class:`~workflow.models.AuditEvent` through :func:`record`; the web layer records
sign-ins, failed sign-ins and sign-outs. There is deliberately no function that updates or deletes
a row, and the model refuses such a flush (:class:`~workflow.models.accounts.AuditLogIsAppendOnly`);
on PostgreSQL a trigger refuses UPDATE and DELETE too (migration ``a9000001``). The one exception is
the retention purge, :func:`purge_expired`, which deletes rows older than ``AUDIT_RETENTION_DAYS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, or_, select, text

from workflow.db import db, utcnow
from workflow.models import ApiToken, AuditEvent, Body, User


class AuditKind(StrEnum):
    """What happened (stored by value in ``audit_events.kind``)."""

    sign_in = "sign_in"
    sign_in_failed = "sign_in_failed"
    sign_in_throttled = "sign_in_throttled"
    sign_out = "sign_out"
    session_expired = "session_expired"
    invitation_sent = "invitation_sent"
    invitation_accepted = "invitation_accepted"
    password_reset_requested = "password_reset_requested"  # noqa: S105 - an event name
    password_reset = "password_reset"  # noqa: S105 - an event name
    password_changed = "password_changed"  # noqa: S105 - an event name
    user_created = "user_created"
    user_updated = "user_updated"
    user_deactivated = "user_deactivated"
    user_reactivated = "user_reactivated"
    role_added = "role_added"
    role_removed = "role_removed"
    body_added = "body_added"
    body_removed = "body_removed"
    deputy_added = "deputy_added"
    deputy_removed = "deputy_removed"
    token_created = "token_created"  # noqa: S105 - an event name
    token_revoked = "token_revoked"  # noqa: S105 - an event name
    token_used = "token_used"  # noqa: S105 - an event name
    body_created = "body_created"
    body_updated = "body_updated"
    user_exported = "user_exported"
    user_anonymised = "user_anonymised"
    sign_in_remembered = "sign_in_remembered"
    sessions_ended = "sessions_ended"
    plan_attributes_changed = "plan_attributes_changed"
    routing_alias_decided = "routing_alias_decided"
    routing_activity_decided = "routing_activity_decided"
    routing_group_edited = "routing_group_edited"
    plan_import_reverted = "plan_import_reverted"
    plan_deleted = "plan_deleted"


AUDIT_KIND_TITLES = {
    AuditKind.sign_in: _l("Přihlášení"),
    AuditKind.sign_in_failed: _l("Neúspěšné přihlášení"),
    AuditKind.sign_in_throttled: _l("Přihlášení odmítnuto (příliš mnoho pokusů)"),
    AuditKind.sign_out: _l("Odhlášení"),
    AuditKind.session_expired: _l("Odhlášení po nečinnosti"),
    AuditKind.invitation_sent: _l("Pozvánka odeslána"),
    AuditKind.invitation_accepted: _l("Pozvánka přijata"),
    AuditKind.password_reset_requested: _l("Žádost o obnovu hesla"),
    AuditKind.password_reset: _l("Heslo obnoveno"),
    AuditKind.password_changed: _l("Heslo změněno"),
    AuditKind.user_created: _l("Účet založen"),
    AuditKind.user_updated: _l("Údaje účtu změněny"),
    AuditKind.user_deactivated: _l("Účet deaktivován"),
    AuditKind.user_reactivated: _l("Účet znovu aktivován"),
    AuditKind.role_added: _l("Role přidána"),
    AuditKind.role_removed: _l("Role odebrána"),
    AuditKind.body_added: _l("Přiřazen subjekt"),
    AuditKind.body_removed: _l("Odebrán subjekt"),
    AuditKind.deputy_added: _l("Zástup nastaven"),
    AuditKind.deputy_removed: _l("Zástup zrušen"),
    AuditKind.token_created: _l("API token vytvořen"),
    AuditKind.token_revoked: _l("API token zrušen"),
    AuditKind.token_used: _l("API token použit"),
    AuditKind.body_created: _l("Subjekt založen"),
    AuditKind.body_updated: _l("Subjekt upraven"),
    AuditKind.user_exported: _l("Export osobních údajů"),
    AuditKind.user_anonymised: _l("Účet anonymizován"),
    AuditKind.sign_in_remembered: _l("Přihlášení zapamatovaným prohlížečem"),
    AuditKind.sessions_ended: _l("Odhlášení ze všech zařízení"),
    AuditKind.plan_attributes_changed: _l("Zobrazení atributů plánu změněno"),
    AuditKind.routing_alias_decided: _l("Rozhodnut název v odpovědnosti"),
    AuditKind.routing_activity_decided: _l("Rozhodnuto směrování aktivity"),
    AuditKind.routing_group_edited: _l("Upravena skupina subjektů"),
    AuditKind.plan_import_reverted: _l("Import plánu vrácen"),
    AuditKind.plan_deleted: _l("Plán smazán"),
}


def record(
    kind: AuditKind,
    *,
    actor: User | None = None,
    subject: User | None = None,
    acted_for: User | None = None,
    body: Body | None = None,
    token: ApiToken | None = None,
    email: str = "",
    ip: str = "",
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the account audit log (added to the session and flushed, not committed).

    :param kind: what happened.
    :param actor: who did it (``None`` for anonymous requests such as a failed sign-in).
    :param subject: the account concerned (defaults to nobody; a sign-in has ``subject == actor``).
    :param acted_for: the principal when ``actor`` acted as a deputy
        (:func:`workflow.accounts.principal_for`).
    :param email: the address typed, kept for failed sign-ins of unknown addresses.
    :param ip: the client address as the web layer saw it (``""`` on the command line).
    :param summary: a short Czech description shown in the log, e.g. ``"hodnotitel – okruh A"``.
    :returns: the new, flushed :class:`AuditEvent`.
    """
    event = AuditEvent(
        kind=str(kind),
        actor=actor,
        subject=subject,
        acted_for=acted_for,
        body=body,
        token=token,
        email=(email or (subject.email if subject is not None else ""))[:254],
        ip=(ip or "")[:45],
        summary=summary,
        details=details or {},
    )
    db.session.add(event)
    db.session.flush()
    return event


def events_query(*, kind: str | None = None, user: User | None = None, search: str = "") -> Select[Any]:
    """Newest-first query of audit events, optionally filtered.

    :param kind: only events of this :class:`AuditKind` value.
    :param user: only events where ``user`` is actor, subject or principal.
    :param search: case-insensitive substring of the e-mail typed, the IP or the summary.
    :returns: a ``SELECT`` of :class:`AuditEvent` (the caller paginates).
    """
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if kind:
        query = query.where(AuditEvent.kind == kind)
    if user is not None:
        query = query.where(
            or_(
                AuditEvent.actor_id == user.id,
                AuditEvent.subject_id == user.id,
                AuditEvent.acted_for_id == user.id,
            )
        )
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                AuditEvent.email.ilike(pattern),
                AuditEvent.ip.ilike(pattern),
                AuditEvent.summary.ilike(pattern),
            )
        )
    return query


def purge_expired(days: int, *, now: datetime | None = None) -> int:
    """Delete account audit events older than ``days`` days (the retention purge).

    The only path that deletes audit rows. On PostgreSQL the append-only trigger lets the DELETE
    through only because this transaction sets ``plneni.audit_retention_days`` (``SET LOCAL``,
    gone at commit) and only for rows older than that; the caller commits.

    :param days: retention in days (``AUDIT_RETENTION_DAYS``); ``0`` or less keeps everything.
    :param now: the current UTC time (tests); default :func:`workflow.db.utcnow`.
    :returns: the number of rows deleted.
    """
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    if db.session.get_bind().dialect.name == "postgresql":
        # SET LOCAL takes no bind parameters; ``days`` is an int, so this is not injectable.
        db.session.execute(text(f"SET LOCAL plneni.audit_retention_days = '{int(days)}'"))
    result = db.session.execute(
        delete(AuditEvent).where(AuditEvent.at < cutoff).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
