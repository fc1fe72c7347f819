"""The benchmark of issue 8, in one run on loopback: ``python -m bench`` (or ``scripts/bench.sh``).

1. Creates its own PostgreSQL database (``--db``, default ``bench``), applies the migrations and
   fills it with the „velký“ profile (:mod:`devdata.largedata`), unless ``--reuse-db``.
2. Starts gunicorn (``--workers`` sync workers, default 4 = 2 per core) and one Celery worker on
   that database and a dedicated Redis db (``--redis-db``), e-mails to an outbox folder.
3. Runs ``locust --headless`` once per endpoint and number of users (1, 10, 50 by default) for
   ``--duration`` seconds each: a trivial endpoint of the same stack (``/healthz``: Flask, the
   session, one ``SELECT 1``) as the ceiling, then „Moje úkoly“, the entry form, a draft save, a
   submit, the reviewer's filtered queue, the round dashboard, the consolidated report page and
   an API list. Requests per second, p50/p95/p99 latency and the ratio to the ceiling's
   throughput are printed per endpoint.
4. Times opening a round of ≈3,000 entries, the reminder sweep (selection and rendering of every
   e-mail), the DOCX, XLSX and PDF export of the 2,000-activity report (through the Celery
   worker, as users get them) and records the peak RSS of a web worker and of the Celery worker.
   Then „submit, 1 vs 2 processes“ (:func:`submit_scaling`): one body's contributor submitting
   that body's entries in one process, then in two at once, with 3,000 items already in each
   reviewer's digest of the hour (issue 17: two processes ≥ 1.6 × one).
5. Writes ``bench/results/latest.json`` and, with ``--write-docs``, the tables of
   ``docs/performance.md`` (between the ``bench:results`` markers).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
#: endpoint key → (role, URL template, description); the order of the run and of the table.
ENDPOINTS: dict[str, tuple[str, str, str]] = {
    "ceiling": ("contributor", "/healthz", "strop: /healthz (Flask, session, SELECT 1)"),
    "tasks": ("contributor", "/moje-ukoly", "Moje úkoly (zpracovatel)"),
    "form": ("contributor", "/zaznamy/{form_entry}/upravit", "formulář záznamu (GET)"),
    "queue": ("reviewer", "/kontrola?round={open_round}&state=submitted", "fronta hodnotitele (filtr)"),
    "dashboard": ("secretary", "/kola/{open_round}", "přehled kola (tajemník)"),
    "report": ("secretary", "/kola/{report_round}/zprava", "souhrnná zpráva (2 000 aktivit)"),
    "api": ("secretary", "/api/v1/rounds/{open_round}/entries", "API: záznamy kola"),
    "save": ("submitter", "/zaznamy/<id>/upravit (POST)", "uložení rozpracovaného (POST)"),
    "submit": ("submitter", "/zaznamy/<id>/upravit (POST)", "odeslání ke kontrole (POST)"),
}
#: Pages measured against the targets (all but exports): p95 ≤ 100 ms at 10 users, ≥ 30 % of the ceiling.
TARGET_P95_MS = 100
TARGET_RATIO = 0.30
TARGET_SECONDS = {
    "open_round": 5,
    "reminder_sweep": 10,
    "export_docx": 30,
    "export_xlsx": 15,
    "export_pdf": 60,
}
TARGET_MB = {"web_worker": 300, "celery_worker": 400}


@dataclass
class Services:
    """The processes the benchmark started (ended by their own pids at the end)."""

    gunicorn: subprocess.Popen[bytes] | None = None
    celery: subprocess.Popen[bytes] | None = None
    peaks: dict[str, float] = field(default_factory=lambda: {"web_worker": 0.0, "celery_worker": 0.0})
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        """Poll the RSS of the gunicorn workers and the Celery worker processes every 0.2 s."""
        while not self.stop.is_set():
            for key, proc in (("web_worker", self.gunicorn), ("celery_worker", self.celery)):
                if proc is None:
                    continue
                try:
                    parent = psutil.Process(proc.pid)
                    children = parent.children(recursive=True)
                    # gunicorn: the workers are the children; Celery (prefork): the master and its children
                    candidates = children if key == "web_worker" else [parent, *children]
                    for child in candidates:
                        rss = child.memory_info().rss / 2**20
                        self.peaks[key] = max(self.peaks[key], rss)
                except psutil.Error:
                    pass
            time.sleep(0.2)


def last_working_day() -> date:
    """Today, or the last working day before it (the reminder sweep sends nothing on a weekend)."""
    from datetime import timedelta

    from notifications.calendar import is_working_day
    from workflow import clock

    day = clock.today()
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def sh(*args: str, **kwargs: Any) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout.strip()


def machine(env: dict[str, str]) -> dict[str, Any]:
    """The machine the figures were measured on."""
    import sqlalchemy

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    engine = sqlalchemy.create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        pg = conn.execute(sqlalchemy.text("SHOW server_version")).scalar()
    engine.dispose()
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    redis_version = client.info("server")["redis_version"]
    client.close()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
        "redis": redis_version,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def app_env(args: argparse.Namespace, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        # Development mode only because production refuses cookies without HTTPS, and locust talks
        # plain HTTP on loopback; nothing else differs (no debug, no template reloading).
        "PLNENI_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SESSION_COOKIE_SECURE": "false",
        "DATABASE_URL": f"{args.pg}/{args.db}",
        "REDIS_URL": f"{args.redis}/{args.redis_db}",
        "INSTANCE_PATH": str(instance),
        "MAIL_BACKEND": "outbox",
        "BASE_URL": f"http://127.0.0.1:{args.port}",
    }


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Create, migrate and seed the database (or reuse it); returns the ids the run needs."""
    pg_host = re.sub(r"^.*@", "", args.pg).split("/")[0].split(":")
    host, port = pg_host[0], (pg_host[1] if len(pg_host) > 1 else "5432")
    user = re.sub(r"^.*://", "", args.pg).split("@")[0] or "postgres"
    seconds = None
    if not args.reuse_db:
        sh("dropdb", "-U", user, "-h", host, "-p", port, "--if-exists", args.db)
        sh("createdb", "-U", user, "-h", host, "-p", port, args.db)
        started = time.perf_counter()
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
        )
    code = f"""
import json, time, dataclasses
from datetime import date
from sqlalchemy import select, func, insert
from web import create_app
from web.extensions import db
from devdata.largedata import PROFILES, generate, LARGE_PASSWORD, analyze
from workflow.models import User, Body, Plan, ReportingRound, RoleAssignment, user_bodies, Entry
from workflow.passwords import hash_password
app = create_app()
with app.app_context():
    started = time.perf_counter()
    plan = db.session.scalar(select(Plan).where(Plan.title.like("[velky]%")).order_by(Plan.id))
    if plan is None:
        g = generate(PROFILES["velky"], today=date.fromisoformat({args.today!r}))
        uid = db.session.scalar(insert(User).values(email="bench.submitter@velky.kraj-lbc.cz", name="Bench",
            password_hash=hash_password(LARGE_PASSWORD), locale="cs", active=True).returning(User.id))
        db.session.execute(insert(RoleAssignment).values(user_id=uid, role="contributor"))
        db.session.execute(insert(user_bodies).from_select(["user_id", "body_id"],
            select(db.literal(uid), Body.id)))
        db.session.commit()
        analyze()
        plan = db.session.get(Plan, g.main_plan_id)
    seeded = time.perf_counter() - started
    rounds = db.session.execute(select(ReportingRound.id, ReportingRound.state).where(
        ReportingRound.plan_id == plan.id).order_by(ReportingRound.id)).all()
    open_round = [r for r, s in rounds if s == "open"][0]
    closed = [r for r, s in rounds if s == "closed"][-1]
    counts = {{t: db.session.scalar(select(func.count()).select_from(m)) for t, m in
              (("entries", Entry), ("users", User), ("bodies", Body), ("plans", Plan))}}
    print(json.dumps({{"plan": plan.id, "open_round": open_round, "report_round": closed,
                      "seed_seconds": seeded, "counts": counts}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    )
    info = json.loads(out.stdout.strip().splitlines()[-1])
    if seconds is None and not args.reuse_db:
        info["seed_seconds_total"] = round(time.perf_counter() - started, 1)
    return info


def start_services(args: argparse.Namespace, env: dict[str, str], instance: Path) -> Services:
    services = Services()
    logs = instance / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    services.gunicorn = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=open(logs / "gunicorn.log", "wb"),  # noqa: SIM115 - open for the process's lifetime
        stderr=subprocess.STDOUT,
    )
    services.celery = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "wsgi.celery_app",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=ROOT,
        stdout=open(logs / "celery.log", "wb"),  # noqa: SIM115 - open for the process's lifetime
        stderr=subprocess.STDOUT,
    )
    threading.Thread(target=services.sample, daemon=True).start()
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(120):
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return services
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz within 60 s (see the log in the instance folder)")


def stop_services(services: Services) -> None:
    services.stop.set()
    for proc in (services.gunicorn, services.celery):
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in (services.gunicorn, services.celery):
        if proc is not None:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def sign_in(base: str, email: str, password: str) -> tuple[dict[str, str], str]:
    """Session cookies and a CSRF token of ``email`` (through the real sign-in form)."""
    session = requests.Session()
    page = session.get(f"{base}/prihlaseni", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    response = session.post(
        f"{base}/prihlaseni",
        data={"email": email, "password": password, "csrf_token": token.group(1) if token else ""},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {email} failed: {response.status_code}")
    account = session.get(f"{base}/ucet", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', account.text)
    return session.cookies.get_dict(), token.group(1) if token else ""


def db_query(env: dict[str, str], sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    import sqlalchemy

    engine = sqlalchemy.create_engine(env["DATABASE_URL"])
    try:
        with engine.begin() as conn:
            result = conn.execute(sqlalchemy.text(sql), params or {})
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def prepare_pools(env: dict[str, str], info: dict[str, Any]) -> dict[str, list[list[int]]]:
    """Draft entries for the save (50, edited over and over) and submit pools (every other
    unfinished entry of the open round, reset to draft before each submit step)."""
    rows = db_query(
        env,
        "SELECT id, version FROM entries WHERE round_id = :r AND state IN "
        "('draft', 'not_started', 'returned', 'submitted') ORDER BY id",
        {"r": info["open_round"]},
    )
    ids = [r[0] for r in rows]
    return {"save": [[i, 0] for i in ids[:50]], "submit": [[i, 0] for i in ids[50:]]}


def reset_pool(env: dict[str, str], pool: list[list[int]]) -> None:
    """Put the pool's entries back to a draft with a complete answer; refresh their versions."""
    ids = [item[0] for item in pool]
    db_query(
        env,
        "UPDATE entries SET state = 'draft', carried_over = false, fulfilment_status = 'ongoing', "
        "text = CASE WHEN text = '' THEN 'Rozpracováno.' ELSE text END, version = version + 1 "
        "WHERE id = ANY(:ids)",
        {"ids": ids},
    )
    versions = dict(db_query(env, "SELECT id, version FROM entries WHERE id = ANY(:ids)", {"ids": ids}))
    for item in pool:
        item[1] = versions[item[0]]


def drain(base: str, limit: float = 180.0) -> float:
    """Wait until the web workers are idle again: requests a load generator gave up on at the end
    of a step are still being served, and would slow the next step. Idle = ``/healthz`` answers
    three times in a row within 50 ms. :returns: seconds waited."""
    started = time.perf_counter()
    quick = 0
    while quick < 3 and time.perf_counter() - started < limit:
        t = time.perf_counter()
        with contextlib.suppress(requests.RequestException):
            requests.get(f"{base}/healthz", timeout=limit)
        quick = quick + 1 if time.perf_counter() - t < 0.05 else 0
        time.sleep(0.1)
    return time.perf_counter() - started


def run_locust(
    args: argparse.Namespace, context_file: Path, endpoint: str, users: int, duration: int, workdir: Path
) -> dict[str, Any]:
    prefix = workdir / f"{endpoint}-{users}"
    env = {
        **os.environ,
        "BENCH_CONTEXT": str(context_file),
        "BENCH_ENDPOINT": endpoint,
        "BENCH_USERS": str(users),
    }
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{duration}s",
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "ERROR",
            "--exit-code-on-error",
            "0",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == endpoint:
                return {
                    "users": users,
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 2),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "avg_kb": round(float(row["Average Content Size"] or 0) / 1024, 1),
                }
    return {"users": users, "requests": 0, "failures": 0, "rps": 0.0, "p50_ms": 0, "p95_ms": 0, "p99_ms": 0}


#: Items of the day already in each reviewer's digest before the submit scaling runs (issue 17).
SCALING_DIGEST_ITEMS = 3000
#: Throughput of two submitting processes over one (issue 17).
TARGET_SCALING = 1.6


class LockWaits(threading.Thread):
    """Samples ``pg_stat_activity`` of the benchmark's database every 20 ms: how many active
    sessions there were, and how many of them waited for a lock (``wait_event_type = 'Lock'``)."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.url = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.stop = threading.Event()
        self.active = self.locked = 0
        self.events: dict[str, int] = {}

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE state = 'active' "
                    "AND datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                self.active += len(rows)
                for kind, name in rows:
                    self.locked += kind == "Lock"
                    key = f"{kind}:{name}" if kind else "CPU"
                    self.events[key] = self.events.get(key, 0) + 1
                time.sleep(0.02)


def _submitter(base: str, cookies: dict[str, str], csrf: str, database_url: str, entries: list[int],
               seconds: float, queue: Any) -> None:
    """One submitting process (:func:`submit_scaling`): „Odeslat ke kontrole“ of its entries in
    turn for ``seconds``; after each submit the entry is put back to a draft (one ``UPDATE``) so
    the same entries can be submitted again. Puts ``(submits, failures, [latencies in s])``."""
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    session = requests.Session()
    session.cookies.update(cookies)
    done, failures, latencies = 0, 0, []
    with psycopg.connect(url, autocommit=True) as conn:
        # the reset is the benchmark's plumbing: it should not add a WAL flush to every submit's
        conn.execute("SET synchronous_commit = off")
        rows = conn.execute("SELECT id, version FROM entries WHERE id = ANY(%s)", (entries,)).fetchall()
        versions = dict(rows)
        ended = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < ended:
            entry_id = entries[n % len(entries)]
            n += 1
            data = {
                "fulfilment_status": "done",
                "text": f"Aktivita byla v roce splněna, odesláno znovu (č. {n}).",
                "indicator_text": "3 setkání",
                "indicator_as_of": "2026-10-31",
                "version": str(versions[entry_id]),
                "action": "submit",
                "csrf_token": csrf,
            }
            started = time.perf_counter()
            response = session.post(f"{base}/zaznamy/{entry_id}/upravit", data=data, allow_redirects=False,
                                    timeout=60)
            latencies.append(time.perf_counter() - started)
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/upravit" not in location:
                done += 1
            else:
                failures += 1
            versions[entry_id] = conn.execute(
                "UPDATE entries SET state = 'draft', version = version + 1 WHERE id = %s RETURNING version",
                (entry_id,),
            ).fetchone()[0]
    queue.put((done, failures, latencies))


def seed_digest_items(env: dict[str, str], info: dict[str, Any], items: int = SCALING_DIGEST_ITEMS) -> int:
    """Give every reviewer a pending digest of this hour and of the next two with ``items`` entries
    each, both as rows (``digest_items``) and in the payload (the form of the code before issue 17,
    so the scenario measures either version of the code). :returns: digests written."""
    code = f"""
import json
from datetime import UTC, datetime, timedelta
from sqlalchemy import select, insert, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from web import create_app
from web.extensions import db
from workflow.models import User, RoleAssignment, OutboxMessage, Entry
app = create_app()
with app.app_context():
    try:
        from workflow.models import DigestItem
    except ImportError:  # the code before issue 17: the payload only
        DigestItem = None
    reviewers = db.session.execute(select(User.id, User.email, User.name).where(User.id.in_(
        select(RoleAssignment.user_id).where(RoleAssignment.role == "reviewer")))).all()
    entries = db.session.scalars(select(Entry.id).where(Entry.round_id == {info["open_round"]})
                                 .order_by(Entry.id).limit({items})).all()
    def item(i):
        return {{"id": i, "code": "A1.1", "title": "Koordinace sociálního začleňování " * 4,
                "state": "submitted", "url": "http://127.0.0.1/zaznamy/" + str(i),
                "body": {{"id": 1, "abbreviation": "OSV", "name": "Odbor sociálních věcí"}},
                "round": {{"id": {info["open_round"]}, "title": "Kolo"}}}}
    items = [item(i) for i in entries]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    written = 0
    for hour in range(3):
        bucket = now + timedelta(hours=hour)
        for uid, email, name in reviewers:
            user = {{"id": uid, "email": email, "name": name or email, "locale": "cs"}}
            mid = db.session.scalar(pg_insert(OutboxMessage).values(
                kind="reviewer_digest", recipient_email=email, recipient_id=uid, locale="cs",
                dedupe_key=f"reviewer_digest:{{bucket:%Y-%m-%dT%H}}:{{uid}}",
                payload={{"user": user, "entries": items, "base_url": "http://127.0.0.1"}}, state="pending",
                attempts=0, created_at=now, next_attempt_at=bucket + timedelta(hours=1))
                .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id))
            if mid is None or DigestItem is None:
                continue
            db.session.execute(insert(DigestItem.__table__), [{{"message_id": mid, "entry_id": it["id"],
                "body_id": 1, "item": it, "created_at": now}} for it in items])
            written += 1
    db.session.commit()
    print(json.dumps(written))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    )
    return int(result.stdout.strip().splitlines()[-1])


def submit_scaling(
    args: argparse.Namespace, env: dict[str, str], info: dict[str, Any], base: str, seconds: float
) -> dict[str, Any]:
    """„submit, 1 vs 2 processes“: a realistic submitter — one contributor of the body with the
    most entries in the open round, submitting that body's entries (not 150 bodies) — in one
    process, then the same entries split between two processes at once, with
    :data:`SCALING_DIGEST_ITEMS` items already in each reviewer's digest of the hour.

    :returns: submits per second of one and of two processes, their ratio (target ≥
        :data:`TARGET_SCALING`), p50/p95 latency, the body and the number of its entries.
    """
    import multiprocessing

    from devdata.largedata import LARGE_PASSWORD

    body_id, email = db_query(
        env,
        "SELECT e.body_id, min(u.email) FROM entries e JOIN user_bodies ub ON ub.body_id = e.body_id "
        "JOIN users u ON u.id = ub.user_id JOIN role_assignments ra ON ra.user_id = u.id "
        "AND ra.role = 'contributor' WHERE e.round_id = :r AND u.email LIKE 'zpracovatel.%' "
        "GROUP BY e.body_id ORDER BY count(DISTINCT e.id) DESC, e.body_id LIMIT 1",
        {"r": info["open_round"]},
    )[0]
    entries = [r[0] for r in db_query(
        env, "SELECT id FROM entries WHERE round_id = :r AND body_id = :b ORDER BY id",
        {"r": info["open_round"], "b": body_id},
    )]
    reset_pool(env, [[i, 0] for i in entries])
    digests = seed_digest_items(env, info)
    cookies, csrf = sign_in(base, email, LARGE_PASSWORD)
    out: dict[str, Any] = {"body_id": body_id, "entries": len(entries), "digest_items": SCALING_DIGEST_ITEMS,
                           "digests_seeded": digests, "seconds": seconds}
    for processes in (1, 2):
        drain(base)
        queue: Any = multiprocessing.Queue()
        shares = [entries[i::processes] for i in range(processes)]
        workers = [
            multiprocessing.Process(
                target=_submitter, args=(base, cookies, csrf, env["DATABASE_URL"], share, seconds, queue)
            )
            for share in shares
        ]
        waits = LockWaits(env["DATABASE_URL"])
        waits.start()
        for w in workers:
            w.start()
        results = [queue.get(timeout=seconds + 120) for _ in workers]
        for w in workers:
            w.join(30)
        waits.stop.set()
        waits.join(10)
        done = sum(r[0] for r in results)
        latencies = sorted(x for r in results for x in r[2])
        out[f"p{processes}"] = {
            "submits": done,
            "failures": sum(r[1] for r in results),
            "rps": round(done / seconds, 2),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1) if latencies else None,
            # busy database sessions of the run found waiting for a lock (sampled every 20 ms): the
            # queueing that throughput on a shared machine hides
            "lock_wait_share": round(waits.locked / waits.active, 3) if waits.active else None,
            "db_samples": dict(sorted(waits.events.items(), key=lambda kv: -kv[1])[:6]),
        }
    out["ratio"] = round(out["p2"]["rps"] / out["p1"]["rps"], 2) if out["p1"]["rps"] else None
    return out


def timed_operations(
    args: argparse.Namespace,
    env: dict[str, str],
    info: dict[str, Any],
    base: str,
    cookies: dict[str, str],
    csrf: str,
) -> dict[str, Any]:
    """Open a round of the main plan, the reminder sweep (both in a transaction rolled back) and
    the exports through the Celery worker."""
    code = f"""
import json, time
from datetime import date
from sqlalchemy import select, func
from web import create_app
from web.extensions import db
from workflow.models import User, ReportingRound, Entry, OutboxMessage
from workflow.rounds import create_round, open_round
from notifications import reminders
from notifications.mailer import render_email
try:
    from notifications.digest import payload_for
except ImportError:  # the code before issue 17: a digest's entries are in its payload
    def payload_for(m):
        return m.payload
app = create_app()
out = {{}}
with app.app_context():
    secretary = db.session.scalar(select(User).where(User.email == "tajemnik@velky.kraj-lbc.cz"))
    started = time.perf_counter()
    r = create_round({info["plan"]}, secretary, title="Benchmark " + str(time.time()),
                     period_start=date(2030, 1, 1), period_end=date(2030, 12, 31),
                     submission_deadline=date(2031, 2, 28))
    created = open_round(r, secretary)
    out["open_round"] = {{"seconds": time.perf_counter() - started, "entries": created}}
    db.session.rollback()
    today = date.fromisoformat({args.today!r})
    started = time.perf_counter()
    written = reminders.send_reminders(today)
    selected = time.perf_counter() - started
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == "pending")).all()
    size = 0
    for m in messages:
        subject, text, html = render_email(m.kind, m.locale, **payload_for(m))
        size += len(text) + len(html or "")
    out["reminder_sweep"] = {{"seconds": time.perf_counter() - started, "selection_seconds": selected,
                             "emails": written, "rendered": len(messages), "rendered_mb": size / 2**20}}
    db.session.rollback()
print(json.dumps(out))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    )
    out = json.loads(result.stdout.strip().splitlines()[-1])
    session = requests.Session()
    session.cookies.update(cookies)
    for fmt in ("docx", "xlsx", "pdf"):
        started = time.perf_counter()
        response = session.post(
            f"{base}/kola/{info['report_round']}/zprava/export",
            data={"fmt": fmt, "csrf_token": csrf},
            allow_redirects=False,
            timeout=60,
        )
        found = re.search(r"/zprava/export/(\d+)", response.headers.get("Location", ""))
        if response.status_code != 302 or not found:
            out[f"export_{fmt}"] = {"seconds": None, "error": f"status {response.status_code}"}
            continue
        export_id = int(found.group(1))
        state, size = "pending", 0
        while time.perf_counter() - started < args.export_timeout:
            state, size = db_query(
                env, "SELECT state, size FROM report_exports WHERE id = :i", {"i": export_id}
            )[0]
            if state in ("ready", "failed"):
                break
            time.sleep(0.25)
        out[f"export_{fmt}"] = {
            "seconds": time.perf_counter() - started,
            "state": state,
            "size_mb": round(size / 2**20, 2),
        }
    return out


def table(results: dict[str, Any]) -> str:
    """Markdown tables of the run."""
    levels = results["levels"]
    ceiling = {r["users"]: r["rps"] for r in results["endpoints"]["ceiling"]}
    lines = [
        "| endpoint | users | req/s | p50 ms | p95 ms | p99 ms | vs. ceiling | failures | KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, rows in results["endpoints"].items():
        for row in rows:
            ratio = row["rps"] / ceiling[row["users"]] if ceiling.get(row["users"]) else 0
            lines.append(
                f"| {ENDPOINTS[key][2]} | {row['users']} | {row['rps']:.1f} | {row['p50_ms']:.0f} | "
                f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {ratio:.0%} | {row['failures']} | "
                f"{row.get('avg_kb', 0):.0f} |"
            )
    lines += ["", "| operation | measured | target | met |", "|---|---:|---:|---|"]
    for key, target in TARGET_SECONDS.items():
        seconds = results["operations"].get(key, {}).get("seconds")
        shown = f"{seconds:.1f} s" if seconds is not None else "—"
        met = "yes" if seconds is not None and seconds <= target else "NO"
        lines.append(f"| {key} | {shown} | ≤ {target} s | {met} |")
    for key, target in TARGET_MB.items():
        mb = results["memory_peak_mb"][key]
        lines.append(f"| peak RSS {key} | {mb:.0f} MB | ≤ {target} MB | {'yes' if mb <= target else 'NO'} |")
    scaling = results["operations"].get("submit_scaling")
    if scaling and scaling.get("ratio") is not None:
        met = "yes" if scaling["ratio"] >= TARGET_SCALING else "NO"
        lines.append(
            f"| submit, 1 vs 2 processes ({scaling['digest_items']:,} digest items; one body's "
            f"{scaling['entries']} entries) | {scaling['p1']['rps']:.1f} → {scaling['p2']['rps']:.1f} "
            f"submits/s = {scaling['ratio']:.2f} × | ≥ {TARGET_SCALING} × | {met} |"
        )
    ten = 10 if 10 in levels else levels[len(levels) // 2]
    lines += [
        "",
        f"Targets at {ten} users (pages, not exports): p95 ≤ {TARGET_P95_MS} ms and ≥ "
        f"{TARGET_RATIO:.0%} of the ceiling's throughput.",
        "",
        "| endpoint | p95 ms | p95 met | ratio | ratio met |",
        "|---|---:|---|---:|---|",
    ]
    for key, rows in results["endpoints"].items():
        if key == "ceiling":
            continue
        row = next((r for r in rows if r["users"] == ten), None)
        if row is None:
            continue
        ratio = row["rps"] / ceiling[ten] if ceiling.get(ten) else 0
        if not row["requests"]:
            lines.append(f"| {ENDPOINTS[key][2]} | — | no data | — | no data |")
            continue
        p95_met = "yes" if row["p95_ms"] <= TARGET_P95_MS else "NO"
        ratio_met = "yes" if ratio >= TARGET_RATIO else "NO"
        lines.append(f"| {ENDPOINTS[key][2]} | {row['p95_ms']:.0f} | {p95_met} | {ratio:.0%} | {ratio_met} |")
    return "\n".join(lines)


def write_docs(results: dict[str, Any], rendered: str) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text(encoding="utf-8")
    m = results["machine"]
    block = (
        f"<!-- bench:results -->\nMeasured {results['finished_at']} with `{results['command']}` "
        f"({results['duration_s']} s per step, {results['workers']} gunicorn workers, 1 Celery worker) on "
        f"{m['cpus']} × {m['cpu_model']}, {m['ram_gb']} GB RAM, {m['os']}, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}, Redis {m['redis']}; load average when the run ended "
        f"{', '.join(str(x) for x in m['load_average_at_end'])}.\n\n{rendered}\n<!-- /bench:results -->"
    )
    text = re.sub(r"<!-- bench:results -->.*<!-- /bench:results -->", lambda _m: block, text, flags=re.S)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per endpoint and user count")
    parser.add_argument("--quick", action="store_true", help="5 s per step (a smoke run, noisy figures)")
    parser.add_argument("--users", default="1,10,50", help="concurrent users, comma-separated")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db", default="bench", help="database to (re)create")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=13, help="a Redis db of its own (CI uses 15)")
    parser.add_argument("--reuse-db", action="store_true", help="keep the database of the last run")
    parser.add_argument("--only", help="endpoints to run, comma-separated (default: all)")
    parser.add_argument(
        "--today",
        default=None,
        help="the day the data is built around and the sweep runs (default: last working day)",
    )
    parser.add_argument("--export-timeout", type=int, default=600)
    parser.add_argument("--no-operations", action="store_true", help="skip the timed operations")
    parser.add_argument(
        "--scaling-duration", type=int, default=None,
        help="seconds of each half of „submit, 1 vs 2 processes“ (default: --duration); "
        "--only submit_scaling runs just that scenario (with the ceiling)",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--write-docs", action="store_true", help="update the tables of docs/performance.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 5
    args.today = args.today or last_working_day().isoformat()
    levels = [int(x) for x in args.users.split(",")]
    instance = Path(tempfile.mkdtemp(prefix="plneni-bench-"))
    env = app_env(args, instance)
    print(
        f"Benchmark: database {args.db}, Redis db {args.redis_db}, {args.workers} gunicorn workers, "
        f"{args.duration} s per step, users {levels}",
        flush=True,
    )
    info = prepare_database(args, env)
    print(f"Data ready: {info['counts']} (seeding {info.get('seed_seconds_total', 0)} s)", flush=True)
    services = start_services(args, env, instance)
    base = f"http://127.0.0.1:{args.port}"
    try:
        accounts = {
            "contributor": "zpracovatel.0001",
            "reviewer": "hodnotitel",
            "secretary": "tajemnik",
            "submitter": "bench.submitter",
        }
        from devdata.largedata import LARGE_PASSWORD

        cookies, csrf = {}, {}
        for role, local in accounts.items():
            cookies[role], csrf[role] = sign_in(base, f"{local}@velky.kraj-lbc.cz", LARGE_PASSWORD)
        pools = prepare_pools(env, info)
        form_entry = db_query(
            env,
            "SELECT e.id FROM entries e JOIN user_bodies ub ON ub.body_id = e.body_id "
            "JOIN users u ON u.id = ub.user_id WHERE u.email = :m AND e.round_id = :r "
            "AND e.state = 'draft' ORDER BY e.id LIMIT 1",
            {"m": "zpracovatel.0001@velky.kraj-lbc.cz", "r": info["open_round"]},
        )[0][0]
        ids = {
            "open_round": info["open_round"],
            "report_round": info["report_round"],
            "form_entry": form_entry,
        }
        endpoints = {
            key: {"role": role, "url": url.format(**ids) if "{" in url else url}
            for key, (role, url, _title) in ENDPOINTS.items()
        }
        workdir = instance / "locust"
        workdir.mkdir()
        context_file = instance / "context.json"
        selected = args.only.split(",") if args.only else list(ENDPOINTS)
        results: dict[str, Any] = {"endpoints": {}, "levels": levels}
        for key in ENDPOINTS:
            if key not in selected and key != "ceiling":
                continue
            results["endpoints"][key] = []
            for users in levels:
                if key in ("save", "submit"):
                    reset_pool(env, pools[key])
                context_file.write_text(
                    json.dumps(
                        {
                            "cookies": cookies,
                            "csrf": csrf,
                            "endpoints": endpoints,
                            "pools": pools,
                            "host_name": "127.0.0.1",
                        }
                    )
                )
                drain(base)
                row = run_locust(args, context_file, key, users, args.duration, workdir)
                results["endpoints"][key].append(row)
                print(
                    f"  {key:10} {users:3} users: {row['rps']:7.1f} req/s  p50 {row['p50_ms']:6.0f}  "
                    f"p95 {row['p95_ms']:6.0f}  p99 {row['p99_ms']:6.0f} ms  failures {row['failures']}",
                    flush=True,
                )
        drain(base)
        results["operations"] = {}
        if not args.no_operations:
            print("Timed operations …", flush=True)
            results["operations"] = timed_operations(
                args, env, info, base, cookies["secretary"], csrf["secretary"]
            )
        if not args.only or "submit_scaling" in selected:
            print("Submit, 1 vs 2 processes …", flush=True)
            results["operations"]["submit_scaling"] = submit_scaling(
                args, env, info, base, args.scaling_duration or args.duration
            )
        for key, value in results["operations"].items():
            print(f"  {key}: {value}", flush=True)
    finally:
        stop_services(services)
    results.update(
        memory_peak_mb={k: round(v, 1) for k, v in services.peaks.items()},
        machine=machine(env),
        data=info,
        workers=args.workers,
        duration_s=args.duration,
        command="scripts/bench.sh " + " ".join(argv if argv is not None else sys.argv[1:]),
        finished_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    rendered = table(results)
    print()
    print(rendered)
    print(f"\nJSON: {args.output}")
    if args.write_docs:
        write_docs(results, rendered)
        print("docs/performance.md updated")
    print(f"Logs and locust's CSV files: {instance}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
