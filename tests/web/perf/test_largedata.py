"""The large-data generator (issue 8): deterministic, counts as the profile says, and its CLI."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from support import count_statements, empty_tables

from devdata.largedata import generate, scaled
from web.extensions import db
from workflow.models import Activity, Entry, ReportingRound, RoundRoute, User


def _fingerprint() -> str:
    rows = db.session.execute(
        select(Entry.state, Entry.text, Activity.code).join(Activity).order_by(Entry.id)
    ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_same_seed_same_data_and_counts_as_profiled(app) -> None:
    first = generate(scaled(40))
    db.session.commit()
    fingerprint = _fingerprint()
    assert first.counts["main_activities"] == 40 and first.counts["users"] == 40
    assert db.session.scalar(select(func.count()).select_from(User)) == 40
    by_state = (
        select(Entry.state, func.count()).where(Entry.round_id == first.open_round_id).group_by(Entry.state)
    )
    states = {state: count for state, count in db.session.execute(by_state).all()}
    assert set(states) == {"not_started", "draft", "submitted", "returned", "approved"}
    routes = select(func.count()).select_from(RoundRoute).where(RoundRoute.round_id == first.open_round_id)
    assert sum(states.values()) == db.session.scalar(routes) >= 40  # one entry per route
    closed = db.session.scalar(select(ReportingRound).where(ReportingRound.id == first.closed_round_id))
    assert closed.state == "closed"
    empty_tables()
    generate(scaled(40))
    db.session.commit()
    assert _fingerprint() == fingerprint


def test_seed_large_command(app) -> None:
    result = app.test_cli_runner().invoke(args=["seed-large", "--scale", "20"])
    assert result.exit_code == 0, result.output
    assert "main_activities: 20" in result.output and "tajemnik@scaled-20.kraj-lbc.cz" in result.output
    again = app.test_cli_runner().invoke(args=["seed-large", "--scale", "20"])
    assert again.exit_code != 0 and "already generated" in again.output


def test_analyze_vacuums_the_products_tables_without_waiting_to_truncate(app) -> None:
    """``VACUUM ANALYZE`` after the load, of the product's tables only and without truncating their
    empty tail pages: that step waits up to 5 s per table for the exclusive lock while any session
    holds a lock on it (here the test's own outer transaction: the command took 15 s in the suite)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("VACUUM: PostgreSQL")
    from devdata.largedata import analyze

    with count_statements() as sent:
        analyze()
    vacuums = [s for s in sent if s.startswith("VACUUM")]
    assert len(vacuums) == 1, sent
    assert vacuums[0].startswith("VACUUM (ANALYZE, TRUNCATE false) "), vacuums
    listed = vacuums[0].removeprefix("VACUUM (ANALYZE, TRUNCATE false) ")
    named = {name.strip().strip('"') for name in listed.split(",")}
    assert named == {table.name for table in db.metadata.sorted_tables}
    assert "entries" in named and "pg_database" not in named
