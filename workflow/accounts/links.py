"""Accounts: single-use signed links (invitation, password reset)."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workflow.accounts.common import LinkError
from workflow.db import db
from workflow.models import User

# --------------------------------------------------------------------------------------------
# Single-use signed links (invitation, password reset)

LINK_PURPOSES = ("invitation", "password-reset")


def _fingerprint(user: User) -> str:
    """Changes whenever the password is set or the user signs in: a used link no longer matches."""
    seed = f"{user.password_hash or ''}|{user.last_login_at.isoformat() if user.last_login_at else ''}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    assert purpose in LINK_PURPOSES, purpose
    return URLSafeTimedSerializer(secret_key, salt=f"plneni-{purpose}")


def make_link_token(user: User, purpose: str, secret_key: str) -> str:
    """A signed, timestamped token for ``user`` and ``purpose`` (``"invitation"``/``"password-reset"``).

    The token binds the user's id and a fingerprint of their password hash and last sign-in, so it
    stops working once used (a password is set) or once the user signs in in another way.
    """
    return _serializer(secret_key, purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_link_token(token: str, purpose: str, secret_key: str, max_age_seconds: int) -> User:
    """The user a link token was issued to, if it is still usable.

    :raises LinkError: ``reason="invalid"`` (tampered, wrong purpose, unknown or deactivated user),
        ``"expired"`` (older than ``max_age_seconds``) or ``"used"`` (the password was set or the
        user signed in since the link was issued).
    """
    serializer = _serializer(secret_key, purpose)
    try:
        data = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise LinkError("expired", _("Platnost odkazu vypršela.")) from exc
    except BadSignature as exc:
        raise LinkError("invalid", _("Odkaz je neplatný nebo neúplný.")) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise LinkError("invalid", _("Odkaz je neplatný nebo neúplný."))
    if data.get("f") != _fingerprint(user):
        raise LinkError("used", _("Tento odkaz už byl použit."))
    return user
