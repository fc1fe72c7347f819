"""Test harness.

* Database: ``DATABASE_URL`` when given (CI: the machine's PostgreSQL), else a fresh SQLite file.
  The schema is built once per session **by the Alembic migrations** (so they are tested on every
  run), and every test starts with empty tables (TRUNCATE on PostgreSQL, DELETE on SQLite), which
  keeps real commits, several sessions and later real worker processes honest.
* ``PLNENI_REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns a missing PostgreSQL or Redis into a
  failure instead of a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from support import (  # noqa: F401 - re-exported for older imports
    DATA_DIR,
    PROJECT_ROOT,
    REAL_PLAN_CSV,
    REAL_PLAN_JSON,
    REAL_PLAN_XLSX,
    REQUIRE_SERVICES,
    TEST_PASSWORD,
    login,
)

from web import create_app
from web.extensions import db
from workflow.models import Body, RoleAssignment, User
from workflow.passwords import hash_password
from workflow.states import Role

pytest_plugins = ["browser.browser_fixtures"]  # browser, live_server (tests/browser)


#: The session's application (set by the ``app`` fixture), whose Celery app is put back after tests.
_SESSION_APP: Flask | None = None


def _test_environ(tmp: Path) -> dict[str, str]:
    env = {
        "PLNENI_ENV": "testing",
        "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": "test-secret-key",
    }
    database_url = os.environ.get("DATABASE_URL")
    if REQUIRE_SERVICES and not (database_url or "").startswith("postgresql"):
        pytest.fail("PLNENI_REQUIRE_SERVICES=1 but DATABASE_URL does not point to PostgreSQL")
    if database_url:
        env["DATABASE_URL"] = database_url
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    return env


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on the test database, schema upgraded to the migrations' head."""
    global _SESSION_APP
    tmp = tmp_path_factory.mktemp("plneni")
    application = create_app({"WTF_CSRF_ENABLED": False}, environ=_test_environ(tmp))
    _SESSION_APP = application
    with application.app_context():
        _reset_schema()
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


def _reset_schema() -> None:
    """Drop everything in the test database (PostgreSQL: the public schema; SQLite: the file)."""
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


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs in an app context and starts and ends with empty tables.

    Requests made by the test client reuse this context (and its session), as in Flask's own
    testing pattern; the session is removed before the tables are emptied so no lock is held.
    """
    if "app" not in request.fixturenames:
        yield
        _restore_celery()
        return
    app: Flask = request.getfixturevalue("app")
    ctx = app.app_context()
    ctx.push()
    _empty_tables()
    try:
        yield
    finally:
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        ctx.pop()
        _restore_celery()


def _restore_celery() -> None:
    """Creating another application (a test of the factory, a second app on a broken broker)
    makes its Celery app the current one; give the session app's back, so that later tasks run
    against the test database."""
    if _SESSION_APP is not None:
        celery = _SESSION_APP.extensions["celery"]
        celery.set_current()
        celery.set_default()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (CSRF checks off; the CSRF tests build their own app)."""
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Any:
    """Factory: ``make_user("a@b.cz", roles=[Role.admin], bodies=["OSV"])`` → committed ``User``."""

    def factory(
        email: str = "spravce@kraj-lbc.cz",
        *,
        roles: list[Role] | tuple[Role, ...] = (Role.admin,),
        bodies: list[str] | tuple[str, ...] = (),
        name: str = "",
        active: bool = True,
        locale: str = "cs",
    ) -> User:
        user = User(
            email=email, name=name or email.split("@")[0], password_hash=hash_password(TEST_PASSWORD),
            active=active, locale=locale,
        )
        user.role_assignments = [RoleAssignment(role=r) for r in roles]
        for abbreviation in bodies:
            body = db.session.query(Body).filter_by(abbreviation=abbreviation).one()
            user.bodies.append(body)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def admin_client(client: FlaskClient, make_user: Any) -> FlaskClient:
    """A client signed in as an administrator."""
    user = make_user()
    response = login(client, user)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def real_plan(app: Flask) -> Any:
    """The Liberec Region's real action plan imported from ``data/`` (JSON), committed; returns the Plan."""
    from workflow.importing import import_plan_file

    result = import_plan_file(REAL_PLAN_JSON)
    db.session.commit()
    return result.plan
