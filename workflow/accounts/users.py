"""Accounts: users — e-mail addresses, creating, updating, (de)activating, body membership."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow.accounts.common import AccountError
from workflow.accounts.roles import add_role
from workflow.audit import AuditKind, record
from workflow.db import db, utcnow
from workflow.models import Body, User
from workflow.states import Role

# --------------------------------------------------------------------------------------------
# E-mail addresses and users


def normalize_email(email: str) -> str:
    """Return ``email`` checked for syntax and lower-cased (no DNS lookup).

    :raises AccountError: not a valid e-mail address.
    """
    try:
        info = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(
            _("„%(email)s“ není platná e-mailová adresa.", email=(email or "").strip())
        ) from exc
    return info.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or ``None``."""
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def create_user(
    email: str,
    name: str,
    *,
    actor: User | None,
    locale: str = "cs",
    roles: Iterable[Role] = (),
    bodies: Iterable[Body] = (),
    ip: str = "",
) -> User:
    """Create an active user without a password (they set one through an invitation link).

    :param actor: the administrator (``None`` on the command line).
    :raises AccountError: bad or already registered e-mail, unknown locale.
    """
    address = normalize_email(email)
    if find_user_by_email(address) is not None:
        raise AccountError(_("Uživatel s e-mailem %(email)s už existuje.", email=address))
    if locale not in ("cs", "en"):
        raise AccountError(_("Jazyk musí být čeština (cs) nebo angličtina (en)."))
    user = User(email=address, name=name.strip() or address.split("@")[0], locale=locale, active=True)
    db.session.add(user)
    db.session.flush()
    record(AuditKind.user_created, actor=actor, subject=user, ip=ip, summary=user.name)
    for role in roles:
        add_role(user, role, actor=actor, ip=ip)
    set_bodies(user, list(bodies), actor=actor, ip=ip)
    return user


def update_user(user: User, *, name: str, locale: str, actor: User | None, ip: str = "") -> None:
    """Change the name and the language (``"cs"``/``"en"``) of ``user``.

    :raises AccountError: unknown locale or empty name.
    """
    if locale not in ("cs", "en"):
        raise AccountError(_("Jazyk musí být čeština (cs) nebo angličtina (en)."))
    if not name.strip():
        raise AccountError(_("Jméno nesmí být prázdné."))
    changes = []
    if user.name != name.strip():
        changes.append(f"jméno: {name.strip()}")
        user.name = name.strip()
    if user.locale != locale:
        changes.append(f"jazyk: {locale}")
        user.locale = locale
    if changes:
        record(AuditKind.user_updated, actor=actor, subject=user, ip=ip, summary=", ".join(changes))
    db.session.flush()


def set_active(user: User, active: bool, *, actor: User | None, ip: str = "") -> None:
    """Deactivate or reactivate ``user``; a deactivated user is refused on the very next request.

    :raises AccountError: an administrator deactivating their own account.
    """
    if user.active == active:
        return
    if not active and actor is not None and actor.id == user.id:
        raise AccountError(_("Svůj vlastní účet deaktivovat nemůžete."))
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        end_all_sessions(user)  # reactivation must not revive the old cookies
    kind = AuditKind.user_reactivated if active else AuditKind.user_deactivated
    record(kind, actor=actor, subject=user, ip=ip)
    db.session.flush()


def set_bodies(user: User, bodies: Sequence[Body], *, actor: User | None, ip: str = "") -> None:
    """Make ``bodies`` exactly the bodies ``user`` belongs to; each change is logged."""
    wanted = {b.id: b for b in bodies}
    current = {b.id: b for b in user.bodies}
    for body_id, body in current.items():
        if body_id not in wanted:
            user.bodies.remove(body)
            record(AuditKind.body_removed, actor=actor, subject=user, body=body, ip=ip,
                   summary=body.abbreviation)
    for body_id, body in wanted.items():
        if body_id not in current:
            user.bodies.append(body)
            record(AuditKind.body_added, actor=actor, subject=user, body=body, ip=ip,
                   summary=body.abbreviation)
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """End every session and remember cookie of ``user`` from their next request on.

    Raises ``user.session_generation``, which every session and remember cookie carries
    (:meth:`User.get_id`); the web layer refuses a cookie of an older generation. The caller that
    wants to keep the current browser signed in signs it in again (``login_user``). Flushes.
    """
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()
