"""Fixtures of the fault tests (helpers in ``reliability_helpers.py`` and ``mail_helpers.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from mail_helpers import SmtpServer

from devdata.soak import Seeded, seed
from web import create_app
from web.extensions import db


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """A running SMTP server (stop/start it for an outage): the root plugin's ``smtp_server``."""
    return smtp_server


@pytest.fixture
def one_entry(app: Flask) -> Seeded:
    """An opened round with one entry, its contributor, a reviewer and the secretary (password
    ``soak.PASSWORD``), built by the soak's own seeding."""
    return seed(app, 1)


@pytest.fixture
def make_private_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Factory: another instance of the application on the test database (or ``database_url``),
    as a separate web process would be: its own engine and pool, and each request in its own
    application context (the test's context belongs to ``app``). Disposed after the test."""
    made: list[Flask] = []

    def factory(database_url: str | None = None, **environ: str) -> Flask:
        env = {
            "PLNENI_ENV": "testing",
            "INSTANCE_PATH": app.config["INSTANCE_DIR"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": database_url or app.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY_BROKER_URL": app.config["CELERY"]["broker_url"],
            **environ,
        }
        private = create_app({"WTF_CSRF_ENABLED": False}, environ=env)
        app.extensions["celery"].set_default()  # the test's own app stays Celery's default
        made.append(private)
        return private

    yield factory
    for private in made:
        with private.app_context():
            db.engine.dispose()
    app.extensions["celery"].set_default()

