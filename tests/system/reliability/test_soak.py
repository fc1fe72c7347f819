"""The soak's CI version: 10 simulated users for 40 s run the whole entry cycle (save, autosave,
submit, return, rework, approve, reopen) against real gunicorn and a real Celery worker on
PostgreSQL and Redis, then the database is checked against what each client did
(``scripts/soak.py``; the full run, 50 users for 10 minutes, is in docs/reliability.md)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from flask import Flask
from support import REQUIRE_SERVICES

from devdata.soak import soak

pytestmark = pytest.mark.services

USERS, SECONDS = 10, 40


def test_short_soak_loses_nothing(app: Flask, tmp_path: Path) -> None:
    database, broker = app.config["SQLALCHEMY_DATABASE_URI"], app.config["CELERY"]["broker_url"]
    if not (database.startswith("postgresql") and broker.startswith("redis")):
        if REQUIRE_SERVICES:
            pytest.fail("PLNENI_REQUIRE_SERVICES=1 but the soak has no PostgreSQL and Redis")
        pytest.skip("the soak needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    env = {
        "PLNENI_ENV": "development",  # as scripts/soak.py: plain HTTP on loopback
        "SECRET_KEY": secrets.token_urlsafe(48),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database,
        "REDIS_URL": app.config["REDIS_URL"],
        "CELERY_BROKER_URL": broker,
    }
    app.extensions["celery"].control.purge()
    try:
        figures, problems = soak(
            env, USERS, SECONDS, think=(0.2, 0.8), workers=2, threads=4, workdir=tmp_path / "soak"
        )
    finally:
        app.extensions["celery"].set_default()
    assert problems == [], "\n".join(problems)
    assert figures["errors_5xx"] == 0
    assert figures["latency_ms"]["approve"]["n"] >= USERS  # every user went round at least once
    assert figures["mail"]["outbox_sent"] == figures["mail"]["outbox_due"] > 0
