"""The SQLAlchemy handle shared by the domain and the web layer.

``db`` is Flask-SQLAlchemy's extension object built on a typed :class:`Base`. A fixed naming
convention keeps constraint names stable across PostgreSQL and SQLite, so Alembic migrations stay
reproducible (the practice of indico's ``core/db/sqlalchemy/core.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Dialect, MetaData
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
