"""Helpers of the notification and fault tests: a real SMTP server (aiosmtpd) on loopback that
records what it receives, and real ``celery worker`` processes started and stopped at will.

Imported by ``tests/notifications/conftest.py`` (the ``smtp_server`` and ``celery_worker_process``
fixtures) and by tests that need more than one worker or a special SMTP handler.
"""

from __future__ import annotations

import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every accepted message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


class SmtpServer:
    """Start/stop a real SMTP server on a fixed loopback port (stopping it simulates an outage)."""

    def __init__(self, port: int, inbox: Any = None) -> None:
        self.port = port
        self.inbox = inbox if inbox is not None else Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``celery worker --pool=solo`` with ``env`` and wait until it is ready (60 s at most)."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=10)
            pytest.fail(f"celery worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return process


def stop_worker(process: subprocess.Popen) -> None:
    """SIGTERM the worker (SIGKILL after 20 s) and reap it."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def worker_environ(app: Flask, smtp_port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a worker process on the test database and broker, sending to ``smtp_port``."""
    env = dict(os.environ)
    env.update(
        PLNENI_ENV="testing",
        INSTANCE_PATH=str(Path(app.config["INSTANCE_DIR"])),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY_BROKER_URL=app.config["CELERY"]["broker_url"],
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        SECRET_KEY=app.config["SECRET_KEY"],
    )
    env.update(extra or {})
    return env
