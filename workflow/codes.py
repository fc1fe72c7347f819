"""Activity codes of the action plan ("Číslo" column): clean-up and natural ordering.

Codes are a letter prefix (the area, "okruh") followed by dotted numbers, e.g. ``A1.10`` =
area A, goal 1, activity 10. The source prints one code as ``A.2.4`` and stores it as ``A2.4``
(seed 002, data/README.md), so codes go through :func:`normalize_code` before being compared or
stored, and are sorted with :func:`natural_key` so that ``A1.2 < A1.10``.
"""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")
_SPACE_AROUND_DOT = re.compile(r"\s*\.\s*")
_LEADING_LETTERS = re.compile(r"^([^\W\d_]+) ?\.?(?=\d)")
_RUNS = re.compile(r"\d+|\D+")


def normalize_code(raw: str) -> str:
    """Return the canonical spelling of an activity code.

    :param raw: the code as written, e.g. ``" a.2.4 "``.
    :returns: the code stripped, with whitespace runs collapsed to one space and removed around
        dots, the leading letters upper-cased and a space or dot right after them dropped when a
        digit follows: ``"A.2.4" -> "A2.4"``, ``"a1.2" -> "A1.2"``, ``"A 1. 10" -> "A1.10"``.
        A code that does not start with letters and a digit is only cleaned of whitespace.
    :raises ValueError: ``raw`` is empty or only whitespace.
    """
    code = _SPACE_AROUND_DOT.sub(".", _WHITESPACE.sub(" ", raw or "").strip())
    if not code:
        raise ValueError("activity code is empty")
    return _LEADING_LETTERS.sub(lambda m: m.group(1).upper(), code, count=1)


def natural_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Return a sort key that orders codes naturally: ``A1.2 < A1.10 < A2.1 < B1.1``.

    :param code: an activity code, preferably already passed through :func:`normalize_code`
        (``natural_key`` does not rewrite ``A.2.4``).
    :returns: a tuple of ``(0, int)`` for each digit run and ``(1, casefolded text)`` for each
        other run, so digit runs compare as integers and letters case-insensitively; the tags keep
        ints and strings from ever being compared with each other.
    """
    return tuple((0, int(run)) if run.isdecimal() else (1, run.casefold()) for run in _RUNS.findall(code))
