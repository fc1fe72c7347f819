#!/usr/bin/env bash
# Create .venv (if missing) and install the product with the given extras. Sourced by run.sh/test.sh.
# Usage: scripts/bootstrap.sh [extras]   e.g. scripts/bootstrap.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  if [ -n "$extras" ]; then
    .venv/bin/pip install --quiet -e ".[${extras}]"
  else
    .venv/bin/pip install --quiet -e .
  fi
  touch "$stamp"
fi
# Compile the translation catalogues (English; Czech is the source language).
if compgen -G "web/translations/*/LC_MESSAGES/messages.po" >/dev/null; then
  .venv/bin/pybabel -q compile -d web/translations
fi
