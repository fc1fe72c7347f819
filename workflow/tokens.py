"""API tokens: creation (secret shown once), lookup by bearer secret, revocation; all audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from workflow.audit import AuditKind, record
from workflow.db import db, utcnow
from workflow.models import ApiToken, User

TOKEN_PREFIX = "pln_"  # noqa: S105 - the public prefix of every token, not a secret

#: A token's use is written to the audit log at most once per this interval (``last_used_at`` is
#: stamped on every call); a script paging through the API would otherwise flood the log.
TOKEN_USE_AUDIT_INTERVAL = timedelta(hours=1)


#: What a token may do: ``read`` – safe methods (GET, HEAD, OPTIONS) of the JSON API; ``write`` –
#: every JSON API call. No token is accepted outside ``/api/`` (``web.views.auth``).
TOKEN_SCOPES = ("read", "write")


def create_api_token(
    user: User, name: str = "", *, actor: User | None = None, ip: str = "", scope: str = "read"
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; only its SHA-256 digest is stored.

    :param actor: who created it (the administrator; ``None`` on the command line).
    :param scope: ``"read"`` (default) or ``"write"`` (:data:`TOKEN_SCOPES`).
    :returns: the new row (flushed) and the secret to show once, e.g. ``pln_3q…``.
    :raises ValueError: an unknown scope.
    """
    if scope not in TOKEN_SCOPES:
        raise ValueError(f"unknown token scope {scope!r}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=secret[:10], token_hash=ApiToken.digest(secret),
                     scope=scope)
    db.session.add(token)
    db.session.flush()
    scope_cs = "čtení i zápis" if scope == "write" else "jen čtení"
    record(AuditKind.token_created, actor=actor, subject=user, token=token, ip=ip,
           summary=f"{token.name or 'bez názvu'} ({token.prefix}…, {scope_cs})")
    return token, secret


def user_for_bearer_token(secret: str, *, ip: str = "") -> User | None:
    """The owner of the token ``secret`` (see :func:`token_for_bearer_secret`), else ``None``."""
    token = token_for_bearer_secret(secret, ip=ip)
    return token.user if token is not None else None


def token_for_bearer_secret(secret: str, *, ip: str = "") -> ApiToken | None:
    """Return the unrevoked token ``secret`` of an active user and stamp its use, else ``None``.

    The use is recorded in the audit log (at most once per :data:`TOKEN_USE_AUDIT_INTERVAL`).
    The caller commits, and checks the scope (:data:`TOKEN_SCOPES`).
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_AUDIT_INTERVAL:
        record(AuditKind.token_used, actor=token.user, subject=token.user, token=token, ip=ip,
               summary=f"{token.name or 'bez názvu'} ({token.prefix}…)")
    token.last_used_at = now
    return token


def revoke_api_token(token: ApiToken, *, actor: User | None = None, ip: str = "") -> None:
    """Revoke ``token`` now; later requests with its secret are refused. Revoking twice is harmless."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(AuditKind.token_revoked, actor=actor, subject=token.user, token=token, ip=ip,
               summary=f"{token.name or 'bez názvu'} ({token.prefix}…)")
        db.session.flush()
