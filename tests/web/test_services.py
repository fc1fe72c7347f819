"""The external services CI provides are really there (a missing one fails, never skips, in CI)."""

from __future__ import annotations

import os

import pytest
import redis
from support import REQUIRE_SERVICES

from web import create_app


def test_redis_is_reachable_when_configured():
    url = os.environ.get("REDIS_URL")
    if not url:
        if REQUIRE_SERVICES:
            pytest.fail("PLNENI_REQUIRE_SERVICES=1 but REDIS_URL is not set")
        pytest.skip("REDIS_URL not set (embedded mode uses no Redis)")
    assert redis.Redis.from_url(url, socket_connect_timeout=3).ping() is True


def test_database_is_postgresql_when_required(app):
    from web.extensions import db

    if REQUIRE_SERVICES:
        assert db.engine.dialect.name == "postgresql"
    else:
        assert db.engine.dialect.name in {"postgresql", "sqlite"}


def test_celery_broker_follows_configuration(tmp_path):
    embedded = create_app(environ={"INSTANCE_PATH": str(tmp_path), "PLNENI_ENV": "testing"})
    assert embedded.extensions["celery"].conf.broker_url == "filesystem://"
    assert (tmp_path / "celery-broker" / "queue").is_dir()
    with_redis = create_app(environ={"INSTANCE_PATH": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/3"})
    conf = with_redis.extensions["celery"].conf
    assert conf.broker_url == "redis://127.0.0.1:6379/3"
    assert conf.task_serializer == "json" and conf.task_acks_late is True
