"""Configuration: documented defaults, production safety, README table in sync."""

from __future__ import annotations

import re

import pytest
from support import PROJECT_ROOT

from web.config import DEV_SECRET_KEY, SETTINGS, ConfigurationError, load_config


def test_embedded_defaults_need_no_server(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'plneni.sqlite3'}"
    assert config["CELERY"]["broker_url"] == "filesystem://"
    options = config["CELERY"]["broker_transport_options"]
    assert options["data_folder_in"] == str(tmp_path / "celery-broker/queue")
    assert config["MAIL_BACKEND"] == "outbox"
    assert config["MAIL_OUTBOX_DIR"] == str(tmp_path / "outbox")
    assert config["TIMEZONE"] == "Europe/Prague"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_the_development_secret_key(tmp_path):
    with pytest.raises(ConfigurationError):
        load_config({"PLNENI_ENV": "production", "INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(ConfigurationError):
        load_config(
            {"PLNENI_ENV": "production", "SECRET_KEY": DEV_SECRET_KEY, "INSTANCE_PATH": str(tmp_path)}
        )
    strong = "k3Vq9-Zr2xLw8TnB5yHc4JdM7pFs6RgA1eU0"
    config = load_config({"PLNENI_ENV": "production", "SECRET_KEY": strong, "INSTANCE_PATH": str(tmp_path)})
    assert config["SESSION_COOKIE_SECURE"] is True


def test_postgres_and_redis_from_environment(tmp_path):
    config = load_config({
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": "postgresql+psycopg://app@db/plneni",
        "REDIS_URL": "redis://redis:6379/0",
    })
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/plneni"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert config["CELERY"]["broker_url"] == "redis://redis:6379/0"


def test_readme_documents_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert documented == {s.name for s in SETTINGS}
