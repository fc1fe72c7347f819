"""API tokens: creation (secret shown once), lookup by bearer secret, revocation."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from workflow.db import db, utcnow
from workflow.models import ApiToken, User

TOKEN_PREFIX = "pln_"


def create_api_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user``; only its digest is stored.

    :returns: the new row (flushed) and the secret to show once, e.g. ``pln_3q…``.
    """
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:10], token_hash=ApiToken.digest(secret))
    db.session.add(token)
    db.session.flush()
    return token, secret


def user_for_bearer_token(secret: str) -> User | None:
    """Return the active user owning the unrevoked token ``secret`` and stamp its use, else ``None``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user


def revoke_api_token(token: ApiToken) -> None:
    """Revoke ``token`` now; later requests with its secret are refused."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
