"""Read-only transactions end with COMMIT, so psycopg keeps its prepared statements
(:func:`workflow.db.track_reads`, :func:`workflow.db.end_read_only`; issue 17).

psycopg drops every prepared statement of a connection on ``ROLLBACK``; a page that only read
used to end that way, so PostgreSQL planned each of its statements on every request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import Session

from web.extensions import db
from workflow.db import end_read_only, track_reads
from workflow.models import Body


def _read(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Body)).scalar_one())


def test_a_transaction_of_selects_is_committed(app: Flask) -> None:
    session = db.session()
    _read(session)
    assert session.in_transaction()
    assert end_read_only(session) is True
    assert not session.in_transaction()


def test_nothing_to_end_without_a_transaction(app: Flask) -> None:
    session = db.session()
    session.commit()
    assert end_read_only(session) is False


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE bodies SET name = name || ' (změna)' WHERE abbreviation = 'RO-TEST'",
        "INSERT INTO bodies (abbreviation, name, kind, search_text) "
        "VALUES ('RO-NEW', 'Nový odbor', 'other', '')",
        "DELETE FROM bodies WHERE abbreviation = 'RO-TEST'",
    ],
)
def test_a_transaction_that_wrote_is_left_to_the_rollback(app: Flask, statement: str) -> None:
    """A statement the session does not track (text SQL) still keeps the transaction from being
    committed: after the rollback nothing of it remains."""
    session = db.session()
    session.add(Body(abbreviation="RO-TEST", name="Odbor pro zkoušku", kind="other"))
    session.commit()
    session.execute(text(statement))
    _read(session)
    assert end_read_only(session) is False
    assert session.in_transaction()
    session.rollback()
    names = dict(session.execute(select(Body.abbreviation, Body.name).where(
        Body.abbreviation.in_(["RO-TEST", "RO-NEW"]))).tuples().all())
    assert names == {"RO-TEST": "Odbor pro zkoušku"}


def test_pending_changes_are_not_committed(app: Flask) -> None:
    session = db.session()
    _read(session)
    session.add(Body(abbreviation="RO-PENDING", name="Neuložený odbor", kind="other"))
    assert end_read_only(session) is False
    session.rollback()
    assert session.scalar(select(Body.id).where(Body.abbreviation == "RO-PENDING")) is None


def test_the_next_transaction_starts_clean(app: Flask) -> None:
    """The mark of a write ends with its transaction: a later transaction of only reads on the
    same connection is committed again."""
    session = db.session()
    session.execute(text("UPDATE bodies SET name = name WHERE id < 0"))
    assert end_read_only(session) is False
    session.rollback()
    _read(session)
    assert end_read_only(session) is True


def test_a_page_that_only_reads_ends_with_commit(app: Flask, client: object, make_user: object) -> None:
    """The request's unit of work commits a read-only page's transaction (in the tests' isolation
    a commit releases a savepoint, so the session's ``after_commit`` is what is counted)."""
    from support import login

    user = make_user("cteni@kraj-lbc.cz")  # type: ignore[operator]
    login(client, user)  # type: ignore[arg-type]
    commits: list[Session] = []
    listener = commits.append
    event.listen(Session, "after_commit", listener)
    try:
        response = client.get("/moje-ukoly")  # type: ignore[attr-defined]
    finally:
        event.remove(Session, "after_commit", listener)
    assert response.status_code == 200
    assert commits, "a read-only request must end its transaction with COMMIT"


@pytest.fixture
def own_engine(app: Flask) -> Iterator[object]:
    """An engine of its own on the test database (PostgreSQL), outside the tests' isolation: its
    transactions really end, as a web process's do."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("prepared statements: psycopg on PostgreSQL")
    engine = create_engine(url, pool_size=1, max_overflow=0)
    track_reads(engine)
    yield engine
    engine.dispose()


def _prepared(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one())


def _read_several_times(engine: object, end: str) -> int:
    """Run one SELECT in ten transactions on the one pooled connection, each ended by ``end``
    (``commit`` through :func:`end_read_only`, or ``close``: the rollback of an unfinished
    transaction); :returns: the prepared statements of the connection afterwards."""
    for _ in range(10):
        with Session(engine) as session:  # type: ignore[arg-type]
            session.execute(select(Body.id).where(Body.abbreviation == "OSV")).all()
            if end == "commit":
                assert end_read_only(session) is True
    with Session(engine) as session:  # type: ignore[arg-type]
        return _prepared(session)


def test_prepared_statements_survive_read_only_transactions(own_engine: object) -> None:
    assert _read_several_times(own_engine, "commit") >= 1


def test_a_rollback_drops_them(own_engine: object) -> None:
    """What the change is about: ended by the rollback of ``close()``, nothing stays prepared."""
    assert _read_several_times(own_engine, "close") == 0
