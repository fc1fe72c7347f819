#!/usr/bin/env bash
# Refresh requirements/lock.txt, the exact versions of every dependency in pyproject.toml (runtime
# and the test, lint and bench extras), resolved for Python 3.11+ on any platform by uv.
#
# Usage: scripts/lock.sh              add what pyproject.toml gained, keep every other pin
#        scripts/lock.sh --upgrade    move every pin to the newest version pyproject.toml allows
#        scripts/lock.sh --upgrade-package NAME   move one
# scripts/bootstrap.sh (run.sh, test.sh, bench.sh, .ci/run) and the Dockerfile install from the
# lock; bootstrap refuses to go on when pyproject.toml asks for something the lock lacks.
# uv itself lives in a private virtualenv (installed from PyPI on first use), not in the product's.
set -euo pipefail
cd "$(dirname "$0")/.."
uv_version="0.13.9"
tools="${PLNENI_LOCK_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/plneni-uv-${uv_version}}"
if [ ! -x "$tools/bin/uv" ]; then
  "${PYTHON:-python3}" -m venv "$tools"
  "$tools/bin/pip" install --quiet "uv==${uv_version}"
fi
mkdir -p requirements
"$tools/bin/uv" pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
  --annotation-style line --custom-compile-command "scripts/lock.sh" --quiet \
  --output-file requirements/lock.txt "$@"
echo "requirements/lock.txt: $(grep -c '==' requirements/lock.txt) pinned packages"
