"""Password hashing with Argon2id (argon2-cffi) and the password policy."""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

#: A hash of a random password nobody knows, verified when there is no real hash to check (an
#: unknown address, an account without a password), so that a failed sign-in costs the same
#: Argon2 verification whether or not the account exists (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """Return the Argon2id hash (PHC string) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches ``password_hash``; False for a wrong password or no hash.

    Without a hash (``None``: unknown address or no password set) a dummy hash is verified and
    ``False`` returned, so every call costs one Argon2 verification.
    """
    if not password_hash:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
