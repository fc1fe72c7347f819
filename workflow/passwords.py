"""Password hashing with Argon2id (argon2-cffi) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

#: argon2-cffi's defaults (RFC 9106 low-memory profile: 3 passes over 64 MiB, about 100 ms): what
#: every real installation hashes with.
_hasher = PasswordHasher()
#: Used only when the application runs with ``TESTING`` (``PLNENI_ENV=testing``): one pass over
#: 8 MiB (about 5 ms), so the test suite's thousands of users do not cost minutes. Verification reads
#: the parameters from the stored hash, so either kind of hash verifies anywhere.
_testing_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def _current_hasher() -> PasswordHasher:
    """The testing hasher inside an application with ``TESTING`` set, else the production one."""
    if has_app_context() and current_app.config.get("TESTING"):
        return _testing_hasher
    return _hasher

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """Return the Argon2id hash (PHC string) of ``password`` (cheap parameters only under ``TESTING``)."""
    return _current_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches ``password_hash``; False for a wrong password or no hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
