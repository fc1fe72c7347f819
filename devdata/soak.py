"""The soak: N simulated users run the whole entry cycle against real gunicorn + Celery for T seconds.

Run by ``scripts/soak.py`` (the full run, see there) and by ``tests/system/reliability/test_soak.py`` (the
CI version); the reliability tests share :func:`seed`, :data:`PASSWORD` and :data:`VERSION_INPUT`.
The soak adds its own plan, bodies, users and round with a run prefix and touches nothing else, so
it may run on a database that holds other data. It is the one part of :mod:`devdata` that builds the
web application (:func:`soak` runs the whole product), an exception the import contracts name.

What it does:

1. ``flask db upgrade`` on ``DATABASE_URL``; seeds a plan of N activities, one body per activity,
   one contributor per body, ``ceil(N/5)`` reviewers (each scoped to every fifth body), one
   secretary, and an opened round (one entry per contributor).
2. Starts ``gunicorn wsgi:app`` (``--workers``/``--threads``) on a free loopback port and a
   ``celery worker``, e-mails written as ``.eml`` files to a temporary folder.
3. Runs N threads; each signs in as its contributor, a reviewer and the secretary and repeats,
   with a random think time between steps: save a draft, autosave, save again, submit, the
   reviewer returns it with a reason, the contributor reworks and submits, the reviewer approves,
   the secretary reopens it (reason required) — until the time is up.
4. Verifies in the database: no 5xx and no unexpected status; every entry's answer equals the
   last one its author saved; its state is the last one the client reached; its transitions are
   exactly the ones the client fired, in order, each with its version; every submitted version
   holds the text submitted; every outbox message that is due is ``sent``, one „returned“ e-mail
   per return, every sent message delivered exactly once (``.eml`` files per recipient), and the
   reviewer digests list every entry submitted.
5. Returns the figures and the violations (``scripts/soak.py`` prints them as JSON).
"""

from __future__ import annotations

import math
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "soak-heslo-Plneni-2026"  # noqa: S105 - test accounts of the soak only
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')


# --------------------------------------------------------------------------- seeding


@dataclass
class Seeded:
    """What the soak created: ids and e-mail addresses (no ORM objects leave the app context)."""

    run: str
    round_id: int
    entries: list[int]  # entry of user i
    contributors: list[str]
    reviewers: list[str]
    secretary: str


def seed(app: Any, users: int) -> Seeded:
    """Create the soak's plan, bodies, users and an opened round in ``app``'s database; commits.

    :param users: number of contributors (one body and one entry each).
    :returns: the ids and sign-in e-mails.
    """
    from workflow.db import db
    from workflow.models import Activity, ActivityBody, Body, Entry, Plan, PlanNode, RoleAssignment, User
    from workflow.passwords import hash_password
    from workflow.rounds import create_round, open_round
    from workflow.states import Role

    run = secrets.token_hex(3)
    with app.app_context():
        password_hash = hash_password(PASSWORD)

        def user(email: str, roles: list[RoleAssignment], bodies: list[Body] = ()) -> User:  # type: ignore[assignment]
            u = User(
                email=email, name=email.split("@")[0], password_hash=password_hash, active=True, locale="cs"
            )
            u.role_assignments = roles
            u.bodies.extend(bodies)
            db.session.add(u)
            return u

        bodies = [
            Body(abbreviation=f"SOAK{run}-{i:03d}", name=f"Odbor zátěžového testu {i}", kind="department")
            for i in range(users)
        ]
        db.session.add_all(bodies)
        plan = Plan(title=f"Zátěžový plán {run}", default_body=bodies[0])
        db.session.add(plan)
        db.session.flush()
        area = PlanNode(
            plan=plan, depth=0, code="Z", title="Zátěž", position=0, footnotes=[], coordination=[]
        )
        goal = PlanNode(
            plan=plan, depth=1, parent=area, code="Z1", title="Zátěžový cíl", footnotes=[], coordination=[]
        )
        for i, body in enumerate(bodies):
            code = f"Z1.{i + 1}"
            activity = Activity(
                plan=plan,
                node=goal,
                top_node=area,
                code=code,
                sort_key=f"Z1.{i + 1:04d}",
                description=f"Aktivita {code}",
                indicator="Počet akcí",
                deadline_raw="průběžně",
                deadline_kind="ongoing",
                responsibility_raw=body.abbreviation,
            )
            activity.routing = [ActivityBody(body=body, position=0)]
            db.session.add(activity)
        secretary = user(f"soak{run}.tajemnik@example.cz", [RoleAssignment(role=Role.secretary)])
        n_reviewers = max(1, math.ceil(users / 5))
        reviewers = [
            user(
                f"soak{run}.hodnotitel{j}@example.cz",
                [RoleAssignment(role=Role.reviewer, body_id=b.id) for b in bodies[j::n_reviewers]],
            )
            for j in range(n_reviewers)
        ]
        contributors = [
            user(f"soak{run}.zpracovatel{i}@example.cz", [RoleAssignment(role=Role.contributor)], [b])
            for i, b in enumerate(bodies)
        ]
        db.session.flush()
        round_ = create_round(
            plan.id,
            secretary,
            title=f"Zátěžové kolo {run}",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            submission_deadline=date(2099, 2, 28),
            review_deadline=date(2099, 3, 31),
        )
        open_round(round_, secretary)
        db.session.commit()
        by_body = {e.body_id: e.id for e in db.session.query(Entry).filter_by(round_id=round_.id)}
        seeded = Seeded(
            run=run,
            round_id=round_.id,
            entries=[by_body[b.id] for b in bodies],
            contributors=[c.email for c in contributors],
            reviewers=[r.email for r in reviewers],
            secretary=secretary.email,
        )
        db.session.remove()
    return seeded


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Servers:
    """gunicorn and the Celery worker of one soak run."""

    url: str
    mail_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        """Terminate both processes (SIGTERM, then SIGKILL after 20 s)."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        """The end of both logs (for failure messages)."""
        return "\n".join(f"--- {p.name} ---\n{p.read_text(errors='replace')[-chars:]}" for p in self.logs)


def start_servers(env: dict[str, str], workdir: Path, *, workers: int = 4, threads: int = 4) -> Servers:
    """Start ``gunicorn wsgi:app`` and ``celery worker`` with ``env`` (must hold DATABASE_URL and the
    broker); e-mails go to ``workdir/mail`` as ``.eml`` files.

    :raises RuntimeError: a process did not come up within 90 s.
    """
    port = free_port()
    mail_dir = workdir / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **env,
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(mail_dir),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    servers = Servers(url=f"http://127.0.0.1:{port}", mail_dir=mail_dir)
    commands = {
        "gunicorn.log": [
            sys.executable,
            "-m",
            "gunicorn",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
            # Longer than any think time: an idle keep-alive connection closed by the server just as
            # the client reuses it is a client-side reset, not a server fault.
            "--keep-alive",
            "75",
            "wsgi:app",
        ],
        "worker.log": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wsgi.celery_app",
            "worker",
            "--concurrency=2",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
    }
    for name, command in commands.items():
        log = workdir / name
        servers.logs.append(log)
        with log.open("wb") as out:
            servers.processes.append(
                subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
            )
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(servers.url + "/prihlaseni", timeout=5) as response:  # noqa: S310
                if response.status == 200 and b"ready." in servers.logs[1].read_bytes():
                    return servers
        except OSError:
            pass
        if time.monotonic() > deadline or any(p.poll() is not None for p in servers.processes):
            servers.stop()
            raise RuntimeError(f"the soak's servers did not start:\n{servers.log_tail()}")
        time.sleep(0.3)


# --------------------------------------------------------------------------- the simulated users


@dataclass
class Figures:
    """Everything measured, shared by the threads (append-only lists, a lock for the counters)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def record(self, action: str, status: int, seconds: float, expected: tuple[int, ...]) -> None:
        with self.lock:
            self.latencies[action].append(seconds)
            self.statuses[status] += 1
            if status not in expected:
                self.unexpected.append(f"{action}: HTTP {status}")


@dataclass
class Journal:
    """What one user's client did to its entry: the ground truth the database is checked against."""

    entry_id: int
    last_text: str = ""
    state: str = "not_started"
    transitions: list[str] = field(default_factory=list)
    submitted_texts: list[str] = field(default_factory=list)
    cycles: int = 0
    error: str = ""


class User:
    """One signed-in browser session (cookies, CSRF token) that records every request's figures."""

    def __init__(self, base: str, email: str, figures: Figures) -> None:
        self.base, self.email, self.figures = base, email, figures
        self.http = requests.Session()
        self.csrf = ""

    def request(
        self, action: str, method: str, path: str, expected: tuple[int, ...] = (200, 302), **kwargs: Any
    ) -> requests.Response:
        started = time.perf_counter()
        response = self.http.request(method, self.base + path, allow_redirects=False, timeout=120, **kwargs)
        self.figures.record(action, response.status_code, time.perf_counter() - started, expected)
        match = (
            _CSRF.search(response.text) if "text/html" in response.headers.get("Content-Type", "") else None
        )
        if match:
            self.csrf = match.group(1)
        return response

    def sign_in(self) -> None:
        self.request("sign_in_page", "GET", "/prihlaseni", (200,))
        response = self.request(
            "sign_in",
            "POST",
            "/prihlaseni",
            (302,),
            data={"csrf_token": self.csrf, "email": self.email, "password": PASSWORD},
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.email} could not sign in: HTTP {response.status_code}")

    def version(self, entry_id: int, page: str = "edit") -> int:
        path = f"/zaznamy/{entry_id}/upravit" if page == "edit" else f"/zaznamy/{entry_id}"
        response = self.request(f"{page}_page", "GET", path, (200,))
        match = VERSION_INPUT.search(response.text)
        if not match:
            raise RuntimeError(f"no version on {path} (HTTP {response.status_code})")
        return int(match.group(1) or match.group(2))

    def save(self, entry_id: int, text: str, version: int, action: str = "save") -> requests.Response:
        data = {
            "csrf_token": self.csrf,
            "version": str(version),
            "fulfilment_status": "ongoing",
            "text": text,
            "cooperation_text": "obce a NNO",
            "action": action,
        }
        return self.request(action, "POST", f"/zaznamy/{entry_id}/upravit", (302,), data=data)

    def autosave(self, entry_id: int, text: str, version: int) -> requests.Response:
        data = {
            "csrf_token": self.csrf,
            "version": str(version),
            "fulfilment_status": "ongoing",
            "text": text,
            "cooperation_text": "obce a NNO",
        }
        return self.request(
            "autosave",
            "POST",
            f"/zaznamy/{entry_id}/autosave",
            (200,),
            data=data,
            headers={"HX-Request": "true"},
        )

    def fire(self, entry_id: int, name: str, comment: str = "") -> requests.Response:
        version = self.version(entry_id, "detail")
        data = {"csrf_token": self.csrf, "version": str(version), "comment": comment}
        return self.request(name, "POST", f"/zaznamy/{entry_id}/akce/{name}", (302,), data=data)


def simulate(
    base: str,
    index: int,
    seeded: Seeded,
    stop_at: float,
    think: tuple[float, float],
    figures: Figures,
    journal: Journal,
) -> None:
    """One simulated user's loop (see the module docstring); fills ``journal``."""
    rng = random.Random(index)  # noqa: S311 - think times and numbers, not secrets
    entry = journal.entry_id
    author = User(base, seeded.contributors[index], figures)
    reviewer = User(base, seeded.reviewers[index % len(seeded.reviewers)], figures)
    secretary = User(base, seeded.secretary, figures)

    def pause() -> None:
        time.sleep(rng.uniform(*think))

    def text(step: str) -> str:
        return (
            f"Uživatel {index}, cyklus {journal.cycles}, krok {step}: uspořádali jsme "
            f"{rng.randint(1, 99)} setkání s obcemi a NNO; žluťoučký kůň {secrets.token_hex(4)}."
        )

    def saved(response: requests.Response, value: str) -> None:
        if response.status_code == 302:
            journal.last_text = value
            if journal.state in ("not_started", "returned"):
                journal.transitions.append("start" if journal.state == "not_started" else "rework")
                journal.state = "draft"

    def fired(response: requests.Response, name: str, target: str) -> None:
        if response.status_code == 302:
            journal.transitions.append(name)
            journal.state = target

    try:
        for session in (author, reviewer, secretary):
            session.sign_in()
        while time.monotonic() < stop_at:
            version = author.version(entry)
            value = text("koncept")
            saved(author.save(entry, value, version), value)
            pause()
            version = author.version(entry)
            value = text("autosave")
            response = author.autosave(entry, value, version)
            if 'data-autosave="saved"' in response.text:
                journal.last_text = value
            else:
                figures.record("autosave_not_saved", 0, 0.0, (200,))
            pause()
            version = author.version(entry)
            value = text("odeslání")
            response = author.save(entry, value, version, action="submit")
            saved(response, value)
            if response.status_code == 302:
                journal.transitions.append("submit")
                journal.state = "submitted"
                journal.submitted_texts.append(value)
            pause()
            fired(
                reviewer.fire(entry, "send_back", f"Doplňte prosím čísla (cyklus {journal.cycles})."),
                "send_back",
                "returned",
            )
            pause()
            version = author.version(entry)
            value = text("doplnění")
            response = author.save(entry, value, version, action="submit")
            saved(response, value)
            if response.status_code == 302:
                journal.transitions.append("submit")
                journal.state = "submitted"
                journal.submitted_texts.append(value)
            pause()
            fired(reviewer.fire(entry, "approve"), "approve", "approved")
            pause()
            if time.monotonic() >= stop_at:
                break
            fired(secretary.fire(entry, "reopen", "Nový cyklus zátěžového testu."), "reopen", "draft")
            journal.cycles += 1
            pause()
    except Exception as exc:  # recorded and reported: a failed user fails the soak
        journal.error = f"{exc.__class__.__name__}: {exc}"


def run_users(
    base: str, seeded: Seeded, seconds: float, think: tuple[float, float]
) -> tuple[Figures, list[Journal]]:
    """Run one thread per contributor for ``seconds``; returns the figures and the journals."""
    figures = Figures()
    journals = [Journal(entry_id=e) for e in seeded.entries]
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=simulate, args=(base, i, seeded, stop_at, think, figures, journals[i]), daemon=True
        )
        for i in range(len(seeded.entries))
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # stagger the sign-ins
    for thread in threads:
        thread.join(timeout=seconds + 600)
    return figures, journals


# --------------------------------------------------------------------------- verification


def verify(
    app: Any,
    seeded: Seeded,
    figures: Figures,
    journals: list[Journal],
    mail_dir: Path,
    wait_mail_seconds: float = 120,
) -> list[str]:
    """Compare the database with the clients' journals; returns the violations (empty: all good)."""
    from sqlalchemy import select

    from notifications import digest, outbox
    from notifications.outbox import OutboxMessage
    from workflow.db import db
    from workflow.models import Entry, EntryTransition, EntryVersion

    problems: list[str] = [f"unexpected answer: {u}" for u in figures.unexpected[:50]]
    problems += [f"{n} answers with HTTP {s}" for s, n in figures.statuses.items() if s >= 500]
    problems += [f"user {i} stopped: {j.error}" for i, j in enumerate(journals) if j.error]
    with app.app_context():
        for i, journal in enumerate(journals):
            entry = db.session.get(Entry, journal.entry_id)
            if (entry.text or "") != journal.last_text:
                problems.append(
                    f"entry {entry.id} (user {i}): text {entry.text!r} != last saved {journal.last_text!r}"
                )
            if entry.state != journal.state:
                problems.append(f"entry {entry.id}: state {entry.state} != client's {journal.state}")
            rows = list(
                db.session.scalars(
                    select(EntryTransition)
                    .where(EntryTransition.entry_id == entry.id)
                    .order_by(EntryTransition.id)
                )
            )
            if [r.name for r in rows] != journal.transitions:
                problems.append(
                    f"entry {entry.id}: transitions {[r.name for r in rows]} != {journal.transitions}"
                )
            if any(r.version_id is None for r in rows):
                problems.append(f"entry {entry.id}: a transition without its version")
            submitted = [db.session.get(EntryVersion, r.version_id).text for r in rows if r.name == "submit"]
            if submitted != journal.submitted_texts:
                problems.append(f"entry {entry.id}: submitted versions differ from the texts submitted")
        # E-mails: every due message sent; each „returned“ e-mail delivered exactly once. A digest
        # falls due at the end of its window (the next full hour), and then beat's outbox sweep
        # hands it to the worker; the soak runs no beat, so a run that crosses the hour sweeps
        # here as beat would (every 10 s while something due is unsent).
        deadline = time.monotonic() + wait_mail_seconds
        swept_at = -math.inf
        while True:
            now = outbox.utcnow()
            due = list(
                db.session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.round_id == seeded.round_id, OutboxMessage.next_attempt_at <= now
                    )
                )
            )
            unsent = [m for m in due if m.state != outbox.SENT]
            db.session.rollback()
            if not unsent or time.monotonic() > deadline:
                break
            if time.monotonic() - swept_at >= 10:
                outbox.dispatch(outbox.due_message_ids())
                db.session.rollback()
                swept_at = time.monotonic()
            time.sleep(1)
        if unsent:
            problems.append(f"{len(unsent)} due e-mails not sent after {wait_mail_seconds} s")
        returned = [m for m in due if m.kind == "entry_returned"]
        send_backs = sum(j.transitions.count("send_back") for j in journals)
        if len(returned) != send_backs:
            problems.append(f"{len(returned)} „returned“ e-mails in the outbox for {send_backs} returns")
        eml_to = Counter()
        for path in mail_dir.glob("*.eml"):
            head = path.read_bytes().split(b"\n\n", 1)[0].decode("utf-8", "replace")
            to = re.search(r"^To: (.+)$", head, re.M)
            eml_to[to.group(1).strip() if to else "?"] += 1
        per_recipient = Counter(m.recipient_email for m in due if m.state == outbox.SENT)
        for address in set(per_recipient) | set(eml_to):
            if eml_to[address] != per_recipient[address]:
                problems.append(
                    f"{address}: {eml_to[address]} e-mails delivered, {per_recipient[address]} messages sent"
                )
        digests = list(
            db.session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.round_id == seeded.round_id, OutboxMessage.kind == "reviewer_digest"
                )
            )
        )
        # a digest not yet sent lists its entries as rows (notifications.digest)
        listed = {item["id"] for m in digests for item in digest.payload_for(m).get("entries", [])}
        submitted_entries = {j.entry_id for j in journals if "submit" in j.transitions}
        if not submitted_entries <= listed:
            problems.append(
                f"entries missing from the reviewer digests: {sorted(submitted_entries - listed)}"
            )
        figures_mail = {
            "outbox_due": len(due),
            "outbox_sent": len(due) - len(unsent),
            "returned_emails": len(returned),
            "eml_files": sum(eml_to.values()),
            "digests": len(digests),
        }
        db.session.remove()
    figures.latencies["_mail"] = []  # keep the key order stable in the summary
    figures.mail = figures_mail  # type: ignore[attr-defined]
    return problems


def summary(figures: Figures, journals: list[Journal], seconds: float, users: int) -> dict[str, Any]:
    """The soak's figures: requests, rate, status counts, latency percentiles per action (ms)."""

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0

    everything = [v for k, vs in figures.latencies.items() if not k.startswith("_") for v in vs]
    return {
        "users": users,
        "seconds": round(seconds, 1),
        "requests": len(everything),
        "requests_per_second": round(len(everything) / seconds, 1) if seconds else 0,
        "statuses": {str(k): v for k, v in sorted(figures.statuses.items())},
        "errors_5xx": sum(v for k, v in figures.statuses.items() if k >= 500),
        "cycles_completed": sum(j.cycles for j in journals),
        "transitions": sum(len(j.transitions) for j in journals),
        "latency_ms": {
            "all": {
                "p50": pct(everything, 0.5),
                "p95": pct(everything, 0.95),
                "p99": pct(everything, 0.99),
                "max": pct(everything, 1.0),
                "mean": round(1000 * statistics.fmean(everything), 1) if everything else 0,
            },
            **{
                k: {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "max": pct(v, 1.0)}
                for k, v in sorted(figures.latencies.items())
                if not k.startswith("_")
            },
        },
        "mail": getattr(figures, "mail", {}),
    }


def soak(
    env: dict[str, str],
    users: int,
    seconds: float,
    *,
    think: tuple[float, float] = (0.5, 1.5),
    workers: int = 4,
    threads: int = 4,
    workdir: Path | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Seed, start the servers, run the users, verify; returns ``(figures, violations)``.

    :param env: environment of the app and its processes (``DATABASE_URL``, ``CELERY_BROKER_URL`` or
        ``REDIS_URL``, ``SECRET_KEY``, ``INSTANCE_PATH``, …).
    :param seconds: how long the users run (s).
    """
    from web import create_app

    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="plneni-soak-")) if workdir is None else workdir
    app = create_app(environ=env)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        seeded = seed(app, users)
        servers = start_servers(env, workdir, workers=workers, threads=threads)
        try:
            started = time.monotonic()
            figures, journals = run_users(servers.url, seeded, seconds, think)
            elapsed = time.monotonic() - started
            problems = verify(app, seeded, figures, journals, servers.mail_dir)
        finally:
            servers.stop()
        if problems:
            own_dir = False  # keep the logs for the post-mortem
            problems.append(f"logs in {workdir}:\n{servers.log_tail()}")
        return summary(figures, journals, elapsed, users), problems
    finally:
        with app.app_context():
            from workflow.db import db

            db.engine.dispose()
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
