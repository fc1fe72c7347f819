#!/usr/bin/env bash
# Install and run Plnění on the embedded defaults: SQLite, Celery on kombu's filesystem broker,
# e-mails to instance/outbox. Loads the real action plan and demo accounts, then serves on
# http://127.0.0.1:5000 (PORT overrides) with a Celery worker and beat beside it. Ctrl+C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export FLASK_APP=wsgi
port="${PORT:-5000}"
export BASE_URL="${BASE_URL:-http://127.0.0.1:${port}}"
instance="${INSTANCE_PATH:-instance}"
mkdir -p "$instance"
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
.venv/bin/celery -A wsgi.celery_app worker --beat --loglevel=INFO --concurrency=1 \
  --schedule="$instance/celerybeat-schedule" >"$instance/celery.log" 2>&1 &
pids+=($!)
echo
echo "Plnění běží na ${BASE_URL}  (Celery: $instance/celery.log, e-maily: $instance/outbox/)"
echo
.venv/bin/gunicorn --bind "127.0.0.1:${port}" --workers 2 --threads 4 --access-logfile - wsgi:app &
pids+=($!)
wait "${pids[-1]}"
