"""Czech text helpers: sorting by Czech collation and a diacritics- and case-insensitive search key.

Czech alphabetical order is not code-point order: ``Č`` comes right after ``C`` (not after ``Z``),
``Ch`` is a letter of its own between ``H`` and ``I``, and ``Ř``, ``Š``, ``Ž`` follow ``R``, ``S``,
``Z``; the other accents (``á``, ``é``, ``ů`` …) only break ties. :func:`czech_sort_key` uses ICU's
Czech collator (PyICU) for this; when PyICU is not installed it falls back to a small
implementation of the same primary rules (see :func:`_fallback_key`).

:func:`fold` is for matching what a user types against what a plan says: ``"kulk"`` finds
``"KÚ LK"`` and ``"osv"`` finds ``"OSV"``.

:func:`in_czech` renders a lazy UI string in Czech for the region's Czech documents (the report
and its statistics).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import Any

from flask import current_app, has_app_context, has_request_context
from flask_babel import force_locale

try:  # PyICU needs the system's libicu; see the README.
    import icu as _icu
except ImportError:  # pragma: no cover - exercised only on machines without PyICU
    _icu = None

_local = threading.local()


def fold(text: str | None) -> str:
    """Return the search key of ``text``: no diacritics, case-folded, without any whitespace.

    :param text: any text, or ``None`` (treated as ``""``).
    :returns: e.g. ``"KÚ LK / OŠMTS"`` → ``"kulk/osmts"``, ``"Průběžně"`` → ``"prubezne"``.
        Whitespace is removed entirely so that spellings with and without spaces (``KÚLK``,
        ``KÚ LK``) meet; compare keys with ``in`` (see :func:`matches`).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    if not decomposed.isascii():
        marks = frozenset(ch for ch in set(decomposed) if unicodedata.combining(ch))
        if marks:
            decomposed = _remover(marks).sub("", decomposed)
    # str.split() splits on the characters re's \s matches (str.isspace)
    return "".join(decomposed.casefold().split())


@lru_cache(maxsize=256)
def _remover(marks: frozenset[str]) -> re.Pattern[str]:
    """A pattern of the combining marks ``marks`` (a text has few distinct ones): removing them
    with it is faster than testing every character of the text (:func:`fold`, in the searches)."""
    return re.compile("[" + "".join(re.escape(m) for m in sorted(marks)) + "]")


def matches(query: str | None, texts: Iterable[str | None]) -> bool:
    """True if the folded ``query`` occurs in the folded text of any of ``texts``.

    An empty query (or one of whitespace only) matches everything.
    """
    needle = fold(query)
    if not needle:
        return True
    return any(needle in fold(text) for text in texts if text)


def _collator() -> Any:
    # ICU collators must not be shared between threads; keep one per thread.
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _icu.Collator.createInstance(_icu.Locale("cs_CZ"))
        _local.collator = collator
    return collator


def czech_sort_key(text: str | None) -> bytes | tuple[Any, ...]:
    """Return a key that sorts strings in Czech alphabetical order.

    :param text: the string (``None`` sorts as ``""``).
    :returns: ICU's collation key (``bytes``) for the ``cs_CZ`` locale; without PyICU a tuple key
        from :func:`_fallback_key`. Keys of one process are all of one type, so they compare.
        Example: ``sorted(["Chrast", "Hrad", "Čáp", "Cesta"], key=czech_sort_key)`` →
        ``["Cesta", "Čáp", "Hrad", "Chrast"]``.
    """
    if _icu is None:  # pragma: no cover
        return _fallback_key(text or "")
    return bytes(_collator().getSortKey(text or ""))


# Primary letters of the Czech alphabet that are not plain ASCII letters, and where they go.
_CZECH_PRIMARY = {"č": "c\x7f", "ř": "r\x7f", "š": "s\x7f", "ž": "z\x7f"}


def _fallback_key(text: str) -> tuple[Any, ...]:
    """A pure-Python Czech key (used only without PyICU).

    Primary level: letters with ``č ř š ž`` after their base letter and ``ch`` after ``h``;
    other diacritics and case are ignored at that level. Ties are broken by the accent-stripped
    text and then by the text itself, so the order is total.
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    primary: list[str] = []
    i = 0
    while i < len(folded):
        ch = folded[i]
        if folded.startswith("ch", i):
            primary.append("h\x7f")
            i += 2
            continue
        if ch in _CZECH_PRIMARY:
            primary.append(_CZECH_PRIMARY[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            primary.append(base)
        i += 1
    return ("".join(primary), fold(text), text)


#: Control characters no text of the product keeps: C0 except tab, line feed and carriage return,
#: DEL, and the C1 block. (PostgreSQL refuses NUL in text outright; the others are invisible junk
#: from copy and paste that would also break XML-based exports such as DOCX and XLSX.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(text: str | None) -> str | None:
    """Remove control characters (see :data:`_CONTROL`) from ``text``; tab and line ends stay.

    :param text: any text, or ``None`` (returned unchanged).
    :returns: e.g. ``"a\\x00b\\x1bc\\n"`` → ``"abc\\n"``; letters, emoji, right-to-left text and
        combining marks are never touched.
    """
    if not text:
        return text
    return _CONTROL.sub("", text)


@contextmanager
def czech_locale() -> Iterator[None]:
    """Translate into Czech inside the ``with`` block, whatever the user's language and also
    outside a request (Celery: a throw-away request context carries the locale). Outside an app
    context there is no catalogue and gettext returns its (Czech) source string anyway."""
    if not has_app_context():
        yield
        return
    ctx = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with ctx, force_locale("cs"):
        yield


def in_czech(value: Any) -> str:
    """``str(value)`` of a lazy UI string in Czech, whatever the user's language and also outside a
    request (Celery): the report is the region's Czech document (see :func:`czech_locale`)."""
    with czech_locale():
        return str(value)
