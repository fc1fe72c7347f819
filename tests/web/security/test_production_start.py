"""Production refuses to start with the development secret key or without HTTPS-only cookies."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import PROJECT_ROOT

from web import create_app
from web.config import DEV_SECRET_KEY, ConfigurationError, load_config

STRONG = "k3Vq9-Zr2xLw8TnB5yHc4JdM7pFs6RgA1eU0oXiW"


def _prod(tmp_path, **extra: str) -> dict[str, str]:
    return {"PLNENI_ENV": "production", "INSTANCE_PATH": str(tmp_path), **extra}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": STRONG, "SESSION_COOKIE_SECURE": "false"}, "SESSION_COOKIE_SECURE"),
        ({"SECRET_KEY": STRONG, "SESSION_COOKIE_SECURE": "0"}, "SESSION_COOKIE_SECURE"),
        ({"SECRET_KEY": STRONG, "AUDIT_RETENTION_DAYS": "-1"}, "AUDIT_RETENTION_DAYS"),
    ],
)
def test_unsafe_production_configuration_is_refused(tmp_path, extra, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app(environ=_prod(tmp_path, **extra))


def test_safe_production_configuration_starts(tmp_path):
    config = load_config(_prod(tmp_path, SECRET_KEY=STRONG))
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["AUDIT_RETENTION_DAYS"] == 1825
    app = create_app(environ=_prod(tmp_path, SECRET_KEY=STRONG, DATABASE_URL=f"sqlite:///{tmp_path}/p.db"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()


def test_development_may_use_plain_http_cookies(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path), "SESSION_COOKIE_SECURE": "false"})
    assert config["SESSION_COOKIE_SECURE"] is False


def test_gunicorn_worker_refuses_to_boot_with_the_development_key(tmp_path):
    """The real entry point (``wsgi:app``) exits with the clear message, not a half-started server."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SESSION_COOKIE_SECURE"}}
    env.update(_prod(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr and "SECRET_KEY must be set in production" in result.stderr
