#!/usr/bin/env bash
# The benchmark of issue 8 (docs/performance.md): PostgreSQL database "bench" with the „velký“
# data, gunicorn + a Celery worker on loopback, locust at 1, 10 and 50 users per endpoint, the timed
# operations and peak memory. Options: python -m bench --help (e.g. --quick, --duration 20,
# --workers 4, --reuse-db, --write-docs). Installs the "bench" extra (locust, psutil) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh bench
exec .venv/bin/python -m bench "$@"
