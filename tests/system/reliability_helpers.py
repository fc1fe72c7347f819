"""Helpers of the fault tests: a private ``redis-server``, a TCP proxy in front of PostgreSQL that can
be cut and restored, an SMTP handler that holds a message mid-send, and a one-entry round.

Nothing here touches the machine's shared Redis or PostgreSQL servers: Redis faults use a private
``redis-server`` on a free port, PostgreSQL faults cut the proxy (as a server restart looks to the
application) or terminate this test database's own connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import shutil
import socket
import subprocess
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from mail_helpers import free_port
from support import REQUIRE_SERVICES

from devdata.soak import PASSWORD
from devdata.soak import VERSION_INPUT as _VERSION

REDIS_SERVER = shutil.which("redis-server")


def unavailable(reason: str) -> None:
    """Skip the test, or fail it when ``PLNENI_REQUIRE_SERVICES=1`` (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"PLNENI_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


class PrivateRedis:
    """A ``redis-server`` of the test's own on a free loopback port, no persistence; stop/start at will."""

    def __init__(self, folder: Path) -> None:
        if REDIS_SERVER is None:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it accepts connections (20 s at most)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the private redis-server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        """Kill the server (SIGKILL: an outage, not a clean shutdown) and reap it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class TcpProxy:
    """A TCP relay 127.0.0.1:port → target. ``cut()`` drops every connection and refuses new ones
    (to the application, PostgreSQL went away); ``restore()`` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self.threads.append(thread)

    restore = start

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener was closed by cut()
                return
            if self.listener is not listener:  # accepted while being cut
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, sink)

    def _close(self, *socks: socket.socket) -> None:
        with self.lock:
            for sock in socks:
                if sock in self.sockets:
                    self.sockets.discard(sock)
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()

    def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        if self.listener is not None:
            listener, self.listener = self.listener, None
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept() (Linux)
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            open_sockets = list(self.sockets)
        self._close(*open_sockets)

    def stop(self) -> None:
        self.cut()


class HoldingInbox:
    """aiosmtpd handler that records a message, then holds its „250 OK“ until :meth:`release`
    (the sending worker is stuck mid-send, after the server has the message)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.received = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        self.received.set()
        await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 60)
        return "250 OK"

    def release(self) -> None:
        self.released.set()


def wait_until(condition: Any, timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll ``condition()`` until true; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def sign_in(client: FlaskClient, email: str) -> None:
    """Sign in with the soak accounts' password through the real form; fails the test otherwise."""
    response = client.post("/prihlaseni", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def version_on(client: FlaskClient, path: str) -> str:
    """The entry version a page's form carries (the edit page or the detail page's buttons)."""
    response = client.get(path)
    match = _VERSION.search(response.get_data(as_text=True))
    assert match, f"no version on {path} (HTTP {response.status_code})"
    return match.group(1) or match.group(2)
