"""CPU per request of a few pages through the Flask test client: ``python -m bench.cpu``.

A measurement that stays meaningful on a busy machine (the load test does not): the process's own
CPU time (``time.process_time``) per request, the median of ``--repeat`` requests after one
warm-up request, in-process on an already seeded database (``--db``, e.g. the benchmark's, see
``python -m bench --help``). What PostgreSQL and Redis spend is not counted. The pages are those
of the benchmark; each is fetched as the role the benchmark uses::

    .venv/bin/python -m bench.cpu --db bench_pgs --redis redis://127.0.0.1:6387 --redis-db 3

Prints one line per page: median and minimum CPU milliseconds, the response size in KB. With
``--profile N`` it also prints, per page, the N functions with the most cumulative time of a
cProfile of the ``--repeat`` requests (where a page's CPU goes).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from typing import Any

#: page key → (account local part, URL template); ids: ``open_round``, ``report_round``.
PAGES: dict[str, tuple[str, str]] = {
    "ceiling": ("zpracovatel.0001", "/healthz"),
    "dashboard": ("tajemnik", "/kola/{open_round}"),
    "report": ("tajemnik", "/kola/{report_round}/zprava"),
    "report_page_3": ("tajemnik", "/kola/{report_round}/zprava?strana=3"),
    "report_live": ("tajemnik", "/kola/{open_round}/zprava"),
    "tasks": ("zpracovatel.0001", "/moje-ukoly"),
    "tasks_1500": ("bench.mnoho", "/moje-ukoly"),
    "queue": ("hodnotitel", "/kontrola?round={open_round}&state=submitted"),
    "form": ("zpracovatel.0001", "/zaznamy/{form_entry}/upravit"),
    "api": ("tajemnik", "/api/v1/rounds/{open_round}/entries"),
    # POSTs of the entry form (the benchmark's save and submit steps), as the contributor of
    # one body: the entry is put back to a draft after each one, outside the measured time; the
    # body's last entry, not the form's (its history grows with every POST)
    "save": ("zpracovatel.0001", "POST /zaznamy/{post_entry}/upravit save"),
    "submit": ("zpracovatel.0001", "POST /zaznamy/{post_entry}/upravit submit"),
}
ANSWER = {
    "fulfilment_status": "done",
    "text": "Aktivita byla v roce splněna: proběhla tři setkání pracovní skupiny.",
    "indicator_text": "3 setkání",
    "indicator_as_of": "2026-10-31",
}


class Request:
    """One page's request: a GET of ``url``, or (``"POST <url> <action>"``) the entry form's POST
    with ``action`` (``save`` or ``submit``) of a new text each time, the entry put back to a draft
    by :meth:`prepare` (outside the measured time)."""

    def __init__(self, client: Any, spec: str, csrf: str) -> None:
        self.client, self.csrf, self.number = client, csrf, 0
        self.method, self.url, self.action = ("POST", *spec.split()[1:]) if spec.startswith("POST ") else (
            "GET", spec, "")
        self.entry_id = int(self.url.split("/")[2]) if self.method == "POST" else 0
        self.version = 0

    def prepare(self) -> None:
        """Before each POST: the entry back to a draft, its version read (one ``UPDATE``), and the
        last POST's flash message dropped from the session (as the redirect's page does in a
        browser; piled up, they would be re-signed on every request)."""
        if self.method != "POST":
            return
        from sqlalchemy import text

        from web.extensions import db

        with self.client.session_transaction() as session:
            session.pop("_flashes", None)
        with self.client.application.app_context():
            self.version = db.session.scalar(
                text("UPDATE entries SET state = 'draft', version = version + 1 WHERE id = :i "
                     "RETURNING version"),
                {"i": self.entry_id},
            )
            db.session.commit()

    def __call__(self) -> Any:
        """The request; :returns: the response (its body read)."""
        if self.method == "GET":
            response = self.client.get(self.url)
            response.get_data()
            return response
        self.number += 1
        data = {**ANSWER, "text": f"{ANSWER['text']} Úprava č. {self.number}.", "version": str(self.version),
                "action": self.action, "csrf_token": self.csrf}
        return self.client.post(self.url, data=data)

    def ok(self, response: Any) -> bool:
        """A GET answers 200, a POST redirects away from the form (302, not back to it)."""
        if self.method == "GET":
            return response.status_code == 200
        return response.status_code == 302 and (self.action == "save" or "/upravit" not in response.location)


def measure(request: Request, repeat: int) -> tuple[float, float, float, float]:
    """``(median ms, minimum ms, KB, wall median ms)`` of the CPU time of ``repeat`` requests, and
    the median of their wall-clock time (the CPU time plus the waits for PostgreSQL and Redis: a
    page whose wall time far exceeds its CPU time spends it in the database).

    :raises SystemExit: when a request does not answer as :meth:`Request.ok` expects.
    """
    request.prepare()
    response = request()
    if not request.ok(response):
        raise SystemExit(f"{request.url}: status {response.status_code}")
    size = len(response.get_data()) / 1024
    times, walls = [], []
    for _ in range(repeat):
        request.prepare()
        started, wall = time.process_time(), time.perf_counter()
        response = request()
        times.append((time.process_time() - started) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        if not request.ok(response):
            raise SystemExit(f"{request.url}: status {response.status_code}")
    request.prepare()  # a POST's entry left a draft again, as the other pages expect it
    return statistics.median(times), min(times), size, statistics.median(walls)


def profile(request: Request, repeat: int, top: int) -> None:
    """Print the ``top`` functions by cumulative time of a cProfile of ``repeat`` requests."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits for PostgreSQL
    for _ in range(repeat):
        request.prepare()
        profiler.enable()
        request()
        profiler.disable()
    request.prepare()
    pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_CPU_SORT", "cumulative")).print_stats(top)


def statements(app: Any, request: Request, *, explain: bool = False) -> None:
    """Print the statements one request sends to PostgreSQL (the first 150 characters of each)
    and their count; ``explain``: with the planning and execution time PostgreSQL reports for
    each ``SELECT`` (``EXPLAIN (ANALYZE)`` with the request's parameters, run after the request;
    writes are not explained, ``ANALYZE`` would execute them)."""
    from sqlalchemy import event

    from web.extensions import db

    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, Any]] = []

    def log(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    request.prepare()
    event.listen(engine, "before_cursor_execute", log)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", log)
    request.prepare()
    for number, (statement, parameters) in enumerate(seen, 1):
        timing = ""
        if explain and statement.lstrip().upper().startswith("SELECT"):
            with engine.connect() as conn:
                plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}",
                                            parameters).scalar()
            timing = f"[plan {plan[0]['Planning Time']:.2f} ms, run {plan[0]['Execution Time']:.2f} ms] "
        print(f"  {number:2}. {timing}{' '.join(statement.split())[:150]}")
    print(f"  {len(seen)} statements")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="pages, comma-separated (default: all)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also print the N costliest functions (cumulative) per page")
    parser.add_argument("--sql", action="store_true",
                        help="also print the statements of one request per page (and their count)")
    parser.add_argument("--explain", action="store_true",
                        help="with --sql: PostgreSQL's planning and execution time of each SELECT")
    args = parser.parse_args(argv)
    os.environ.update(
        PLNENI_ENV="development",
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="false",
        DATABASE_URL=f"{args.pg}/{args.db}",
        REDIS_URL=f"{args.redis}/{args.redis_db}",
        INSTANCE_PATH=tempfile.mkdtemp(prefix="plneni-bench-cpu-"),
        MAIL_BACKEND="outbox",
    )
    from sqlalchemy import select, text

    from devdata.largedata import LARGE_PASSWORD
    from web import create_app
    from web.extensions import db
    from workflow.models import Plan, ReportingRound

    app = create_app()
    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.title.like("[velky]%")).order_by(Plan.id))
        if plan is None:
            raise SystemExit(f"database {args.db} has no „velký“ data (run the benchmark or seed-large)")
        rounds = db.session.execute(
            select(ReportingRound.id, ReportingRound.state)
            .where(ReportingRound.plan_id == plan.id)
            .order_by(ReportingRound.id)
        ).all()
        ids = {
            "open_round": next(r for r, s in rounds if s == "open"),
            "report_round": [r for r, s in rounds if s == "closed"][-1],
        }
        mine = db.session.scalars(
            text(
                "SELECT e.id FROM entries e JOIN user_bodies ub ON ub.body_id = e.body_id "
                "JOIN users u ON u.id = ub.user_id WHERE u.email LIKE 'zpracovatel.0001@%' "
                "AND e.round_id = :r AND e.state IN ('draft', 'submitted') ORDER BY e.id"
            ),
            {"r": ids["open_round"]},
        ).all()
        ids["form_entry"], ids["post_entry"] = mine[0], mine[-1]
        db.session.remove()
    import gc

    gc.freeze()  # as gunicorn.conf.py does before forking: collections skip the loaded application
    clients: dict[str, tuple[Any, str]] = {}
    selected = args.only.split(",") if args.only else list(PAGES)
    for key in selected:
        account, template = PAGES[key]
        if account not in clients:
            client = app.test_client()
            with app.app_context():
                page = client.get("/prihlaseni")
                import re

                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
                answer = client.post(
                    "/prihlaseni",
                    data={
                        "email": f"{account}@velky.kraj-lbc.cz",
                        "password": LARGE_PASSWORD,
                        "csrf_token": token.group(1) if token else "",
                    },
                )
            if answer.status_code != 302:
                raise SystemExit(f"sign-in of {account} failed: {answer.status_code}")
            form = client.get("/ucet").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
            clients[account] = (client, token.group(1) if token else "")
        client, csrf = clients[account]
        request = Request(client, template.format(**ids), csrf)
        median, fastest, size, wall = measure(request, args.repeat)
        print(f"{key:15} CPU median {median:7.1f} ms  min {fastest:7.1f} ms  {size:8.0f} KB  "
              f"wall median {wall:7.1f} ms", flush=True)
        if args.profile:
            profile(request, args.repeat, args.profile)
        if args.sql:
            statements(app, request, explain=args.explain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
