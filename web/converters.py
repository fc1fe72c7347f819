"""URL converters. ``int`` is replaced by :class:`IdConverter` for every route, so an id part of a
URL is only ever a plain number that fits the database's ``INTEGER`` column."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: Largest value of a PostgreSQL ``INTEGER`` (the primary keys); a larger id cannot exist.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` for ids: ASCII digits only (Werkzeug's default also takes other Unicode
    digits, e.g. ``１``), at most 10 of them and at most :data:`MAX_ID`. Anything else does not
    match the route, so it is a plain 404 before any view or query runs (SQLite raises
    ``OverflowError`` for integers beyond 64 bits, which would otherwise be a 500)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def query_id(value: str | None) -> int | None:
    """A query-string id (``?uzivatel=12``) as an ``int`` within ``1 … MAX_ID``, else ``None``.

    Like :class:`IdConverter` for path parts: ``"12"`` → 12; ``"abc"``, ``"-1"``, ``"１"``, ``"9" * 30`` →
    ``None`` (a filter that names no possible row is ignored, never a database error).
    """
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def query_has_nul() -> bool:
    """True when a name or value of the request's query string holds a NUL character, which no
    text column can store (PostgreSQL refuses it): the security gate answers 400."""
    from flask import request

    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.args.lists())
