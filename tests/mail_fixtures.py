"""Fixtures (a pytest plugin of the root conftest): a real SMTP server (aiosmtpd) on loopback that
records what it receives, and a real Celery worker (helpers in ``mail_helpers.py``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from mail_helpers import SmtpServer, free_port, start_worker, stop_worker, worker_environ


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A running SMTP server; the app is switched to the ``smtp`` mail backend while it runs."""
    server = SmtpServer(free_port())
    server.start()
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
    try:
        yield server
    finally:
        server.stop()
        app.config.update(saved)


@pytest.fixture
def worker_env() -> dict[str, str]:
    """Extra environment of ``celery_worker_process`` (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def celery_worker_process(
    app: Flask, smtp_server: SmtpServer, worker_env: dict[str, str]
) -> Iterator[subprocess.Popen]:
    """A real ``celery worker`` process on the test database and broker, sending to ``smtp_server``."""
    env = worker_environ(app, smtp_server.port, worker_env)
    app.extensions["celery"].control.purge()
    process = start_worker(env, Path(app.config["INSTANCE_DIR"]) / "worker.log")
    try:
        yield process
    finally:
        stop_worker(process)
