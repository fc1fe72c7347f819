"""The schema comes from the migrations: they upgrade an empty database to head, and the models
and migrations do not drift apart."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from harness import worker_database_url
from sqlalchemy import create_engine, insert, inspect, make_url, select, text

from web import create_app
from web.extensions import db
from workflow.models import Plan, ReportingRound, RoundChangeSlot


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_match_migrated_database(app):
    """The session's database was built by ``upgrade()``; autogenerate finds nothing to add."""
    assert _diff(db.engine) == []


def test_upgrade_from_empty_and_downgrade_on_a_fresh_sqlite(tmp_path):
    fresh = create_app(environ={"INSTANCE_PATH": str(tmp_path), "PLNENI_ENV": "testing"})
    with fresh.app_context():
        upgrade()
        engine = create_engine(fresh.config["SQLALCHEMY_DATABASE_URI"])
        tables = set(inspect(engine).get_table_names())
        assert {"plans", "plan_nodes", "activities", "bodies", "activity_bodies", "users"} <= tables
        assert not {"areas", "goals"} & tables
        assert _diff(engine) == []
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        db.engine.dispose()


@pytest.fixture
def empty_database(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of an application on an empty database of the tests' backend: a new SQLite
    file under ``tmp_path``, or on PostgreSQL a scratch database beside the worker's, dropped after."""
    environ = {"INSTANCE_PATH": str(tmp_path), "PLNENI_ENV": "testing"}
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield environ
        return
    worker = make_url(worker_database_url(url))
    scratch = f"{worker.database}_migrations"

    def run(sql: str) -> None:
        with psycopg.connect(
            host=worker.host or "127.0.0.1", port=worker.port or 5432, user=worker.username,
            password=worker.password, dbname=worker.database, autocommit=True,
        ) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    run(f'CREATE DATABASE "{scratch}"')
    try:
        yield {**environ, "DATABASE_URL": worker.set(database=scratch).render_as_string(hide_password=False)}
    finally:
        run(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def test_round_counters_survive_the_move_to_slots_and_back(empty_database):
    """Migration p2000001: each round's counter goes to its slot 0 (none for a counter of 0) and
    reads the same; the downgrade puts the sum of the slots back into the column."""
    before_slots = "p1000001"
    fresh = create_app(environ=empty_database)
    with fresh.app_context():
        upgrade(revision=before_slots)
        engine = create_engine(fresh.config["SQLALCHEMY_DATABASE_URI"])
        try:
            with engine.begin() as conn:
                plan = conn.execute(insert(Plan.__table__).values(title="Plán")).inserted_primary_key[0]
                rounds = []
                for title, counter in (("Kolo 2024", 7), ("Kolo 2025", 0)):
                    round_id = conn.execute(
                        insert(ReportingRound.__table__).values(
                            plan_id=plan, title=title, period_start=date(2024, 1, 1),
                            period_end=date(2024, 12, 31),
                        )
                    ).inserted_primary_key[0]
                    conn.execute(
                        text("UPDATE reporting_rounds SET change_counter = :counter WHERE id = :id"),
                        {"counter": counter, "id": round_id},
                    )
                    rounds.append(round_id)
            counted, idle = rounds
            upgrade()
            counters = select(ReportingRound.id, ReportingRound.change_counter)
            with engine.begin() as conn:
                slots = select(RoundChangeSlot.round_id, RoundChangeSlot.slot, RoundChangeSlot.counter)
                assert conn.execute(slots).all() == [(counted, 0, 7)]
                assert dict(conn.execute(counters).tuples().all()) == {counted: 7, idle: 0}
                conn.execute(insert(RoundChangeSlot), [
                    {"round_id": counted, "slot": 5, "counter": 2},
                    {"round_id": idle, "slot": 3, "counter": 1},
                ])
            downgrade(revision=before_slots)
            with engine.connect() as conn:
                columns = text("SELECT id, change_counter FROM reporting_rounds")
                assert dict(conn.execute(columns).tuples().all()) == {counted: 9, idle: 1}
                assert "round_change_slots" not in inspect(conn).get_table_names()
            upgrade()
            with engine.connect() as conn:
                assert dict(conn.execute(counters).tuples().all()) == {counted: 9, idle: 1}
                assert _diff(engine) == []
        finally:
            engine.dispose()
            db.engine.dispose()
