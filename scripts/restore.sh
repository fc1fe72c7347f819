#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and instance folder.
#
#   scripts/restore.sh BACKUP_DIR
#
# DATABASE_URL and INSTANCE_PATH name the target, as for the product. PostgreSQL: the database
# must exist and be empty (createdb first); pg_restore stops at the first error. SQLite: the file
# must not exist yet. The attachments folder must be missing or empty. The checksums are verified
# first. Afterwards run `flask --app wsgi db upgrade` (a no-op for a backup of the same version).
set -euo pipefail
cd "$(dirname "$0")/.."
backup="${1:?usage: scripts/restore.sh BACKUP_DIR}"
instance="${INSTANCE_PATH:-instance}"
case "$instance" in /*) ;; *) instance="$PWD/$instance" ;; esac
python="${PYTHON:-.venv/bin/python}"; [ -x "$python" ] || python=python3
url="${DATABASE_URL:-sqlite:///$instance/plneni.sqlite3}"

(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || { echo "restore: checksum mismatch in $backup" >&2; exit 3; }
if [ -d "$instance/attachments" ] && [ -n "$(ls -A "$instance/attachments")" ]; then
  echo "restore: $instance/attachments is not empty; refusing to mix two installations" >&2; exit 4
fi

case "$url" in
  postgresql*)
    [ -f "$backup/database.dump" ] || { echo "restore: $backup holds no PostgreSQL dump" >&2; exit 2; }
    pg_url="postgresql://${url#*://}"
    tables="$(psql "$pg_url" -Atqc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
    if [ "$tables" != "0" ]; then
      echo "restore: the target database is not empty ($tables tables); create a new one" >&2; exit 4
    fi
    pg_restore --exit-on-error --no-owner --no-privileges --dbname="$pg_url" "$backup/database.dump" ;;
  sqlite*)
    [ -f "$backup/database.sqlite3" ] || { echo "restore: $backup holds no SQLite copy" >&2; exit 2; }
    db_file="${url#sqlite:///}"
    [ ! -e "$db_file" ] || { echo "restore: $db_file exists; refusing to overwrite it" >&2; exit 4; }
    mkdir -p "$(dirname "$db_file")"
    "$python" - "$backup/database.sqlite3" "$db_file" <<'PY'
import sqlite3, sys
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)
dst.close(); src.close()
PY
    ;;
  *) echo "restore: unsupported DATABASE_URL scheme: ${url%%:*}" >&2; exit 2 ;;
esac

mkdir -p "$instance"
tar -C "$instance" -xzf "$backup/attachments.tar.gz"
echo "restored $backup"
