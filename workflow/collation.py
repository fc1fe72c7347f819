"""Czech alphabetical order in SQL: the one helper every ``ORDER BY`` of a name, title or
abbreviation uses.

Python-side sorting uses :func:`workflow.text.czech_sort_key` (ICU's Czech collator). A query that
sorts in the database must give the same order, or a list changes order when it is paginated or
filtered in SQL: plain ``ORDER BY name`` puts „Čáslav“ after „Zlín“ on PostgreSQL (code-point order
under the ``C`` locale) and on SQLite (``BINARY``).

Both databases are given one collation under one name, :data:`CZECH`:

- PostgreSQL: ICU's predefined ``"cs-CZ-x-icu"`` (every PostgreSQL built with ICU imports it into
  each database; migration ``c5000001`` creates it where it is missing and fails loudly on a server
  without ICU, rather than sorting wrongly).
- SQLite: :func:`install` registers a collation of the same name on every new connection of an
  engine; it compares with the same PyICU collator as :func:`workflow.text.czech_sort_key`.

Usage::

    select(Body).order_by(czech(Body.abbreviation), czech(Body.name))
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from workflow.text import czech_sort_key

#: The collation's name on both databases (PostgreSQL's ICU collation for Czech in Czechia).
CZECH = "cs-CZ-x-icu"


def czech(column: Any) -> ColumnElement[Any]:
    """``column COLLATE "cs-CZ-x-icu"``: the expression to sort a text column in Czech order.

    :param column: a text column or SQL expression (e.g. ``Body.abbreviation``).
    :returns: the collated expression, for ``order_by`` (``.desc()`` works on it too). Case and
        accents other than ``č ř š ž`` only break ties, ``Ch`` sorts after ``H``: the order of
        :func:`workflow.text.czech_sort_key`.
    """
    return column.collate(CZECH)


def _compare(left: str, right: str) -> int:
    """SQLite collation callback: negative, zero or positive as ``left`` sorts before, with or
    after ``right`` in Czech order."""
    a, b = czech_sort_key(left), czech_sort_key(right)
    return (a > b) - (a < b)


def _register(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.create_collation(CZECH, _compare)


def install(engine: Engine) -> None:
    """Make :data:`CZECH` available on every connection ``engine`` opens from now on.

    Only SQLite needs it (PostgreSQL has the collation in the database); on other dialects this
    does nothing. Call it right after creating the engine, before its first connection.

    :param engine: the SQLAlchemy engine (``db.engine`` of the application).
    """
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _register):
        event.listen(engine, "connect", _register)
