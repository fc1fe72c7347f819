"""The schema comes from the migrations: they upgrade an empty database to head, and the models
and migrations do not drift apart."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from web import create_app
from web.extensions import db


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
