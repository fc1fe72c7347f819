#!/usr/bin/env bash
# Until the first release the schema is one initial migration, regenerated from the models.
# Usage: scripts/regen-initial-migration.sh   (never run this after a release: add a migration instead)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/versions"
cp -r migrations "$tmp/migrations"
rm -f "$tmp/migrations/versions/"*.py
INSTANCE_PATH="$tmp/instance" DATABASE_URL="sqlite:///$tmp/regen.sqlite3" \
  .venv/bin/flask --app wsgi db migrate -d "$tmp/migrations" -m "initial schema" >/dev/null 2>&1
new=$(ls "$tmp/migrations/versions/"*.py)
rm -f migrations/versions/*.py
cp "$new" migrations/versions/
echo "regenerated: migrations/versions/$(basename "$new")"
