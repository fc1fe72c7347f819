"""The SQLAlchemy handle shared by the domain and the web layer.

``db`` is Flask-SQLAlchemy's extension object built on a typed :class:`Base`. A fixed naming
convention keeps constraint names stable across PostgreSQL and SQLite, so Alembic migrations stay
reproducible (the practice of indico's ``core/db/sqlalchemy/core.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Dialect, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model; its metadata carries :data:`NAMING_CONVENTION`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (what every ``*_at`` column stores)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that stores UTC and always returns aware UTC datetimes, also on SQLite.

    :raises ValueError: on binding a naive datetime (every timestamp must say it is UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def unit_of_work(*, dry_run: bool = False) -> Iterator[scoped_session[Session]]:
    """One transaction around a CLI command or a Celery task: commit once on success, roll back
    on any exception (which is re-raised), so a failing command or task writes nothing.

    Web requests follow the same rule through :mod:`web.uow` (commit after the view, roll back on
    an exception or an error response).

    :param dry_run: roll back instead of committing when the block ends (a preview such as
        ``flask import-plan --dry-run``: the same work is done, nothing is kept).
    :returns: the session to work in (``db.session``).
    :raises Exception: whatever the block raised, after the rollback; also what the commit raised
        (e.g. :class:`sqlalchemy.exc.IntegrityError`), after the rollback.
    """
    session = db.session
    try:
        yield session
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise


#: ``Connection.info`` key: for the connection's transaction and each savepoint open in it (the
#: innermost last), whether it has sent a statement that is not a ``SELECT`` (:func:`track_reads`).
WRITES = "plneni_writes"
#: Statements that leave the data as it was: queries, and opening or releasing a savepoint.
_READS = ("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT")


def _levels(conn: Any) -> list[bool]:
    levels: list[bool] | None = conn.info.get(WRITES)
    if not levels:
        levels = conn.info[WRITES] = [False]
    return levels


def _note_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    if not statement.startswith(_READS):
        _levels(conn)[-1] = True


def _transaction_ended(conn: Any, *args: Any) -> None:
    conn.info.pop(WRITES, None)


def _savepoint(conn: Any, name: str) -> None:
    _levels(conn).append(False)


def _savepoint_released(conn: Any, name: str, context: Any) -> None:
    levels = _levels(conn)
    if len(levels) > 1 and levels.pop():
        levels[-1] = True  # what the savepoint wrote is now the enclosing transaction's


def _savepoint_rolled_back(conn: Any, name: str, context: Any) -> None:
    levels = _levels(conn)
    if len(levels) > 1:
        levels.pop()


#: ConnectionEvents name → listener of :func:`track_reads`.
_LISTENERS = {
    "before_cursor_execute": _note_statement,
    "commit": _transaction_ended,
    "rollback": _transaction_ended,
    "savepoint": _savepoint,
    "release_savepoint": _savepoint_released,
    "rollback_savepoint": _savepoint_rolled_back,
}


def track_reads(engine: Engine) -> None:
    """Let :func:`end_read_only` tell, for each connection of ``engine``, whether its current
    transaction (or savepoint) has sent anything but ``SELECT`` statements; calling it again
    changes nothing.

    Why: psycopg forgets every prepared statement of its connection on each ``ROLLBACK`` (it
    cannot know whether the transaction created or dropped what they refer to), and a
    transaction that SQLAlchemy closes unfinished is rolled back. Every page that only read used
    to end that way, so psycopg's automatic preparation (a statement run five times on a
    connection is prepared, and PostgreSQL then plans it once) never took effect: PostgreSQL
    planned every statement of every page anew, 3.3 ms of the entry form's 4.3 ms in the
    database (issue 17, docs/performance.md)."""
    if not event.contains(engine, "before_cursor_execute", _note_statement):
        for name, listener in _LISTENERS.items():
            event.listen(engine, name, listener)


def end_read_only(session: Session) -> bool:
    """End ``session``'s transaction with a commit when every statement it sent was a ``SELECT``
    (on an engine set up by :func:`track_reads`). For such a transaction a commit and a rollback
    are the same, but a commit keeps the driver's prepared statements (see :func:`track_reads`).
    Anything else — an ``INSERT``, ``UPDATE``, ``DELETE``, ``SET``, a ``WITH`` or any statement
    that does not start with ``SELECT``, also one sent as text around the session's unit of work
    — leaves the transaction to the rollback that ends the session. (A ``SELECT`` that writes, such
    as ``SELECT … INTO`` or a function with side effects, would count as a read: the product sends
    none.)

    :returns: whether the transaction was committed (``False``: no transaction was open, the
        session has pending changes, or a statement of the transaction was not a ``SELECT``).
    """
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    if _levels(session.connection())[-1]:
        return False
    # Nothing was changed, so nothing loaded is stale: keep it loaded (a request's session is
    # closed right after; a caller that goes on with the objects would only reload them).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    return True
