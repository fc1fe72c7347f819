"""Password hashing with Argon2id (argon2-cffi) and the password policy."""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

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

#: A hash of a random password nobody knows, verified when there is no real hash to check (an
#: unknown address, an account without a password), so that a failed sign-in costs the same
#: Argon2 verification whether or not the account exists (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """Return the Argon2id hash (PHC string) of ``password`` (cheap parameters only under ``TESTING``)."""
    return _current_hasher().hash(password)


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


# --------------------------------------------------------------------------- strength estimation

#: The Czech QWERTZ keyboard (ISO), row by row, each key as "unshifted shifted"; the rows are
#: staggered as on a real keyboard (zxcvbn's "slanted" layout).
CZECH_QWERTZ_ROWS = (
    ";° +1 ě2 š3 č4 ř5 ž6 ý7 á8 í9 é0 =% ´ˇ",
    "qQ wW eE rR tT zZ uU iI oO pP ú/ )( ¨'",
    "aA sS dD fF gG hH jJ kK lL ů\" §! \\|",
    "\\| yY xX cC vV bB nN mM ,? .: -_",
)
#: Row offsets in key widths, in zxcvbn's slanted coordinates (the ISO key left of Y starts row 4).
_ROW_OFFSETS = (0, 1, 1, 0)

#: The least zxcvbn score (0–4) a password must reach: 3 is "safely unguessable" (about 10⁸
#: guesses), i.e. well beyond an online attack even without the sign-in throttling.
MIN_STRENGTH_SCORE = 3
#: zxcvbn refuses longer input; beyond this length only the beginning is estimated (a 72-character
#: password is not weak because of its tail).
_ZXCVBN_MAX_LENGTH = 72


def _slanted_graph(rows: tuple[str, ...], offsets: tuple[int, ...]) -> dict[str, list[str | None]]:
    """A zxcvbn adjacency graph: every character → its six neighbouring keys (or ``None``), in
    zxcvbn's order left, upper-left, upper-right, right, lower-right, lower-left."""
    positions: dict[tuple[int, int], str] = {}
    for y, (row, offset) in enumerate(zip(rows, offsets, strict=True)):
        for x, key in enumerate(row.split(), start=offset):
            positions[(x, y)] = key
    graph: dict[str, list[str | None]] = {}
    for (x, y), key in positions.items():
        around = [(x - 1, y), (x, y - 1), (x + 1, y - 1), (x + 1, y), (x, y + 1), (x - 1, y + 1)]
        for char in key:
            graph.setdefault(char, [positions.get(c) for c in around])
    return graph


@lru_cache(maxsize=1)
def _estimator() -> Any:
    """zxcvbn with the Czech word list (:file:`workflow/passwords_cs.txt`) and the Czech keyboard
    added to its own English lists (Wikipedia, film and TV, names, common passwords)."""
    from zxcvbn import matching, zxcvbn

    words = [
        line.strip().lower()
        for line in (Path(__file__).with_name("passwords_cs.txt")).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    matching.add_frequency_lists({"czech": words})
    matching.GRAPHS["qwertz_cs"] = _slanted_graph(CZECH_QWERTZ_ROWS, _ROW_OFFSETS)
    return zxcvbn


def _without_diacritics(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def password_strength(password: str, user_inputs: Iterable[str] = ()) -> int:
    """The zxcvbn score of ``password`` from 0 (guessed at once) to 4 (very hard to guess).

    Czech and English words, keyboard walks on the Czech and US keyboards, dates, repeats,
    sequences and ``user_inputs`` (the user's name and address) are what it knows. The password
    is also estimated without diacritics (``heslíčko`` is as weak as ``heslicko``); the lower
    score counts.

    :param password: the candidate password (only its first 72 characters are estimated).
    :param user_inputs: words about the user that an attacker would try first.
    """
    estimate = _estimator()
    words = [w for given in user_inputs if given for w in (given, *re.split(r"[\W_]+", given)) if w]
    inputs = sorted({form for w in words for form in (w, _without_diacritics(w))})
    candidates = {password[:_ZXCVBN_MAX_LENGTH], _without_diacritics(password)[:_ZXCVBN_MAX_LENGTH]}
    return min(int(estimate(candidate, user_inputs=inputs)["score"]) for candidate in candidates)
