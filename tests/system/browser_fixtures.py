"""Fixtures of the browser tests: Debian's Chromium driven by Playwright (sync API), the product served
by a real ``gunicorn`` process on loopback, a real Celery worker, e-mails captured as ``.eml`` files,
and the axe-core accessibility check.

Import explicitly in a test module::

    from browser_fixtures import Journey, browser, live_server, ...  # noqa: F401

Without ``/usr/bin/chromium`` (or without the ``playwright`` package) the tests are skipped, unless
``PLNENI_REQUIRE_SERVICES=1`` (CI), where they fail.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from support import PROJECT_ROOT, REQUIRE_SERVICES

CHROMIUM = Path(os.environ.get("PLNENI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
AXE_JS = PROJECT_ROOT / "tests" / "vendor" / "axe.min.js"
SCREENS = PROJECT_ROOT / "test-artifacts" / "screens"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
#: axe impacts that fail a page (WCAG 2.1 AA rules only).
BLOCKING_IMPACTS = ("serious", "critical")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"PLNENI_REQUIRE_SERVICES=1 but the browser tests cannot run: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's ``/usr/bin/chromium``) for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


# --------------------------------------------------------------------------- server and worker


@dataclass
class LiveServer:
    """The running product: its base URL, the folder e-mails land in, and the logs."""

    url: str
    outbox: Path
    instance: Path
    env: dict[str, str]
    logs: dict[str, Path] = field(default_factory=dict)

    def emails(self) -> list[EmailMessage]:
        """Every e-mail captured so far, oldest first (parsed ``.eml`` files)."""
        files = sorted(self.outbox.glob("*.eml"), key=lambda p: (p.stat().st_mtime, p.name))
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in files
        ]

    def wait_for_email(self, to: str, subject_contains: str = "", timeout: float = 30.0) -> EmailMessage:
        """The newest e-mail to ``to`` whose subject contains ``subject_contains``; waits for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.emails()
                     if to.lower() in str(m["To"]).lower()
                     and subject_contains.lower() in str(m["Subject"]).lower()]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                seen = [(str(m["To"]), str(m["Subject"])) for m in self.emails()]
                raise AssertionError(f"no e-mail to {to} with {subject_contains!r} within {timeout} s; "
                                     f"got {seen}\n"
                                     f"{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server and worker logs (for failure messages)."""
        parts = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- {name} log ---\n{text[-chars:]}")
        return "\n".join(parts)


def email_text(message: EmailMessage) -> str:
    """The plain-text body of ``message`` (or its HTML when there is no text part)."""
    part = message.get_body(preferencelist=("plain", "html"))
    assert part is not None, "e-mail without a body"
    return part.get_content()


def first_link(message: EmailMessage, path_prefix: str) -> str:
    """The first URL in ``message`` whose path starts with ``path_prefix`` (e.g. ``/pozvanka/``)."""
    match = re.search(r"https?://[^\s\"'<>]+" + re.escape(path_prefix) + r"[^\s\"'<>]*", email_text(message))
    assert match, f"no {path_prefix} link in the e-mail:\n{email_text(message)}"
    return match.group(0)


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the server did not start at {url}:\n{log.read_text(errors='replace')[-6000:]}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[LiveServer]:
    """``gunicorn wsgi:app`` on a free loopback port plus a ``celery worker``, both on the test
    database and broker, e-mails written as ``.eml`` files to a folder of their own.

    Module-scoped on purpose: the worker consumes the shared test broker, so it must be gone before
    other test packages (e.g. ``tests/notifications`` with its own SMTP worker) run."""
    port = free_port()
    instance = Path(app.config["INSTANCE_DIR"])
    outbox = instance / "browser-outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    outbox.mkdir(parents=True)
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        PLNENI_ENV="testing",
        INSTANCE_PATH=str(instance),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        CELERY_BROKER_URL=app.config["CELERY"]["broker_url"],
        BASE_URL=base_url,
        MAIL_BACKEND="outbox",
        MAIL_OUTBOX_DIR=str(outbox),
        SECRET_KEY=app.config["SECRET_KEY"],
        PYTHONUNBUFFERED="1",
    )
    # The test process itself enqueues e-mails too (the reminder sweep): same folder.
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_OUTBOX_DIR", "BASE_URL")}
    app.config.update(MAIL_BACKEND="outbox", MAIL_OUTBOX_DIR=str(outbox), BASE_URL=base_url)
    server = LiveServer(url=base_url, outbox=outbox, instance=instance, env=env)
    server_log = instance / "browser-server.log"
    worker_log = instance / "browser-worker.log"
    server.logs = {"server": server_log, "worker": worker_log}
    app.extensions["celery"].control.purge()
    with server_log.open("wb") as out:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "--timeout", "120", "--access-logfile", "-", "wsgi:app"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    with worker_log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wsgi.celery_app", "worker", "--pool=solo",
             "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_http(f"{base_url}/healthz", web, server_log)
        deadline = time.monotonic() + 60
        while b"ready." not in worker_log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"celery worker did not start:\n{worker_log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(web)
        _stop(worker)
        app.config.update(saved)


# --------------------------------------------------------------------------- accessibility


@dataclass
class AxeReport:
    """Which pages axe-core checked and what it found (all impacts, for the log)."""

    checked: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)

    def check(self, page: Any) -> None:
        """Run axe on ``page`` and remember serious/critical violations instead of raising (a journey
        goes on; :meth:`assert_clean` fails at its end)."""
        try:
            check_accessibility(page, self)
        except AssertionError as exc:
            self.blocking.append(str(exc))

    def assert_clean(self) -> None:
        """Fail if any page checked with :meth:`check` had a serious or critical violation."""
        assert not self.blocking, "\n\n".join(self.blocking)


def format_violations(violations: list[dict[str, Any]]) -> str:
    """axe violations as readable lines: impact, rule, help, and the first offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v.get("nodes", [])[:5]:
            target = ", ".join(map(str, node.get("target", [])))
            lines.append(f"    {target}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def check_accessibility(page: Any, report: AxeReport | None = None) -> list[dict[str, Any]]:
    """Run axe-core on ``page``; fail on any serious or critical violation (printed in full).

    :returns: the non-blocking (minor/moderate) violations.
    """
    # The page as a person sees it: its style sheets, which the browser loads before it paints the
    # page, applied. A step may go on as soon as the element it waits for is in the DOM, before the
    # „load“ event: axe then judged the header and the buttons without app.css (Bootstrap's blue
    # on white, a flake of the journey on a loaded machine).
    page.wait_for_load_state("load")
    # new_page() installs axe as an init script (the product's CSP forbids injected <script> tags).
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core is not loaded"
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    if report is not None:
        report.checked.append(page.url)
        report.minor.extend(f"{page.url}: {v['id']} ({v.get('impact')})" for v in others)
    if blocking:
        print(f"axe-core violations on {page.url}:\n{format_violations(blocking)}")
    assert not blocking, (
        f"axe-core: serious/critical violations on {page.url}:\n{format_violations(blocking)}"
    )
    return others


# --------------------------------------------------------------------------- journey steps


class Journey:
    """Numbered steps with screenshots: ``with journey.step("import", page): …``.

    Every step saves ``test-artifacts/screens/NN-name.png``; a failing one saves
    ``NN-name-FAILED.png`` and ``NN-name-console.log`` (the browser console and page errors of every
    page of the journey) and re-raises. ``journey.results`` records what passed.
    """

    def __init__(self, prefix: str = "") -> None:
        SCREENS.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.number = 0
        self.console: list[str] = []
        self.results: list[tuple[str, str]] = []

    def watch(self, page: Any, who: str) -> Any:
        """Record the console messages and uncaught errors of ``page`` (labelled ``who``)."""
        page.on("console", lambda msg: self.console.append(f"[{who}] {msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.console.append(f"[{who}] pageerror: {exc}"))
        return page

    @contextmanager
    def step(self, name: str, page: Any) -> Iterator[None]:
        self.number += 1
        stem = f"{self.prefix}{self.number:02d}-{name}"
        try:
            yield
        except BaseException:
            try:
                page.screenshot(path=str(SCREENS / f"{stem}-FAILED.png"), full_page=True)
            finally:
                (SCREENS / f"{stem}-console.log").write_text(
                    f"url: {page.url}\n" + "\n".join(self.console) + "\n", encoding="utf-8"
                )
                self.results.append((stem, "FAILED"))
            raise
        page.screenshot(path=str(SCREENS / f"{stem}.png"), full_page=True)
        self.results.append((stem, "ok"))


def new_page(
    browser: Any, base_url: str, *, viewport: dict[str, int] = DESKTOP, locale: str = "cs-CZ"
) -> Any:
    """A page in a fresh browser context (own cookies) with Czech browser settings.

    The product's Content-Security-Policy is in force (no ``bypass_csp``): axe-core comes in as an
    init script, which the browser runs outside the page's CSP. Every CSP violation the page
    reports is collected in ``CSP_VIOLATIONS`` (see :func:`assert_no_csp_violations`).
    """
    context = browser.new_context(base_url=base_url, viewport=viewport, locale=locale,
                                  timezone_id="Europe/Prague", accept_downloads=True)
    context.set_default_timeout(20_000)
    context.add_init_script(path=str(AXE_JS))
    context.add_init_script(script=_CSP_LISTENER)
    page = context.new_page()
    page.on("console", _record_csp_violation)
    return page


#: Reports ``securitypolicyviolation`` events on the console with a recognisable prefix.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at '
                + e.sourceFile + ':' + e.lineNumber);
});
"""
#: Every Content-Security-Policy violation any page of the session reported (console text).
CSP_VIOLATIONS: list[str] = []


def _record_csp_violation(message: Any) -> None:
    text = message.text
    if "CSP-VIOLATION" in text or "Content Security Policy" in text:
        CSP_VIOLATIONS.append(text)


def assert_no_csp_violations() -> None:
    """Fail if any page opened with :func:`new_page` reported a Content-Security-Policy violation."""
    assert not CSP_VIOLATIONS, "Content-Security-Policy violations:\n" + "\n".join(CSP_VIOLATIONS)


def sign_in(page: Any, email_address: str, password: str) -> None:
    """Sign in through the real form; asserts that the sign-in page is left."""
    page.goto("/prihlaseni")
    page.get_by_label("E-mail").fill(email_address)
    page.get_by_label("Heslo", exact=True).fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/prihlaseni" not in page.url, f"sign-in as {email_address} failed: {page.url}"


def no_horizontal_scroll(page: Any) -> bool:
    """True if the page fits its viewport width (nothing to scroll sideways), once web fonts are in
    and the layout has settled (re-measured for up to 2 s)."""
    return bool(page.evaluate(
        """async () => {
          await document.fonts.ready;
          for (let i = 0; i < 10; i++) {
            if (document.documentElement.scrollWidth <= window.innerWidth + 1) return true;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          return false;
        }"""
    ))


def overflowing_elements(page: Any, limit: int = 8) -> list[str]:
    """The outermost elements that stick out of the viewport on the right (for failure messages)."""
    return page.evaluate(
        """(limit) => {
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > window.innerWidth + 1 && r.width > 0) {
              let p = el.parentElement, inside = false;
              while (p) { if (out.includes(p)) { inside = true; break; } p = p.parentElement; }
              const sc = el.closest('.table-responsive, [data-scroll-region], pre');
              if (!inside && !(sc && sc !== el)) out.push(el);
            }
            if (out.length >= limit) break;
          }
          return out.map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} `
            + `right=${Math.round(el.getBoundingClientRect().right)} `
            + `"${(el.textContent || '').trim().slice(0, 40)}"`);
        }""",
        limit,
    )


def dump_json(path: Path, data: Any) -> None:
    """Write ``data`` as pretty JSON (artifacts for CI)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


__all__ = [
    "AXE_JS", "CSP_VIOLATIONS", "DESKTOP", "PHONE", "SCREENS", "AxeReport", "Journey", "LiveServer",
    "assert_no_csp_violations", "browser", "check_accessibility", "dump_json", "email_text", "first_link",
    "format_violations", "free_port", "live_server", "new_page", "no_horizontal_scroll",
    "overflowing_elements", "sign_in",
]
