"""The audit trail is append-only in the database itself (PostgreSQL trigger, migration a9000001),
and the account audit log's retention purge deletes only rows older than the retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from round_fixtures import entry_of
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from support import REQUIRE_SERVICES

from web.extensions import db
from workflow.audit import AuditKind, purge_expired, record
from workflow.db import utcnow
from workflow.entries import apply_transition, save_draft
from workflow.models import AuditEvent, User

TABLES = ("audit_events", "entry_transitions", "entry_versions", "round_events")


def _require_postgres() -> None:
    if db.engine.dialect.name != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("PLNENI_REQUIRE_SERVICES=1 but the database is not PostgreSQL")
        pytest.skip("the append-only trigger exists on PostgreSQL only")


def _filled(opened, people) -> None:
    entry = entry_of(opened, "A1.2", "ORREP")
    save_draft(
        entry, people.orrep, {"text": "Hotovo", "fulfilment_status": "done"}, expected_version=entry.version
    )
    apply_transition(entry, "submit", people.orrep)
    record(AuditKind.user_updated, actor=people.admin, subject=people.orrep, summary="test")
    db.session.commit()


def _count(table: str) -> int:
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.mark.services
@pytest.mark.parametrize("table", TABLES)
def test_raw_update_and_delete_are_refused_by_postgresql(opened, people, table):
    _require_postgres()
    _filled(opened, people)
    before = _count(table)
    assert before > 0
    with db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(f"UPDATE {table} SET id = id"))
        conn.rollback()
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.rollback()
        # Even with the retention setting, young rows (and other tables) stay.
        conn.execute(text("SET LOCAL plneni.audit_retention_days = '1'"))
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.rollback()
    assert _count(table) == before


@pytest.mark.services
def test_deleting_a_user_still_nulls_their_audit_references(people, opened):
    """Referential actions (ON DELETE SET NULL) pass the trigger; only direct changes are refused."""
    _require_postgres()
    _filled(opened, people)
    reviewer_id = people.reviewer_b.id
    record(AuditKind.user_updated, actor=people.reviewer_b, subject=people.reviewer_b, summary="x")
    db.session.commit()
    db.session.expunge_all()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": reviewer_id})
    assert db.session.scalar(select(func.count()).where(AuditEvent.actor_id == reviewer_id)) == 0
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.summary == "x")) == 1
    )


def test_retention_purge_deletes_only_old_account_events(people, opened):
    """Works on SQLite and PostgreSQL (there, through the trigger's retention exception)."""
    old = record(AuditKind.user_updated, actor=people.admin, subject=people.osv, summary="starý")
    young = record(AuditKind.user_updated, actor=people.admin, subject=people.osv, summary="nový")
    db.session.commit()
    old_id, young_id = old.id, young.id
    # Backdate one row directly in the database (as if written 6 years ago); the trigger allows
    # no UPDATE, so the test drops it for this one statement.
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        conn.execute(
            text("UPDATE audit_events SET at = :at WHERE id = :id"),
            {"at": utcnow() - timedelta(days=6 * 365), "id": old_id},
        )
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
    db.session.expire_all()
    assert purge_expired(0) == 0  # 0 = keep forever
    assert purge_expired(5 * 365) == 1
    db.session.commit()
    remaining = set(db.session.scalars(select(AuditEvent.id)))
    assert old_id not in remaining and young_id in remaining
    assert db.session.get(User, people.osv.id) is not None


def test_purge_audit_command_uses_the_configured_retention(app, people, opened):
    record(AuditKind.user_updated, actor=people.admin, subject=people.osv, summary="dnešní")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-audit"])
    assert result.exit_code == 0 and "Smazáno 0 záznamů" in result.output
    assert "1825" in result.output
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 1


def test_beat_runs_the_retention_purge_daily(app, people, opened):
    from workflow.tasks import purge_audit_log

    schedule = app.config["CELERY"]["beat_schedule"]["audit-retention"]
    assert schedule["task"] == "workflow.purge_audit_log" == purge_audit_log.name
    record(AuditKind.user_updated, actor=people.admin, subject=people.osv, summary="dnešní")
    db.session.commit()
    assert purge_audit_log.run() == 0  # nothing is older than 1825 days (run(): in this app context)
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.summary == "dnešní"))
        == 1
    )
