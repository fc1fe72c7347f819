"""The database side of the test harness: per-worker databases, the schema, and per-test isolation.

Isolation follows SQLAlchemy 2's recipe "Joining a Session into an External Transaction": the test
owns one connection and an outer transaction that is rolled back at the end; the Flask-SQLAlchemy
session is bound to that connection with ``join_transaction_mode="create_savepoint"``, so a
``commit()`` in the code under test releases a savepoint and a ``rollback()`` rolls back to it.
On SQLite, pysqlite's own transaction handling is switched off and SQLAlchemy emits ``BEGIN``
itself (the documented workaround that makes SAVEPOINT work).

The system tier (``committing=True``) keeps real commits and empties every table before and after
the test instead (TRUNCATE on PostgreSQL, DELETE on SQLite).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.engine import Engine

from web.extensions import db

TESTS = Path(__file__).resolve().parent

#: Folders (relative to tests/) whose tests form the system tier: browser, soak, faults, real
#: workers, backup, threads; they need commits other connections and processes can see.
SYSTEM_FOLDERS = ("system",)


def system_marker_for(path: Path) -> bool:
    """True when the test file at ``path`` belongs to the system tier."""
    try:
        relative = path.resolve().relative_to(TESTS)
    except ValueError:
        return False
    if not relative.parts:
        return False
    return relative.parts[0] in SYSTEM_FOLDERS


def worker_index() -> int | None:
    """The pytest-xdist worker number (``gw3`` → 3), or None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else None


def worker_database_url(url: str) -> str:
    """``url`` for this worker: on PostgreSQL ``<database>_gwN`` under xdist, created when missing."""
    index = worker_index()
    parsed = make_url(url)
    if index is None or not parsed.drivername.startswith("postgresql"):
        return url
    name = f"{parsed.database}_gw{index}"
    import psycopg

    try:
        with psycopg.connect(
            host=parsed.host or "127.0.0.1", port=parsed.port or 5432, user=parsed.username,
            password=parsed.password, dbname=parsed.database, autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.fail(f"cannot create the worker database {name!r} on {parsed.host}: {exc}")
    return parsed.set(database=name).render_as_string(hide_password=False)


def worker_redis_url(url: str) -> str:
    """``url`` for this worker: the Redis database number ``PLNENI_TEST_REDIS_DBS[N]`` (a
    comma-separated list), else the URL's own number plus N (modulo 16)."""
    index = worker_index()
    if index is None:
        return url
    base, _, number = url.rpartition("/")
    listed = [n.strip() for n in os.environ.get("PLNENI_TEST_REDIS_DBS", "").split(",") if n.strip()]
    if listed:
        if index >= len(listed):
            pytest.fail(f"PLNENI_TEST_REDIS_DBS lists {len(listed)} databases for worker gw{index}")
        return f"{base}/{listed[index]}"
    return f"{base}/{(int(number or 0) + index) % 16}"


class _JoinedSession(FlaskSession):
    """Flask-SQLAlchemy's session, but every statement goes to the test's connection (its
    ``get_bind`` would otherwise pick the engine by the table's bind key)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        return bind if bind is not None else self.bind


def _sqlite_savepoints(engine: Engine) -> None:
    """pysqlite: let SQLAlchemy emit BEGIN itself so that SAVEPOINT works (SQLAlchemy's docs,
    "Serializable isolation / Savepoints / Transactional DDL") — for the savepoint tiers only.

    The system tier keeps pysqlite's own (legacy) transactions, as the product runs: a read does
    not open a transaction there, so the test process never holds a read lock that would make the
    server processes it drives (gunicorn, Celery) wait for it to write.
    """
    if engine.dialect.name != "sqlite" or getattr(engine, "_plneni_savepoints", False):
        return

    def _savepoints() -> bool:
        isolation = current()
        return isolation is not None and not isolation.committing

    @event.listens_for(engine, "checkout")
    def _transactions_for_the_tier(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.isolation_level = None if _savepoints() else ""

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.connection.dbapi_connection.isolation_level is None:
            conn.exec_driver_sql("BEGIN")

    engine.dispose()  # connections made before the listeners existed
    engine._plneni_savepoints = True  # type: ignore[attr-defined]


_CURRENT: list[Isolation] = []


def current() -> Isolation | None:
    """The running test's isolation (None outside a test that uses the app)."""
    return _CURRENT[-1] if _CURRENT else None


class Isolation:
    """One test's database isolation (savepoints, or real commits and emptied tables)."""

    def __init__(self, committing: bool) -> None:
        self.committing = committing
        self.connection: Connection | None = None
        self.outer: Any = None
        self._saved_session: Any = None

    @staticmethod
    def build_schema() -> None:
        """Drop everything in the worker's database, then upgrade to the migrations' head."""
        engine = db.engine
        if engine.dialect.name == "postgresql":
            try:
                with engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
            except Exception as exc:
                pytest.fail(f"PostgreSQL at {engine.url!r} is not reachable: {exc}")
        else:
            db.drop_all()
            with engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        from flask_migrate import upgrade

        upgrade()
        _sqlite_savepoints(engine)

    def begin(self) -> None:
        _CURRENT.append(self)
        if self.committing:
            empty_tables_for_real()
            return
        self.connection = db.engine.connect()
        self.outer = self.connection.begin()
        self._saved_session = db.session
        db.session = db._make_scoped_session(
            {"class_": _JoinedSession, "bind": self.connection, "join_transaction_mode": "create_savepoint"}
        )

    def restart(self) -> None:
        """Back to empty tables within the test (a test that rebuilds its world)."""
        if self.committing:
            db.session.rollback()
            db.session.remove()
            empty_tables_for_real()
            return
        db.session.remove()
        self.outer.rollback()
        self.outer = self.connection.begin()

    def end(self) -> None:
        _CURRENT.remove(self)
        if self.committing:
            db.session.rollback()
            db.session.remove()
            empty_tables_for_real()
            return
        db.session.remove()
        db.session = self._saved_session
        if self.outer.is_active:
            self.outer.rollback()
        self.connection.close()


def empty_tables_for_real() -> None:
    """Delete every row of every table, committed (TRUNCATE … RESTART IDENTITY on PostgreSQL)."""
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
