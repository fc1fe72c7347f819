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
