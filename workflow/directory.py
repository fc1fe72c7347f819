"""Sign-in with the office's directory (LDAP / Active Directory; issue 18).

The region's own staff sign in with their directory password; outside bodies keep invited local
accounts. An account is either ``directory`` or ``local`` (:attr:`User.auth_source`, shown in the
administration):

* a **local** account with a password is checked against its own password and the directory is
  never asked about it;
* otherwise (a directory account, an invited account that never set a password, or an unknown
  address) the directory decides: the user is looked up with :attr:`DirectoryConfig.user_filter`
  (a service account or an anonymous search), then the product **binds as that user** with the
  typed password, always over LDAPS or StartTLS with the server's certificate checked;
* a successful directory sign-in creates the account on first use and, on every sign-in, sets
  its name, e-mail, roles and bodies from the directory groups through
  :attr:`DirectoryConfig.group_roles` (the mapping table). A user removed from a group loses the
  role at the next sign-in; one in no mapped group is refused and keeps no role;
* the directory unreachable → :class:`DirectoryUnavailable` with a clear Czech message; local
  accounts keep working.

A directory account disabled in the directory is refused because the user filter does not find
it (Active Directory: ``(!(userAccountControl:1.2.840.113556.1.4.803:=2))`` in the filter) or
because the directory refuses the bind. Every change of roles and bodies is written to the
account audit log by :mod:`workflow.accounts`. The sign-in view applies its throttling and audit
rules to directory sign-ins as to local ones.

Library: ldap3 (pure Python, RFC 4510).
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from ldap3 import NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from workflow.accounts import add_role, find_user_by_email, normalize_email, remove_role, set_bodies
from workflow.audit import AuditKind, record
from workflow.db import db
from workflow.errors import DomainError
from workflow.models import Body, User
from workflow.passwords import verify_password
from workflow.states import Role

log = logging.getLogger(__name__)

LOCAL = "local"
DIRECTORY = "directory"


@dataclass(frozen=True)
class GroupRole:
    """One row of the mapping table: members of directory group ``group`` (its DN) get ``role``,
    and – for a contributor or head – membership of body ``body`` (abbreviation); for a reviewer
    ``body`` narrows the review scope to that body."""

    group: str
    role: Role
    body: str | None = None


@dataclass(frozen=True)
class DirectoryConfig:
    """How to reach the directory (``LDAP_*`` settings; see the README)."""

    url: str
    base_dn: str
    user_filter: str = "(&(objectClass=person)(mail={login}))"
    group_filter: str = "(|(member={dn})(uniqueMember={dn}))"
    group_base_dn: str = ""
    bind_dn: str = ""
    bind_password: str = ""
    start_tls: bool = False
    ca_file: str = ""
    timeout: float = 5.0
    group_roles: tuple[GroupRole, ...] = field(default_factory=tuple)

    @property
    def uses_tls(self) -> bool:
        """True when the connection is encrypted (``ldaps://`` or StartTLS)."""
        return self.url.lower().startswith("ldaps://") or self.start_tls


@dataclass
class DirectoryIdentity:
    """A user the directory authenticated: DN, e-mail, display name and group DNs (normalised)."""

    dn: str
    email: str
    name: str
    groups: set[str]


class DirectoryUnavailable(DomainError):
    """The directory could not be reached or refused the connection (status 503)."""

    status = 503
    code = "directory-unavailable"


class DirectoryRefused(DomainError):
    """The directory authenticated the user but the product refuses the sign-in (no mapped group)."""

    status = 403
    code = "directory-refused"

    def __init__(self, message: Any, *, user: User | None, summary: str) -> None:
        super().__init__(message)
        self.user = user
        self.summary = summary


def normalize_dn(dn: str) -> str:
    """A DN compared case-insensitively and without blanks around separators."""
    parts = [p.strip() for p in dn.split(",")]
    return ",".join("=".join(s.strip() for s in p.split("=", 1)) for p in parts).lower()


def _server(config: DirectoryConfig) -> Server:
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file or None)
    return Server(
        config.url,
        use_ssl=config.url.lower().startswith("ldaps://"),
        tls=tls,
        connect_timeout=max(1, round(config.timeout)),  # ldap3 wants whole seconds
        get_info=NONE,
    )


def _connect(server: Server, config: DirectoryConfig, user: str | None, password: str | None) -> Connection:
    """An open, encrypted connection (not yet bound).

    :raises DirectoryUnavailable: the server cannot be reached or TLS fails.
    """
    if not config.uses_tls:
        raise DirectoryUnavailable(
            _l("Přihlášení přes adresář není bezpečně nastaveno (chybí LDAPS nebo StartTLS).")
        )
    connection = Connection(
        server,
        user=user,
        password=password,
        receive_timeout=max(1, round(config.timeout)),
        raise_exceptions=False,
        auto_referrals=False,
    )
    try:
        connection.open()
        if config.start_tls and not server.ssl:
            connection.start_tls()
    except LDAPException as exc:
        log.warning("directory %s unreachable: %s", config.url, exc.__class__.__name__)
        _close(connection)
        raise DirectoryUnavailable(
            _l(
                "Adresář úřadu je teď nedostupný, přihlášení účtem z adresáře nejde. Zkuste to prosím "
                "za chvíli; místní účty fungují dál."
            )
        ) from exc
    return connection


def _close(connection: Connection) -> None:
    """Close the socket of a connection that failed half-way (ldap3 leaves it open)."""
    sock = getattr(connection, "socket", None)
    with contextlib.suppress(LDAPException):
        connection.unbind()
    if sock is not None:
        sock.close()


def lookup(config: DirectoryConfig, login: str, password: str) -> DirectoryIdentity | None:
    """Authenticate ``login`` (the e-mail typed) with ``password`` by binding as the user.

    :returns: the identity, or ``None`` for an unknown or disabled user and a wrong password
        (never said which, as for local accounts). An empty password is refused here: LDAP would
        treat it as an anonymous bind that "succeeds".
    :raises DirectoryUnavailable: the directory is unreachable or refuses the service account.
    """
    if not password:
        return None
    server = _server(config)
    service = _connect(server, config, config.bind_dn or None, config.bind_password or None)
    try:
        if not service.bind():
            log.warning(
                "directory %s refused the service bind: %s", config.url, service.result.get("description")
            )
            raise DirectoryUnavailable(
                _l(
                    "Adresář úřadu odmítl vyhledání uživatele; obraťte se prosím na správce. "
                    "Místní účty fungují dál."
                )
            )
        search = config.user_filter.replace("{login}", escape_filter_chars(login))
        service.search(
            config.base_dn, search, SUBTREE, attributes=["mail", "displayName", "cn"], size_limit=2
        )
        found = [e for e in service.response or [] if e.get("type") == "searchResEntry"]
        if len(found) != 1:
            return None
        entry = found[0]
        dn = entry["dn"]
        user_connection = _connect(server, config, dn, password)
        try:
            if not user_connection.bind():
                return None
        finally:
            user_connection.unbind()
        attributes = entry.get("attributes", {})
        mails = attributes.get("mail") or []
        names = attributes.get("displayName") or attributes.get("cn") or []
        group_search = config.group_filter.replace("{dn}", escape_filter_chars(dn))
        service.search(config.group_base_dn or config.base_dn, group_search, SUBTREE, attributes=[])
        groups = {normalize_dn(e["dn"]) for e in service.response or [] if e.get("type") == "searchResEntry"}
        email = (mails[0] if isinstance(mails, list) and mails else mails or login) or login
        name = names[0] if isinstance(names, list) and names else str(names or "")
        return DirectoryIdentity(dn=dn, email=normalize_email(str(email)), name=str(name), groups=groups)
    except LDAPException as exc:
        log.warning("directory %s failed: %s", config.url, exc.__class__.__name__)
        raise DirectoryUnavailable(
            _l(
                "Adresář úřadu je teď nedostupný, přihlášení účtem z adresáře nejde. Zkuste to prosím "
                "za chvíli; místní účty fungují dál."
            )
        ) from exc
    finally:
        service.unbind()


def wanted_roles(config: DirectoryConfig, groups: set[str]) -> list[GroupRole]:
    """The rows of the mapping table that apply to a member of ``groups``."""
    return [row for row in config.group_roles if normalize_dn(row.group) in groups]


def _body(abbreviation: str) -> Body | None:
    return db.session.query(Body).filter(Body.abbreviation == abbreviation).one_or_none()


def sync_account(
    config: DirectoryConfig, identity: DirectoryIdentity, user: User | None, *, ip: str = ""
) -> User:
    """Create or update the directory account of ``identity``: name, e-mail, roles, bodies.

    Roles and bodies become exactly those the mapping table gives for the user's groups (each
    change audited, actor: nobody – the directory). A manually given reviewer scope on an
    unmapped role is removed too: for directory accounts the directory is the one source.

    :raises DirectoryRefused: no mapped group (an existing account loses all its roles first).
    """
    rows = wanted_roles(config, identity.groups)
    if user is None:
        user = find_user_by_email(identity.email)
    if user is None and not rows:
        raise DirectoryRefused(
            _l(
                "Váš účet v adresáři nemá přístup do aplikace Plnění (nejste v žádné její skupině). "
                "Obraťte se prosím na správce."
            ),
            user=None,
            summary="adresář: žádná skupina",
        )
    if user is not None and user.auth_source != DIRECTORY and user.password_hash is not None:
        raise DirectoryRefused(  # a local account keeps its own password; never taken over
            _l("Pro tuto adresu existuje místní účet s heslem; přihlaste se jím."),
            user=user,
            summary="adresář: adresa patří místnímu účtu",
        )
    if user is None:
        user = User(
            email=identity.email,
            name=identity.name or identity.email.split("@")[0],
            locale="cs",
            active=True,
            auth_source=DIRECTORY,
        )
        db.session.add(user)
        db.session.flush()
        record(AuditKind.user_created, subject=user, ip=ip, summary=f"{user.name} (z adresáře)")
    user.auth_source = DIRECTORY
    user.password_hash = None  # the directory password is the only one
    changes = []
    if identity.name and user.name != identity.name:
        changes.append(f"jméno: {user.name} → {identity.name}")
        user.name = identity.name
    if identity.email != user.email and find_user_by_email(identity.email) is None:
        changes.append(f"e-mail: {user.email} → {identity.email}")
        user.email = identity.email
    if changes:
        record(AuditKind.user_updated, subject=user, ip=ip, summary="z adresáře: " + "; ".join(changes))

    wanted: dict[tuple[str, int | None], GroupRole] = {}
    bodies: dict[int, Body] = {}
    for row in rows:
        body = _body(row.body) if row.body else None
        if row.body and body is None:
            log.warning("directory mapping names an unknown body %r", row.body)
            continue
        if row.role == Role.reviewer:
            wanted[(str(row.role), body.id if body else None)] = row
        else:
            wanted[(str(row.role), None)] = row
            if body is not None and row.role in (Role.contributor, Role.head):
                bodies[body.id] = body
    for assignment in list(user.role_assignments):
        key = (assignment.role, assignment.body_id if assignment.role == Role.reviewer else None)
        if key not in wanted or assignment.plan_id is not None or assignment.node_id is not None:
            remove_role(assignment, actor=None, ip=ip)
    for (role, body_id), _row in wanted.items():
        add_role(user, Role(role), actor=None, body=db.session.get(Body, body_id) if body_id else None, ip=ip)
    set_bodies(user, list(bodies.values()), actor=None, ip=ip)
    db.session.flush()
    if not rows:
        raise DirectoryRefused(
            _l(
                "Váš účet v adresáři nemá přístup do aplikace Plnění (nejste v žádné její skupině). "
                "Obraťte se prosím na správce."
            ),
            user=user,
            summary="adresář: žádná skupina, role odebrány",
        )
    return user


def check_credentials(
    config: DirectoryConfig | None, email: str, password: str, *, ip: str = ""
) -> tuple[User | None, bool]:
    """Who signs in with ``email`` and ``password``: ``(user, password_ok)`` for the sign-in view.

    Without ``config`` (no directory configured) and for local accounts with a password, the
    local password decides. Otherwise the directory does (see the module docstring); a
    successful directory sign-in has synchronised the account (flushed, not committed).

    :raises DirectoryUnavailable: the directory is unreachable (local accounts are unaffected).
    :raises DirectoryRefused: authenticated by the directory but in no mapped group.
    """
    user = find_user_by_email(email)
    local = user is not None and (user.auth_source != DIRECTORY) and user.password_hash is not None
    if config is None or local:
        # Always one Argon2 verification (a dummy hash for an unknown address or a directory
        # account), so the answer's timing does not tell whether the address has an account.
        if user is not None and user.auth_source == DIRECTORY:
            verify_password(None, password)
            return user, False  # a directory account while the directory is switched off
        password_ok = verify_password(user.password_hash if user is not None else None, password)
        return user, user is not None and password_ok
    identity = lookup(config, email, password)
    if identity is None:
        return user, False
    return sync_account(config, identity, user, ip=ip), True
