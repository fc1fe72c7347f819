"""Fixtures of the security tests: an application with CSRF ON, browsers on it, seeded people."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify
from flask_login import current_user
from security_helpers import Browser

from web import create_app
from web.extensions import db
from workflow.bodies import ensure_seed_bodies
from workflow.states import Role


def _rounds_world() -> Any:
    """The hand-built small plan, its people and its opened round of ``tests/rounds/conftest.py``
    (loaded by path: every folder's ``conftest`` module has the same name)."""
    path = Path(__file__).resolve().parents[2] / "rounds" / "conftest.py"
    spec = importlib.util.spec_from_file_location("rounds_world_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


_world = _rounds_world()
small_plan = _world.small_plan
people = _world.people
opened = _world.opened


_probe = Blueprint("write_probe", __name__)


@_probe.post("/api/test-write-probe")
def _write_probe() -> Any:
    """A JSON API write endpoint of the test application only (the product has none yet)."""
    if not current_user.is_authenticated:
        return jsonify(error="unauthenticated"), 401
    return jsonify(user=current_user.email)


@pytest.fixture(scope="session")
def secure_app(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application as production runs it: CSRF ON, on the test database of ``app``."""
    tmp = tmp_path_factory.mktemp("secure")
    environ = {"PLNENI_ENV": "testing", "INSTANCE_PATH": str(tmp / "instance"),
               "SECRET_KEY": app.config["SECRET_KEY"]}
    if app.config["REDIS_URL"]:
        environ["REDIS_URL"] = app.config["REDIS_URL"]
    application = create_app(
        {
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"],
        },
        environ=environ,
    )
    application.register_blueprint(_probe)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Throttling counters start empty in every security test."""
    from web.views.auth import limiter

    if "app" in request.fixturenames:
        limiter.reset()
    yield
    if "app" in request.fixturenames:
        limiter.reset()


@pytest.fixture
def browser(secure_app: Flask) -> Any:
    """Factory: ``browser()`` → a new :class:`~security_helpers.Browser` (own cookies) with CSRF ON."""
    return lambda: Browser(secure_app)


@pytest.fixture
def staff(app: Flask, make_user: Any) -> dict[str, Any]:
    """Seeded bodies and one user per role (contributor and head in OSV)."""
    ensure_seed_bodies()
    db.session.commit()
    return {
        "admin": make_user("spravce@kraj-lbc.cz", roles=[Role.admin]),
        "secretary": make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary]),
        "reviewer": make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer]),
        "contributor": make_user("zpracovatel@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"]),
        "head": make_user("vedouci@kraj-lbc.cz", roles=[Role.head], bodies=["OSV"]),
        "commission": make_user("komise@kraj-lbc.cz", roles=[Role.commission]),
    }
