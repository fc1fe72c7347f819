#!/usr/bin/env bash
# Install and run Plnění on the embedded defaults: SQLite, Celery on kombu's filesystem broker,
# e-mails to instance/outbox. Loads the real action plan and demo accounts, then serves on
# http://127.0.0.1:5000 (PORT=8080 scripts/run.sh for another port) with a Celery worker and beat
# beside it. Prints the address and the demo logins once; after that only warnings and errors
# (request log: instance/access.log, setup: instance/setup.log, Celery: instance/celery.log).
# Ctrl+C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export FLASK_APP=wsgi
port="${PORT:-5000}"
export BASE_URL="${BASE_URL:-http://127.0.0.1:${port}}"
instance="${INSTANCE_PATH:-instance}"
mkdir -p "$instance"
# Setup output goes to a file; shown only when a step fails.
quiet() { "$@" >>"$instance/setup.log" 2>&1 || { tail -n 40 "$instance/setup.log" >&2; exit 1; }; }
: >"$instance/setup.log"
quiet .venv/bin/flask db upgrade
logins="$(.venv/bin/flask seed-demo 2>>"$instance/setup.log")" || { tail -n 40 "$instance/setup.log" >&2; exit 1; }

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
.venv/bin/celery -A wsgi.celery_app worker --beat --loglevel=INFO --concurrency=1 \
  --schedule="$instance/celerybeat-schedule" >"$instance/celery.log" 2>&1 &
pids+=($!)
.venv/bin/gunicorn --bind "127.0.0.1:${port}" --workers 2 --threads 4 --log-level warning \
  --access-logfile "$instance/access.log" wsgi:app &
pids+=($!)
echo
echo "$logins"
echo
echo "Plnění běží na ${BASE_URL}  (jiný port: PORT=8080 scripts/run.sh)"
echo "Požadavky: $instance/access.log · Celery: $instance/celery.log · e-maily: $instance/outbox/"
echo "Dále se vypisují jen varování a chyby. Ukončení: Ctrl+C."
echo
wait "${pids[-1]}"
