"""Accounts: the password policy (length, common passwords, not the e-mail) and setting a password."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from workflow.accounts.common import WeakPassword, _fold
from workflow.accounts.users import end_all_sessions
from workflow.audit import AuditKind, record
from workflow.db import db
from workflow.models import User
from workflow.passwords import MIN_PASSWORD_LENGTH, MIN_STRENGTH_SCORE, hash_password, password_strength

COMMON_PASSWORDS_FILE = Path(__file__).parent.parent / "common_passwords.txt"
CZECH_WORDS_FILE = Path(__file__).parent.parent / "passwords_cs.txt"


# --------------------------------------------------------------------------------------------
# Passwords


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The refused passwords (lower-case): the breached ones of :data:`COMMON_PASSWORDS_FILE` and
    the Czech words of :data:`CZECH_WORDS_FILE` (which the strength estimator also knows)."""
    lines = [*COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines(),
             *CZECH_WORDS_FILE.read_text(encoding="utf-8").splitlines()]
    words = {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(words | {_fold(w) for w in words})


_STRIP = string.digits + string.punctuation + string.whitespace


def is_common_password(password: str) -> bool:
    """True for a listed password, one that is only digits/punctuation around a listed word
    (``"Heslo123456"``, ``"liberec2025!"``), or one made of at most two distinct characters."""
    lowered = password.strip().lower()
    if len(set(lowered)) <= 2:
        return True
    words = common_passwords()
    for candidate in (lowered, _fold(lowered)):
        core = candidate.strip(_STRIP)
        if candidate in words or not core or core in words:
            return True
    return False


def check_password_policy(password: str, *, user: User | None = None) -> list[str]:
    """Czech reasons why ``password`` is refused; an empty list means it is acceptable.

    Policy: at least :data:`~workflow.passwords.MIN_PASSWORD_LENGTH` (12) characters, not a
    breached password or a Czech word with digits around it (:func:`is_common_password`), a zxcvbn
    score of at least :data:`~workflow.passwords.MIN_STRENGTH_SCORE` with Czech and English words
    and the Czech keyboard (:func:`~workflow.passwords.password_strength`; keyboard rows such as
    ``asdfghjklů§!`` fail it), not the user's e-mail address or its local part.
    """
    problems = []
    user_words = []
    if user is not None and user.email:
        user_words = [user.email, user.email.split("@")[0], *(user.name or "").split()]
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Heslo musí mít alespoň %(n)s znaků.", n=MIN_PASSWORD_LENGTH))
    elif is_common_password(password) or password_strength(password, user_words) < MIN_STRENGTH_SCORE:
        problems.append(
            _("Toto heslo je příliš běžné a snadno uhodnutelné. Zvolte jiné, třeba několik slov.")
        )
    if user is not None and user.email:
        local = user.email.split("@")[0].lower()
        if password.lower() in (user.email.lower(), local) or (
            len(local) >= 4 and password.lower().strip(_STRIP) == local
        ):
            problems.append(_("Heslo nesmí být vaše e-mailová adresa."))
    return problems


def set_password(
    user: User, password: str, *, actor: User | None, kind: AuditKind = AuditKind.password_changed,
    ip: str = "",
) -> None:
    """Hash and store a new password (Argon2id) after checking the policy.

    Storing a new hash also invalidates every invitation and reset link issued before.

    :param kind: what to log: ``password_changed``, ``password_reset`` or ``invitation_accepted``.
    :raises WeakPassword: the password breaks the policy (message lists every reason).
    """
    problems = check_password_policy(password, user=user)
    if problems:
        raise WeakPassword(" ".join(problems))
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record(kind, actor=actor, subject=user, ip=ip)
    db.session.flush()
