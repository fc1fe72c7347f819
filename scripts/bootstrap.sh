#!/usr/bin/env bash
# Create .venv (if missing) and install the product with the given extras, at the versions pinned in
# requirements/lock.txt. Run by run.sh, test.sh, bench.sh and .ci/run; needs only python3 with venv.
# Usage: scripts/bootstrap.sh [extras]   e.g. scripts/bootstrap.sh test,lint
# Fails (exit 1, naming the package) when pyproject.toml asks for a dependency or a version range
# the lock does not cover: run scripts/lock.sh then. Extras: test, lint, bench (pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3}
lock=requirements/lock.txt
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  .venv/bin/python scripts/lockcheck.py pyproject "$extras"
  .venv/bin/pip install --quiet --upgrade pip
  # The lock as constraints: only what the extras need is installed, each at its pinned version.
  .venv/bin/pip install --quiet --constraint "$lock" -e ".${extras:+[${extras}]}"
  .venv/bin/python scripts/lockcheck.py installed "$extras"
  touch "$stamp"
fi
# Compile the translation catalogues (English; Czech is the source language).
if compgen -G "web/translations/*/LC_MESSAGES/messages.po" >/dev/null; then
  .venv/bin/pybabel -q compile -d web/translations
fi
