#!/usr/bin/env bash
# Back up Plnění: the database and the attachments folder, into one new folder.
#
#   scripts/backup.sh DEST_DIR          → DEST_DIR/plneni-<UTC time>/{database.dump|database.sqlite3,
#                                          attachments.tar.gz, SHA256SUMS, MANIFEST}
#
# Reads the same settings as the product: DATABASE_URL (PostgreSQL: pg_dump in custom format;
# default SQLite: a consistent copy through SQLite's online backup API, safe while the product
# runs) and INSTANCE_PATH (default ./instance; attachments live in INSTANCE_PATH/attachments).
# Prints the folder it wrote. Exit status non-zero on any failure (nothing half-written is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
dest_root="${1:?usage: scripts/backup.sh DEST_DIR}"
instance="${INSTANCE_PATH:-instance}"
case "$instance" in /*) ;; *) instance="$PWD/$instance" ;; esac
python="${PYTHON:-.venv/bin/python}"; [ -x "$python" ] || python=python3
url="${DATABASE_URL:-sqlite:///$instance/plneni.sqlite3}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest_root"
work="$(mktemp -d "$dest_root/.plneni-$stamp.XXXXXX")"
trap 'rm -rf "$work"' EXIT

case "$url" in
  postgresql*)
    # libpq does not know SQLAlchemy's driver suffix (postgresql+psycopg://).
    pg_url="postgresql://${url#*://}"
    pg_dump --format=custom --no-owner --no-privileges --file="$work/database.dump" "$pg_url"
    kind=postgresql ;;
  sqlite*)
    db_file="${url#sqlite:///}"
    "$python" - "$db_file" "$work/database.sqlite3" <<'PY'
import sqlite3, sys
source, target = sys.argv[1], sys.argv[2]
src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
dst = sqlite3.connect(target)
with dst:
    src.backup(dst)
dst.close(); src.close()
PY
    kind=sqlite ;;
  *) echo "backup: unsupported DATABASE_URL scheme: ${url%%:*}" >&2; exit 2 ;;
esac

if [ -d "$instance/attachments" ]; then
  tar -C "$instance" -czf "$work/attachments.tar.gz" attachments
else
  tar -czf "$work/attachments.tar.gz" -T /dev/null
fi
files="$(find "$instance/attachments" -type f 2>/dev/null | wc -l | tr -d ' ')"
{
  echo "created_utc=$stamp"
  echo "database=$kind"
  echo "attachment_files=$files"
} >"$work/MANIFEST"
(cd "$work" && sha256sum database.* attachments.tar.gz MANIFEST >SHA256SUMS)

final="$dest_root/plneni-$stamp"
mv "$work" "$final"
trap - EXIT
echo "$final"
