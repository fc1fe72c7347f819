"""Backup and restore (scripts/backup.sh, scripts/restore.sh): a backup restored into an empty
database and instance folder holds every round, entry, version, transition and attachment.

On PostgreSQL the restore goes into a temporary database created for the test (and dropped
afterwards); on SQLite into a new file. The append-only trigger survives the restore.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from round_fixtures import entry_of
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support import PROJECT_ROOT

from web.extensions import db
from workflow.entries import add_comment, apply_transition, save_draft, store_attachment

QUERIES = {
    "rounds": "SELECT id, title, state FROM reporting_rounds ORDER BY id",
    "entries": "SELECT id, round_id, activity_id, body_id, state, text FROM entries ORDER BY id",
    "versions": "SELECT id, entry_id, number, state, text FROM entry_versions ORDER BY id",
    "transitions": "SELECT id, entry_id, name, from_state, to_state FROM entry_transitions ORDER BY id",
    "comments": "SELECT id, entry_id, text FROM entry_comments ORDER BY id",
    "attachments": "SELECT id, entry_id, filename, storage_name, sha256, size FROM attachments ORDER BY id",
    "users": "SELECT id, email FROM users ORDER BY id",
    "audit": "SELECT id, kind FROM audit_events ORDER BY id",
}


def _snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(text(sql))] for name, sql in QUERIES.items()}


def _fill(opened, people, attachments_dir: Path) -> list[bytes]:
    contents = []
    for code, abbr, user in (("A1.2", "ORREP", people.orrep), ("A1.1", "OSV", people.osv)):
        entry = entry_of(opened, code, abbr)
        save_draft(
            entry,
            user,
            {"text": f"Plnění {code}: hotovo.", "fulfilment_status": "done"},
            expected_version=entry.version,
        )
        add_comment(entry, user, f"Komentář k {code}")
        content = f"%PDF-1.7 zápis {code} ".encode() + os.urandom(64)
        contents.append(content)
        store_attachment(entry, user, f"zapis-{code}.pdf", io.BytesIO(content), attachments_dir)
        apply_transition(entry, "submit", user)
    db.session.commit()
    return contents


def _run(script: str, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / script), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout.strip()


def test_backup_restores_into_an_empty_database(app, opened, people, tmp_path):
    source_instance = Path(app.config["INSTANCE_DIR"])
    contents = _fill(opened, people, source_instance / "attachments")
    before = _snapshot(db.engine)
    assert len(before["attachments"]) == 2 and len(before["versions"]) >= 4 and before["rounds"]

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "INSTANCE_PATH"}}
    backup = _run(
        "backup.sh",
        str(tmp_path / "zalohy"),
        env={
            **base_env,
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "INSTANCE_PATH": str(source_instance),
        },
    )
    assert Path(backup).is_dir() and (Path(backup) / "SHA256SUMS").is_file()

    target_instance = tmp_path / "obnova"
    admin_engine = None
    if url.get_backend_name() == "postgresql":
        target_name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
        admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{target_name}"'))
        target_url = url.set(database=target_name)
    else:
        target_url = make_url(f"sqlite:///{target_instance / 'plneni.sqlite3'}")
    target = None
    try:
        _run(
            "restore.sh",
            backup,
            env={
                **base_env,
                "DATABASE_URL": target_url.render_as_string(hide_password=False),
                "INSTANCE_PATH": str(target_instance),
            },
        )
        target = create_engine(target_url)
        after = _snapshot(target)
        assert after == before
        with target.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            if target_url.get_backend_name() == "postgresql":
                with pytest.raises(Exception, match="append-only"):
                    conn.execute(text("DELETE FROM entry_versions"))
        for (_id, _entry, _name, storage_name, sha256, size), content in zip(
            after["attachments"], contents, strict=True
        ):
            restored = target_instance / "attachments" / storage_name[:2] / storage_name
            data = restored.read_bytes()
            assert data == content and len(data) == size and hashlib.sha256(data).hexdigest() == sha256
        # Restoring over existing data is refused.
        again = subprocess.run(
            ["bash", str(PROJECT_ROOT / "scripts/restore.sh"), backup],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={
                **base_env,
                "DATABASE_URL": target_url.render_as_string(hide_password=False),
                "INSTANCE_PATH": str(target_instance),
            },
        )
        assert again.returncode != 0 and ("refusing" in again.stderr or "not empty" in again.stderr)
    finally:
        if target is not None:
            target.dispose()
        if admin_engine is not None:
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))
            admin_engine.dispose()
