"""Fixtures of the security tests: an application with CSRF ON, browsers on it, seeded people."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify
from flask_login import current_user
from security_helpers import Browser, build_secure_app

from web.extensions import db
from workflow.bodies import ensure_seed_bodies
from workflow.states import Role

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
    application = build_secure_app(app, tmp_path_factory.mktemp("secure"))
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
