#!/usr/bin/env bash
# Install the test extras and run the linters and the whole test suite (every tier).
# Uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, else the embedded SQLite default.
# Runs in parallel on every core (pytest-xdist, TEST_WORKERS=auto; TEST_WORKERS=0 runs in this
# process). Extra arguments go to pytest (e.g. scripts/test.sh tests/workflow -x, or
# scripts/test.sh -m "not system" for the unit and web tiers only; docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PLNENI_SKIP_BOOTSTRAP:-0}" != "1" ]; then
  scripts/bootstrap.sh test,lint
  .venv/bin/ruff check .
  .venv/bin/lint-imports --no-cache  # import contracts (pyproject.toml)
fi
.venv/bin/python -m pytest -p no:cacheprovider -n "${TEST_WORKERS:-auto}" --dist loadgroup "$@"
