"""Soak test: N simulated users run the whole entry cycle against real gunicorn + Celery for T minutes.

Usage (PostgreSQL and Redis of your own; the soak adds its own plan, bodies, users and round with a
run prefix and touches nothing else, so it may run on a database that holds other data)::

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/plneni_soak \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
    .venv/bin/python scripts/soak.py --users 50 --minutes 10

What it does is :mod:`devdata.soak`'s; this script prints the figures as JSON (``--json FILE``
writes them too) and exits 1 on any violation. The CI version is ``tests/system/reliability/test_soak.py``
(10 users, ~40 s).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

from devdata.soak import soak


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring. Exit status 0 when nothing was violated."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="think time between steps, seconds (default 0.5 1.5)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        parser.error("set DATABASE_URL to a PostgreSQL database (and REDIS_URL to a Redis database)")
    env = dict(os.environ)
    # Production refuses cookies over plain HTTP; the soak talks HTTP on loopback, so it runs the
    # default (development) mode, which differs from production only in those safety checks.
    env.setdefault("PLNENI_ENV", "development")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    env.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="plneni-soak-instance-"))
    figures, problems = soak(
        env,
        args.users,
        args.minutes * 60,
        think=tuple(args.think),  # type: ignore[arg-type]
        workers=args.workers,
        threads=args.threads,
    )
    text = json.dumps(figures, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    for problem in problems:
        print("VIOLATION:", problem, file=sys.stderr)
    print("soak: OK" if not problems else f"soak: {len(problems)} violation(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
