"""Test harness (docs/testing.md).

* Database: ``DATABASE_URL`` when given (CI: the machine's PostgreSQL), else a fresh SQLite file.
  Under pytest-xdist every worker gets its own database (``<name>_gw0``, created when missing),
  its own Redis database (``PLNENI_TEST_REDIS_DBS``) and its own SQLite file. The schema is built
  once per worker **by the Alembic migrations**, so they are tested on every run.
* Isolation: a test runs on one connection inside an outer transaction that is rolled back at its
  end; the Flask-SQLAlchemy session joins it with ``join_transaction_mode="create_savepoint"``, so
  code that commits keeps working (its commit releases a savepoint). Tests marked ``system`` (the
  system tier: other processes, threads or connections must see the data) commit for real and
  start and end with empty tables instead.
* The application runs as in production: CSRF on, real sessions; ``client`` sends the CSRF token
  as a browser does (``support.BrowserClient``).
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
from harness import Isolation, system_marker_for, worker_database_url, worker_redis_url
from support import (  # noqa: F401 - re-exported for older imports
    DATA_DIR,
    PROJECT_ROOT,
    REAL_PLAN_CSV,
    REAL_PLAN_JSON,
    REAL_PLAN_XLSX,
    REQUIRE_SERVICES,
    TEST_PASSWORD,
    BrowserClient,
    login,
)

from web import create_app
from web.extensions import db
from workflow.states import Role

#: Fixture modules shared across folders (on ``pythonpath``): the browser and live server of the
#: system tier, the SMTP server and real Celery worker, the small round world.
pytest_plugins = ["browser_fixtures", "mail_fixtures", "round_fixtures"]


#: The session's application (set by the ``app`` fixture), whose Celery app is put back after tests.
_SESSION_APP: Flask | None = None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the system tier (``-m system`` / ``-m "not system"``) by folder."""
    for item in items:
        if system_marker_for(Path(str(item.path))):
            item.add_marker(pytest.mark.system)


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
        env["DATABASE_URL"] = worker_database_url(database_url)
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"])
    return env


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on the test database, schema upgraded to the migrations' head."""
    global _SESSION_APP
    tmp = tmp_path_factory.mktemp("plneni")
    application = create_app(environ=_test_environ(tmp))
    application.test_client_class = BrowserClient
    _SESSION_APP = application
    with application.app_context():
        Isolation.build_schema()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs in an app context, isolated as the module docstring says.

    Requests made by the test client reuse this context (and its session), as in Flask's own
    testing pattern.
    """
    if "app" not in request.fixturenames:
        yield
        _restore_celery()
        return
    app: Flask = request.getfixturevalue("app")
    ctx = app.app_context()
    ctx.push()
    isolation = Isolation(committing=request.node.get_closest_marker("system") is not None)
    isolation.begin()
    try:
        yield
    finally:
        isolation.end()
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
    """A test client that behaves as a browser (sends the CSRF token with its posts)."""
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Any:
    """Factory: ``make_user("a@b.cz", roles=[Role.admin], bodies=["OSV"])`` → committed ``User``
    (``factories.UserFactory``)."""
    from factories import make_user as factory

    return factory


@pytest.fixture
def admin_client(client: FlaskClient, make_user: Any) -> FlaskClient:
    """A client signed in as an administrator."""
    user = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    response = login(client, user)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def real_plan(app: Flask) -> Any:
    """The Liberec Region's real action plan imported from ``data/`` (JSON), committed; returns the Plan."""
    from workflow.importing import import_plan_file, real_plan_options

    result = import_plan_file(REAL_PLAN_JSON, options=real_plan_options())
    db.session.commit()
    return result.plan
