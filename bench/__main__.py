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
    "tasks_1500": ("many", "/moje-ukoly", "Moje úkoly (≈1 500 záznamů)"),
    "form": ("contributor", "/zaznamy/{form_entry}/upravit", "formulář záznamu (GET)"),
    "queue": ("reviewer", "/kontrola?round={open_round}&state=submitted", "fronta hodnotitele (filtr)"),
    "dashboard": ("secretary", "/kola/{open_round}", "přehled kola (tajemník)"),
    "report": ("secretary", "/kola/{report_round}/zprava", "souhrnná zpráva (2 000 aktivit, strana 1)"),
    "report_page": ("secretary", "/kola/{report_round}/zprava?strana=3", "souhrnná zpráva, strana 3"),
    "report_small": ("secretary", "/kola/{small_report_round}/zprava", "zpráva malého plánu (25 aktivit)"),
    "api": ("secretary", "/api/v1/rounds/{open_round}/entries", "API: záznamy kola"),
    "save": ("submitters", "/zaznamy/<id>/upravit (POST)", "uložení rozpracovaného (POST)"),
    "submit": ("submitters", "/zaznamy/<id>/upravit (POST)", "odeslání ke kontrole (POST)"),
}

# --- targets (issue 17): the one place the tables and the docs take them from ---------------------
#: Pages (all but exports), at 10 users: p95 ≤ this many ms …
TARGET_P95_MS = 100
#: … and throughput ≥ this share of the ceiling's (``/healthz`` in the same run) …
TARGET_RATIO = 0.20
#: … or this share for the pages every secretary and reviewer shares.
TARGET_RATIO_SHARED = 0.30
SHARED_PAGES = ("dashboard", "queue", "report", "report_page")
#: Paging is flat: a page of a big list or report answers at least this share of the throughput of
#: the same page of a small one (big → small endpoint).
TARGET_FLAT = 0.80
FLAT_PAIRS = {"tasks_1500": "tasks", "report": "report_small"}
#: Operations, seconds (``operations[key]["seconds"]``).
TARGET_SECONDS = {
    "open_round": 2,
    "reminder_sweep": 5,
    "export_docx": 10,
    "export_xlsx": 5,
    "export_pdf": 10,
}
#: Two processes submitting at once: throughput ≥ this × one process's
#: (``operations["submit_scaling"]["ratio"]``, the figure of the scenario „submit, 1 vs 2 processes“).
TARGET_SPEEDUP = {"submit_scaling": 1.6}
#: Peak RSS, MB.
TARGET_MB = {"web_worker": 300, "celery_worker": 300}

#: The figures docs/performance.md recorded before issue 17 (10 users; scripts/bench.sh --duration
#: 15, quiet machine, 2026-11-21): endpoint → (p95 ms, share of the ceiling). The docs' per-page
#: before/after table compares a run with these.
BEFORE: dict[str, tuple[float, float]] = {
    "tasks": (150, 0.13),
    "form": (210, 0.10),
    "queue": (390, 0.05),
    "dashboard": (780, 0.03),
    "report": (390, 0.05),
    "api": (190, 0.11),
    "save": (110, 0.19),
    "submit": (300, 0.07),
}
BEFORE_OPERATIONS = {
    "open_round": "1.7 s",
    "reminder_sweep": "2.9 s",
    "export_docx": "9.1 s",
    "export_xlsx": "1.7 s",
    "export_pdf": "83.5 s",
    "web_worker": "175 MB",
    "celery_worker": "964 MB",
}

#: ``--quick``: the smoke run of .ci/run (a small world, short steps; fails on errors, never on times).
QUICK_SCALE = 300
QUICK_DURATION = 2
QUICK_USERS = "4"


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
from sqlalchemy import select, func
from web import create_app
from web.extensions import db
from devdata.largedata import PROFILES, generate, analyze, scaled
from workflow.models import User, Body, Plan, ReportingRound, Entry
app = create_app()
with app.app_context():
    started = time.perf_counter()
    plan = db.session.scalar(select(Plan).where(Plan.title.like("[{profile_tag(args)}]%")).order_by(Plan.id))
    if plan is None:
        g = generate({profile_expression(args)}, today=date.fromisoformat({args.today!r}))
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


def profile_tag(args: argparse.Namespace) -> str:
    """The generated data's tag: ``velky``, or ``scaled-N`` for ``--quick``."""
    return f"scaled-{QUICK_SCALE}" if args.quick else "velky"


def profile_expression(args: argparse.Namespace) -> str:
    """Python source of the :class:`devdata.largedata.Profile` the run seeds."""
    return f"scaled({QUICK_SCALE})" if args.quick else 'PROFILES["velky"]'


def domain(args: argparse.Namespace) -> str:
    """The e-mail domain of the generated accounts."""
    return f"{profile_tag(args)}.kraj-lbc.cz"


def prepare_paging(args: argparse.Namespace, env: dict[str, str], info: dict[str, Any]) -> dict[str, Any]:
    """What the paging targets need (issue 17): an account acting for bodies with ≈1,500 entries
    of the open round in all (``bench.mnoho@…``, the big „Moje úkoly“; fewer in the quick world)
    and the last closed round of a small plan (the small report). Idempotent (``--reuse-db``).

    :returns: ``{"small_report_round": id, "many_entries": n}``.
    """
    code = f"""
import json
from sqlalchemy import select, func, insert
from web import create_app
from web.extensions import db
from workflow.models import User, Body, Plan, ReportingRound, RoleAssignment, user_bodies, Entry
app = create_app()
with app.app_context():
    email = "bench.mnoho@{domain(args)}"
    uid = db.session.scalar(select(User.id).where(User.email == email))
    if uid is None:
        template = db.session.scalar(select(User).where(User.email == "zpracovatel.0001@{domain(args)}"))
        uid = db.session.scalar(insert(User).values(email=email, name="Bench mnoho",
            password_hash=template.password_hash, locale="cs", active=True).returning(User.id))
        db.session.execute(insert(RoleAssignment).values(user_id=uid, role="contributor"))
        per_body = db.session.execute(select(Entry.body_id, func.count()).where(
            Entry.round_id == {info["open_round"]}).group_by(Entry.body_id).order_by(func.count().desc(),
            Entry.body_id)).all()
        chosen, total = [], 0
        for body_id, n in per_body:
            if total >= 1500:
                break
            chosen.append(body_id)
            total += n
        db.session.execute(insert(user_bodies), [{{"user_id": uid, "body_id": b}} for b in chosen])
        db.session.commit()
    many = db.session.scalar(select(func.count()).select_from(Entry).join(user_bodies,
        user_bodies.c.body_id == Entry.body_id).where(user_bodies.c.user_id == uid,
        Entry.round_id == {info["open_round"]}))
    small_plan = db.session.scalars(select(Plan.id).where(Plan.title.like("[{profile_tag(args)}]%"),
        Plan.id != {info["plan"]}).order_by(Plan.id)).first()
    small = db.session.scalars(select(ReportingRound.id).where(ReportingRound.plan_id == small_plan,
        ReportingRound.state == "closed").order_by(ReportingRound.id.desc())).first()
    print(json.dumps({{"small_report_round": small, "many_entries": many}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


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


def prepare_submitters(
    env: dict[str, str], info: dict[str, Any], base: str, count: int
) -> list[dict[str, Any]]:
    """The save and submit steps' people (issue 17: a realistic submitter, one body, not 150):
    ``count`` contributors of one body each, one per body, the bodies with the most entries of the
    open round first, each signed in through the real form. Locust user *n* acts as submitter
    ``n % count``, so at 10 users ten different people of ten bodies save and submit at once.

    :returns: per submitter ``{"email", "body_id", "cookies", "csrf", "save": [entry id, version],
        "submit": [[entry id, version], …]}``: the body's first entry of the open round is the one
        the save step edits over and over, the others are submitted in turn (and put back to a
        draft after each submit, see ``bench/locustfile.py``). Versions are filled in by
        :func:`reset_submitters` before each step.
    :raises SystemExit: when the data has fewer bodies with a contributor than ``count``, or a
        sign-in fails.
    """
    from devdata.largedata import LARGE_PASSWORD

    rows = db_query(
        env,
        "SELECT e.body_id, min(u.email), array_agg(DISTINCT e.id) FROM entries e "
        "JOIN user_bodies ub ON ub.body_id = e.body_id JOIN users u ON u.id = ub.user_id "
        "JOIN role_assignments ra ON ra.user_id = u.id AND ra.role = 'contributor' "
        "WHERE e.round_id = :r AND u.email LIKE 'zpracovatel.%' "
        "AND (SELECT count(*) FROM user_bodies mine WHERE mine.user_id = u.id) = 1 "
        "GROUP BY e.body_id HAVING count(DISTINCT e.id) >= 2 "
        "ORDER BY count(DISTINCT e.id) DESC, e.body_id LIMIT :n",
        {"r": info["open_round"], "n": count},
    )
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} bodies with a one-body contributor; {count} needed")
    submitters = []
    for body_id, email, entries in rows:
        entries = sorted(entries)
        cookies, csrf = sign_in(base, email, LARGE_PASSWORD)
        submitters.append({
            "email": email.split("@")[0],
            "body_id": body_id,
            "cookies": cookies,
            "csrf": csrf,
            "save": [entries[0], 0],
            "submit": [[i, 0] for i in entries[1:]],
        })
    return submitters


def reset_submitters(env: dict[str, str], submitters: list[dict[str, Any]]) -> None:
    """Put every submitter's entries back to a draft with a complete answer (before each save or
    submit step) and refresh the versions the locust users start from."""
    reset_pool(env, [s["save"] for s in submitters] + [item for s in submitters for item in s["submit"]])


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
    exceptions = []  # exceptions raised in the locust user itself (the smoke run's errors)
    if Path(f"{prefix}_exceptions.csv").exists():
        with open(f"{prefix}_exceptions.csv", encoding="utf-8") as handle:
            exceptions = [row.get("Message", "") for row in csv.DictReader(handle)]
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
                    "exceptions": exceptions,
                }
    return {
        "users": users,
        "requests": 0,
        "failures": 0,
        "rps": 0.0,
        "p50_ms": 0,
        "p95_ms": 0,
        "p99_ms": 0,
        "exceptions": exceptions,
    }


#: Items of the day already in each reviewer's digest before the submit scaling runs (issue 17).
SCALING_DIGEST_ITEMS = 3000
#: Throughput of two submitting processes over one (issue 17).
TARGET_SCALING = TARGET_SPEEDUP["submit_scaling"]


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
    celery: subprocess.Popen[bytes] | None = None,
) -> dict[str, Any]:
    """Open a round of the main plan, the reminder sweep (both in a transaction rolled back) and
    the exports through the Celery worker (``--operations`` selects some of them).

    Each export also records the CPU seconds the Celery worker's processes spent on it (user +
    system, comparable on a shared machine where the wall clock is not) and their peak RSS while
    it ran (MB)."""
    wanted = set(args.operations.split(",")) if args.operations else None
    out: dict[str, Any] = {}
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
    secretary = db.session.scalar(select(User).where(User.email == "tajemnik@{domain(args)}"))
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
    if wanted is None or wanted & {"open_round", "reminder_sweep"}:
        result = subprocess.run(
            [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
        )
        out = json.loads(result.stdout.strip().splitlines()[-1])
    session = requests.Session()
    session.cookies.update(cookies)
    # a reused database keeps the files of the last run (the export cache): build them anew
    db_query(env, "DELETE FROM report_exports WHERE round_id = :r", {"r": info["report_round"]})
    for fmt in ("docx", "xlsx", "pdf"):
        if wanted is not None and f"export_{fmt}" not in wanted:
            continue
        cpu_before, peak = celery_cpu_seconds(celery), 0.0
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
            peak = max(peak, celery_rss_mb(celery))
            if state in ("ready", "failed"):
                break
            time.sleep(0.25)
        out[f"export_{fmt}"] = {
            "seconds": time.perf_counter() - started,
            "cpu_seconds": round(celery_cpu_seconds(celery) - cpu_before, 2),
            "peak_rss_mb": round(peak, 1),
            "state": state,
            "size_mb": round(size / 2**20, 2),
        }
    return out


def _celery_processes(celery: subprocess.Popen[bytes] | None) -> list[psutil.Process]:
    if celery is None:
        return []
    try:
        parent = psutil.Process(celery.pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return []


def celery_cpu_seconds(celery: subprocess.Popen[bytes] | None) -> float:
    """User + system CPU seconds of the Celery worker's processes so far (0 without a worker)."""
    total = 0.0
    for proc in _celery_processes(celery):
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def celery_rss_mb(celery: subprocess.Popen[bytes] | None) -> float:
    """The largest RSS (MB) of the Celery worker's processes now (0 without a worker)."""
    sizes = [0.0]
    for proc in _celery_processes(celery):
        with contextlib.suppress(psutil.Error):
            sizes.append(proc.memory_info().rss / 2**20)
    return max(sizes)


def _ten(results: dict[str, Any]) -> int:
    levels = results["levels"]
    return 10 if 10 in levels else levels[len(levels) // 2]


def _row_at(results: dict[str, Any], key: str, users: int) -> dict[str, Any] | None:
    return next((r for r in results["endpoints"].get(key, []) if r["users"] == users), None)


def _ceiling_for(results: dict[str, Any], key: str, users: int) -> dict[str, Any] | None:
    """The ceiling a page's throughput is divided by: at the level of the targets, the ceiling
    steps run just before and just after that page's, their mean throughput
    (``results["adjacent_ceilings"]`` and ``["ceilings_after"]``: a shared machine's speed
    drifts within a run — in one run of 2026-12-03 three ceiling steps a minute apart gave 570,
    903 and 663 requests/s — so a ceiling measured ten minutes earlier would judge the page by
    another machine, and one step on one side of it by a passing spike or dip); with only the
    step before (a run before the steps after were added), that one; at the other levels, and in
    a run without them, the first ceiling step's."""
    before = results.get("adjacent_ceilings", {}).get(key)
    after = results.get("ceilings_after", {}).get(key)
    if before is not None and before["users"] == users:
        if after is not None and after["users"] == users:
            return {**before, "rps": (before["rps"] + after["rps"]) / 2}
        return before
    return _row_at(results, "ceiling", users)


def _ratio(results: dict[str, Any], row: dict[str, Any], key: str = "ceiling") -> float:
    ceiling = _ceiling_for(results, key, row["users"])
    return row["rps"] / ceiling["rps"] if ceiling and ceiling["rps"] else 0.0


def target_rows(results: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """Every target of issue 17 with the run's figure: ``(what, measured, target, met)``; ``met`` is
    ``None`` when the run did not measure it."""
    ten = _ten(results)
    rows: list[tuple[str, str, str, bool | None]] = []
    for key in results["endpoints"]:
        if key in ("ceiling", "report_small"):  # the ceiling and the small twin of the flat check
            continue
        row = _row_at(results, key, ten)
        title = ENDPOINTS[key][2]
        if row is None or not row["requests"]:
            rows.append((f"{title}: p95 / ceiling", "—", "", None))
            continue
        share = TARGET_RATIO_SHARED if key in SHARED_PAGES else TARGET_RATIO
        p95 = row["p95_ms"]
        rows.append((f"{title}: p95", f"{p95:.0f} ms", f"≤ {TARGET_P95_MS} ms", p95 <= TARGET_P95_MS))
        ratio = _ratio(results, row, key)
        rows.append((f"{title}: vs. ceiling", f"{ratio:.0%}", f"≥ {share:.0%}", ratio >= share))
    for big, small in FLAT_PAIRS.items():
        a, b = _row_at(results, big, ten), _row_at(results, small, ten)
        what = f"paging flat: {ENDPOINTS[big][2]} ÷ {ENDPOINTS[small][2]} (req/s)"
        if a is None or b is None or not b["rps"]:
            rows.append((what, "—", f"≥ {TARGET_FLAT:.0%}", None))
            continue
        flat = a["rps"] / b["rps"]
        rows.append((what, f"{flat:.0%}", f"≥ {TARGET_FLAT:.0%}", flat >= TARGET_FLAT))
    operations = results.get("operations", {})
    for key, target in TARGET_SECONDS.items():
        seconds = operations.get(key, {}).get("seconds")
        shown = f"{seconds:.1f} s" if seconds is not None else "—"
        rows.append((key, shown, f"≤ {target} s", None if seconds is None else seconds <= target))
    for key, target in TARGET_SPEEDUP.items():
        scaling = operations.get(key, {})
        speedup = scaling.get("ratio")
        shown = (
            f"{scaling['p1']['rps']:.1f} → {scaling['p2']['rps']:.1f} submits/s = {speedup:.2f} × "
            f"({scaling['digest_items']:,} digest items)"
            if speedup is not None
            else "—"
        )
        rows.append((key, shown, f"≥ {target} ×", None if speedup is None else speedup >= target))
    for key, target in TARGET_MB.items():
        mb = results.get("memory_peak_mb", {}).get(key)
        shown = f"{mb:.0f} MB" if mb is not None else "—"
        rows.append((f"peak RSS {key}", shown, f"≤ {target} MB", None if mb is None else mb <= target))
    return rows


def table(results: dict[str, Any]) -> str:
    """Markdown tables of the run: every endpoint and level, the targets, before/after per page."""
    lines = [
        "| endpoint | users | req/s | p50 ms | p95 ms | p99 ms | vs. ceiling | failures | KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, rows in results["endpoints"].items():
        for row in rows:
            lines.append(
                f"| {ENDPOINTS[key][2]} | {row['users']} | {row['rps']:.1f} | {row['p50_ms']:.0f} | "
                f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {_ratio(results, row, key):.0%} | "
                f"{row['failures']} | "
                f"{row.get('avg_kb', 0):.0f} |"
            )
    ten = _ten(results)
    lines += [
        "",
        f"Targets (issue 17; pages at {ten} users, ratio to the mean throughput of the ceiling steps run "
        "just before and just after the page's in the same run):",
        "",
        "| target | measured | wanted | met |",
        "|---|---:|---:|---|",
    ]
    for what, measured, wanted, met in target_rows(results):
        lines.append(f"| {what} | {measured} | {wanted} | {'—' if met is None else 'yes' if met else 'NO'} |")
    lines += [
        "",
        f"Before (the run recorded before issue 17, 10 users) and after (this run, {ten} users):",
        "",
        "| page | p95 before | p95 after | vs. ceiling before | vs. ceiling after |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, (p95, ratio) in BEFORE.items():
        row = _row_at(results, key, ten)
        after_p95 = f"{row['p95_ms']:.0f} ms" if row and row["requests"] else "—"
        after_ratio = f"{_ratio(results, row, key):.0%}" if row and row["requests"] else "—"
        lines.append(f"| {ENDPOINTS[key][2]} | {p95:.0f} ms | {after_p95} | {ratio:.0%} | {after_ratio} |")
    operations = results.get("operations", {})
    for key, before in BEFORE_OPERATIONS.items():
        if key in TARGET_MB:
            mb = results.get("memory_peak_mb", {}).get(key)
            after = f"{mb:.0f} MB" if mb is not None else "—"
        else:
            seconds = operations.get(key, {}).get("seconds")
            after = f"{seconds:.1f} s" if seconds is not None else "—"
        lines.append(f"| {key} | {before} | {after} | | |")
    return "\n".join(lines)


def errors(results: dict[str, Any]) -> list[str]:
    """What went wrong in the run (failed requests, operations that failed or did not finish): the
    quick run's verdict. Times never count."""
    found = list(results.get("probe_errors", []))
    for key, rows in results["endpoints"].items():
        for row in rows:
            if row["failures"]:
                found.append(f"{key}, {row['users']} users: {row['failures']} failures of {row['requests']}")
            found += [f"{key}, {row['users']} users: locust: {m[:200]}" for m in row.get("exceptions", [])]
    for key, value in results.get("operations", {}).items():
        if value.get("error") or value.get("state") not in (None, "ready"):
            found.append(f"{key}: {value.get('error') or value.get('state')}")
    return found


def probe(base: str, cookies: dict[str, dict[str, str]], endpoints: dict[str, dict[str, str]]) -> list[str]:
    """One GET of every page endpoint as its role, before the load steps: what does not answer 200
    (a step too short for even one answer on a slow machine still checks every page)."""
    found = []
    for key, spec in endpoints.items():
        if "<" in spec["url"]:  # the POST endpoints (save, submit) are checked by their steps
            continue
        response = requests.get(
            f"{base}{spec['url']}", cookies=cookies[spec["role"]], timeout=600, allow_redirects=False
        )
        if response.status_code != 200:
            found.append(f"{key}: GET {spec['url']} answered {response.status_code}")
    return found


def log_errors(instance: Path) -> list[str]:
    """Tracebacks in the gunicorn and Celery logs of the run (one line each: the exception)."""
    found = []
    for name in ("gunicorn.log", "celery.log"):
        path = instance / "logs" / name
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                last = next((x for x in lines[i + 1 :] if x and not x.startswith((" ", "Traceback"))), "?")
                found.append(f"{name}: {last.strip()[:200]}")
    return found


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
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"the smoke run of .ci/run: a small world (scaled({QUICK_SCALE})), {QUICK_DURATION} s per step, "
        f"users {QUICK_USERS}; exits 1 on errors (failed requests or operations), never on times",
    )
    parser.add_argument("--users", default=None, help="concurrent users, comma-separated (default 1,10,50)")
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
        "--operations",
        help="timed operations to run, comma-separated (open_round, reminder_sweep, export_docx, "
        "export_xlsx, export_pdf; default: all)",
    )
    parser.add_argument(
        "--scaling-duration", type=int, default=None,
        help="seconds of each half of „submit, 1 vs 2 processes“ (default: --duration); "
        "--only submit_scaling runs just that scenario (with the ceiling)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the JSON (default bench/results/latest.json; with --quick in the run's folder)",
    )
    parser.add_argument("--write-docs", action="store_true", help="update the tables of docs/performance.md")
    args = parser.parse_args(argv)
    instance = Path(tempfile.mkdtemp(prefix="plneni-bench-"))
    if args.quick:
        args.duration = QUICK_DURATION
        args.users = args.users or QUICK_USERS
    args.users = args.users or "1,10,50"
    default_output = instance / "results.json" if args.quick else ROOT / "bench" / "results" / "latest.json"
    args.output = args.output or default_output
    args.today = args.today or last_working_day().isoformat()
    levels = [int(x) for x in args.users.split(",")]
    env = app_env(args, instance)
    print(
        f"Benchmark: database {args.db}, Redis db {args.redis_db}, {args.workers} gunicorn workers, "
        f"{args.duration} s per step, users {levels}",
        flush=True,
    )
    info = prepare_database(args, env)
    info.update(prepare_paging(args, env, info))
    print(f"Data ready: {info['counts']} (seeding {info.get('seed_seconds_total', 0)} s)", flush=True)
    services = start_services(args, env, instance)
    base = f"http://127.0.0.1:{args.port}"
    try:
        accounts = {
            "contributor": "zpracovatel.0001",
            "reviewer": "hodnotitel",
            "secretary": "tajemnik",
            "many": "bench.mnoho",
        }
        from devdata.largedata import LARGE_PASSWORD

        cookies, csrf = {}, {}
        for role, local in accounts.items():
            cookies[role], csrf[role] = sign_in(base, f"{local}@{domain(args)}", LARGE_PASSWORD)
        submitters = prepare_submitters(env, info, base, max(levels))
        form_entry = db_query(
            env,
            "SELECT e.id FROM entries e JOIN user_bodies ub ON ub.body_id = e.body_id "
            "JOIN users u ON u.id = ub.user_id WHERE u.email = :m AND e.round_id = :r "
            "AND e.state = 'draft' ORDER BY e.id LIMIT 1",
            {"m": f"zpracovatel.0001@{domain(args)}", "r": info["open_round"]},
        )[0][0]
        ids = {
            "open_round": info["open_round"],
            "report_round": info["report_round"],
            "form_entry": form_entry,
            "small_report_round": info["small_report_round"],
        }
        endpoints = {
            key: {"role": role, "url": url.format(**ids) if "{" in url else url}
            for key, (role, url, _title) in ENDPOINTS.items()
        }
        workdir = instance / "locust"
        workdir.mkdir()
        context_file = instance / "context.json"
        selected = args.only.split(",") if args.only else list(ENDPOINTS)
        results: dict[str, Any] = {
            "endpoints": {}, "levels": levels, "adjacent_ceilings": {}, "ceilings_after": {}
        }
        results["probe_errors"] = probe(base, cookies, endpoints)
        for problem in results["probe_errors"]:
            print(f"  ERROR {problem}", flush=True)
        for key in ENDPOINTS:
            if key not in selected and key != "ceiling":
                continue
            results["endpoints"][key] = []
            for users in levels:
                if key in ("save", "submit"):
                    reset_submitters(env, submitters)
                context_file.write_text(
                    json.dumps(
                        {
                            "cookies": cookies,
                            "csrf": csrf,
                            "endpoints": endpoints,
                            "submitters": submitters,
                            "database_url": env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://"),
                            "host_name": "127.0.0.1",
                        }
                    )
                )
                bracketed = (
                    not args.quick and key not in ("ceiling", "report_small") and users == _ten(results)
                )
                if bracketed:
                    # the ceiling again, just before the page at the targets' level (see _ceiling_for)
                    drain(base)
                    near = run_locust(args, context_file, "ceiling", users, args.duration, workdir)
                    results["adjacent_ceilings"][key] = near
                    print(f"  (ceiling   {users:3} users: {near['rps']:7.1f} req/s, just before)", flush=True)
                drain(base)
                row = run_locust(args, context_file, key, users, args.duration, workdir)
                results["endpoints"][key].append(row)
                print(
                    f"  {key:10} {users:3} users: {row['rps']:7.1f} req/s  p50 {row['p50_ms']:6.0f}  "
                    f"p95 {row['p95_ms']:6.0f}  p99 {row['p99_ms']:6.0f} ms  failures {row['failures']}",
                    flush=True,
                )
                if bracketed:  # … and just after it
                    drain(base)
                    near = run_locust(args, context_file, "ceiling", users, args.duration, workdir)
                    results["ceilings_after"][key] = near
                    print(f"  (ceiling   {users:3} users: {near['rps']:7.1f} req/s, just after)", flush=True)
        drain(base)
        results["operations"] = {}
        if not args.no_operations:
            print("Timed operations …", flush=True)
            results["operations"] = timed_operations(
                args, env, info, base, cookies["secretary"], csrf["secretary"], services.celery
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
    problems = errors(results) + log_errors(instance)
    results["errors"] = problems
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
    if problems:
        print("\nERRORS (the run fails on these, never on times):\n  " + "\n  ".join(problems), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
