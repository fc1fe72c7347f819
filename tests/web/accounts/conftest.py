"""Fixtures of the account tests: seeded bodies, one user per role, the outbox, a CSRF-enabled app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, g, jsonify
from flask_login import current_user

from web import create_app
from web.extensions import db
from workflow.bodies import ensure_seed_bodies
from workflow.states import Role


@pytest.fixture(autouse=True)
def _fresh_limits_and_outbox(request: pytest.FixtureRequest) -> Iterator[None]:
    """Throttling counters and the e-mail outbox start empty in every account test."""
    if "app" not in request.fixturenames:
        yield
        return
    from web.views.auth import limiter

    app: Flask = request.getfixturevalue("app")
    limiter.reset()
    shutil.rmtree(app.config["MAIL_OUTBOX_DIR"], ignore_errors=True)
    yield
    limiter.reset()


@pytest.fixture
def outbox(app: Flask) -> Path:
    """The folder the ``outbox`` mail backend writes ``.eml`` files to."""
    return Path(app.config["MAIL_OUTBOX_DIR"])


@pytest.fixture
def seeded(app: Flask) -> None:
    """The real plan's bodies (OSV, OZ, OŠMTS, …) in the database."""
    ensure_seed_bodies()
    db.session.commit()


@pytest.fixture
def people(seeded: None, make_user: Any) -> dict[str, Any]:
    """One user per role; body members belong to OSV (the "own" body; OZ is "foreign")."""
    return {
        "admin": make_user("spravce@kraj-lbc.cz", roles=[Role.admin], name="Alena Správcová"),
        "secretary": make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary], name="Tomáš Tajemník"),
        "reviewer": make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer], name="Hana Hodnotitelka"),
        "contributor": make_user(
            "zpracovatel@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"], name="Zdeněk Zpracovatel"
        ),
        "head": make_user("vedouci@kraj-lbc.cz", roles=[Role.head], bodies=["OSV"], name="Věra Vedoucí"),
        "commission": make_user("komise@kraj-lbc.cz", roles=[Role.commission], name="Karel Komise"),
        "other": make_user("zpracovatel@oz.cz", roles=[Role.contributor], bodies=["OZ"], name="Olga Ozová"),
    }


_probe = Blueprint("csrf_probe", __name__)


@_probe.post("/api/test-probe")
def _probe_write() -> Any:
    """A write endpoint of the test app only: says who the request was authenticated as."""
    if not current_user.is_authenticated:
        return jsonify(error="unauthenticated"), 401
    return jsonify(user=current_user.email, bearer=bool(g.get("api_token_auth")))


@pytest.fixture(scope="session")
def csrf_app(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A second application with CSRF checks ON, on the same database as ``app``."""
    tmp = tmp_path_factory.mktemp("csrf")
    environ = {
        "PLNENI_ENV": "testing",
        "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
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
