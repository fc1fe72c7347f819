#!/usr/bin/env bash
# Install the test extras and run the linters and the whole test suite.
# Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else the embedded SQLite default.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/unit -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test,lint
.venv/bin/ruff check .
.venv/bin/python -m pytest -p no:cacheprovider "$@"
