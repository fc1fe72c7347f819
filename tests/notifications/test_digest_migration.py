"""Migration ``d6000001`` (issue 17): the entries of a pending digest move from its payload into
``digest_items`` rows (a sent digest keeps its payload), and back on a downgrade."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from web import create_app
from web.extensions import db

ITEMS = [
    {"id": 11, "code": "A1.1", "title": "Koordinace", "body": {"id": 3, "abbreviation": "OSV"}},
    {"id": 12, "code": "A1.2", "title": "Metodika", "body": {"id": 4, "abbreviation": "OŠMTS"}},
]
BEFORE = "d6000001-1"


def _message(conn, key: str, state: str) -> None:
    payload = {"user": {"id": 1, "email": "h@kraj-lbc.cz"}, "entries": ITEMS, "base_url": "http://x"}
    conn.execute(
        text(
            "INSERT INTO outbox_messages (kind, recipient_email, locale, dedupe_key, payload, state,"
            " attempts, created_at, next_attempt_at) VALUES ('reviewer_digest', 'h@kraj-lbc.cz', 'cs',"
            " :k, :p, :s, 0, '2026-11-18 10:00:00', '2026-11-18 11:00:00')"
        ),
        {"k": key, "p": json.dumps(payload), "s": state},
    )


def _payload(conn, key: str) -> dict:
    raw = conn.execute(text("SELECT payload FROM outbox_messages WHERE dedupe_key = :k"), {"k": key}).scalar()
    return json.loads(raw) if isinstance(raw, str) else raw


def test_pending_digest_entries_become_rows_and_come_back(tmp_path):
    fresh = create_app(environ={"INSTANCE_PATH": str(tmp_path), "PLNENI_ENV": "testing"})
    with fresh.app_context():
        upgrade()
        downgrade(revision=BEFORE)
        engine = create_engine(fresh.config["SQLALCHEMY_DATABASE_URI"])
        with engine.begin() as conn:
            _message(conn, "pending", "pending")
            _message(conn, "sent", "sent")
        upgrade()
        with engine.begin() as conn:
            rows = conn.execute(
                text("SELECT m.dedupe_key, i.entry_id, i.body_id FROM digest_items i "
                     "JOIN outbox_messages m ON m.id = i.message_id ORDER BY i.id")
            ).all()
            assert [tuple(r) for r in rows] == [("pending", 11, 3), ("pending", 12, 4)]
            assert "entries" not in _payload(conn, "pending")
            assert _payload(conn, "sent")["entries"] == ITEMS  # as it was sent
        downgrade(revision=BEFORE)
        with engine.begin() as conn:
            assert _payload(conn, "pending")["entries"] == ITEMS
        engine.dispose()
        db.engine.dispose()
