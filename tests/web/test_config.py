"""Configuration: documented defaults, production safety, README table in sync."""

from __future__ import annotations

import re

import pytest
from support import PROJECT_ROOT

from web.config import DEV_SECRET_KEY, SETTINGS, ConfigurationError, load_config, read_settings


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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PLNENI_ENV", "prod"),
        ("TIMEZONE", "Europe/Praha"),
        ("DEFAULT_LOCALE", "de"),
        ("MAIL_BACKEND", "sendmail"),
        ("MAIL_PORT", "smtp"),
        ("MAIL_PORT", "70000"),
        ("MAIL_USE_TLS", "treu"),  # was silently false
        ("OUTBOX_SWEEP_SECONDS", "0"),
        ("OUTBOX_RETRY_SECONDS", "30,-60"),
        ("CELERY_VISIBILITY_TIMEOUT", "2 days"),
        ("REMINDER_HOUR", "24"),
        ("MAX_IMPORT_MB", "-1"),
        ("IMPORT_MAX_UNCOMPRESSED_MB", "many"),
        ("IMPORT_MAX_ROWS", "0"),
        ("MAX_ATTACHMENT_MB", "nan"),
        ("IDLE_TIMEOUT_HOURS", "inf"),
        ("INVITATION_LINK_HOURS", "1.5"),
        ("PASSWORD_RESET_LINK_MINUTES", "-5"),
        ("LOGIN_LIMIT_PER_ACCOUNT", "5 per fortnight"),
        ("LOGIN_LIMIT_PER_IP", "lots"),
        ("SESSION_COOKIE_SECURE", "maybe"),
        ("PAGE_CACHE_SECONDS", "-1"),
        ("AUDIT_RETENTION_DAYS", "-1"),
        ("BASE_URL", "plneni.kraj-lbc.cz"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigurationError) as refused:
        load_config({"INSTANCE_PATH": str(tmp_path), name: value})
    assert str(refused.value).startswith(f"{name}={value!r} is not valid: expected ")


def test_values_arrive_typed(tmp_path):
    config = load_config({
        "INSTANCE_PATH": str(tmp_path),
        "MAIL_USE_TLS": "Yes",
        "MAIL_PORT": "587",
        "OUTBOX_RETRY_SECONDS": "10, 20,40",
        "MAX_IMPORT_MB": "0.5",
        "IDLE_TIMEOUT_HOURS": "1.5",
        "REMINDER_HOUR": "0",
        "TIMEZONE": "America/New_York",
        "DEFAULT_LOCALE": "en",
        "PAGE_CACHE_SECONDS": "0",
    })
    assert config["MAIL_USE_TLS"] is True and config["MAIL_PORT"] == 587
    assert config["OUTBOX_RETRY_SECONDS"] == (10, 20, 40)
    assert config["MAX_IMPORT_BYTES"] == 512 * 1024
    assert config["IDLE_TIMEOUT_HOURS"] == 1.5 and config["REMINDER_HOUR"] == 0
    assert config["TIMEZONE"] == config["BABEL_DEFAULT_TIMEZONE"] == config["CELERY"]["timezone"]
    assert config["BABEL_DEFAULT_LOCALE"] == "en"
    assert config["CACHE_TYPE"] == "NullCache"


def test_every_default_passes_its_own_parser():
    values = read_settings({})
    for setting in SETTINGS:
        if setting.default is None:
            assert values[setting.name] is None
        else:
            assert values[setting.name] == setting.parse(setting.default)


def test_the_embedded_broker_keeps_its_exchange_tables_in_the_instance_folder(tmp_path):
    options = load_config({"INSTANCE_PATH": str(tmp_path)})["CELERY"]["broker_transport_options"]
    assert options["control_folder"] == str(tmp_path / "celery-broker" / "control")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "postgres ql://plneni:tajne-heslo@db/plneni"),
        ("REDIS_URL", "http://:tajne-heslo@redis:6379/0"),
    ],
)
def test_a_refused_url_is_named_without_its_password(tmp_path, name, value):
    with pytest.raises(ConfigurationError) as refused:
        load_config({"INSTANCE_PATH": str(tmp_path), name: value})
    assert str(refused.value).startswith(f"{name} is not valid: expected ")
    assert "tajne-heslo" not in str(refused.value)
