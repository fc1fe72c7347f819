"""Digest items as rows (issue 17): one appended row per entry a pending digest lists.

The entries of a pending digest (``reviewer_digest``, ``entry_approved_digest``) were kept in the
JSON payload of its outbox row and rewritten under a row lock by every submit. They move to
``digest_items``: the upgrade copies the entries of every pending digest into rows (in their
order) and removes them from the payload; the downgrade puts the items of pending digests back
into the payload. Digests already sent or failed keep their payload as it was sent.

Revision ID: d6000001
Revises: d2000001
Create Date: 2026-12-03 08:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

import workflow.db

# revision identifiers, used by Alembic.
revision = "d6000001"
down_revision = "d2000001"
branch_labels = None
depends_on = None

DIGEST_KINDS = ("reviewer_digest", "entry_approved_digest")

_messages = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("payload", sa.JSON),
)
_items = sa.table(
    "digest_items",
    sa.column("id", sa.BigInteger),
    sa.column("message_id", sa.Integer),
    sa.column("entry_id", sa.Integer),
    sa.column("body_id", sa.Integer),
    sa.column("item", sa.JSON),
    sa.column("created_at", workflow.db.UTCDateTime(timezone=True)),
)


def _payload(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def upgrade():
    op.create_table(
        "digest_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("created_at", workflow.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbox_messages.id"],
            name=op.f("fk_digest_items_message_id_outbox_messages"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_items")),
    )
    op.create_index(op.f("ix_digest_items_message_id"), "digest_items", ["message_id"], unique=False)
    conn = op.get_bind()
    pending = conn.execute(
        sa.select(_messages.c.id, _messages.c.payload).where(
            _messages.c.kind.in_(DIGEST_KINDS), _messages.c.state == "pending"
        ).order_by(_messages.c.id)
    ).all()
    now = workflow.db.utcnow()
    for message_id, raw in pending:
        payload = _payload(raw)
        entries = payload.pop("entries", None) or []
        rows = [
            {
                "message_id": message_id,
                "entry_id": int(item["id"]),
                "body_id": (item.get("body") or {}).get("id"),
                "item": item,
                "created_at": now,
            }
            for item in entries
            if isinstance(item, dict) and "id" in item
        ]
        if rows:
            conn.execute(sa.insert(_items), rows)
        conn.execute(sa.update(_messages).where(_messages.c.id == message_id).values(payload=payload))


def downgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_items.c.message_id, _items.c.item, _messages.c.payload)
        .join(_messages, _messages.c.id == _items.c.message_id)
        .where(_messages.c.state == "pending")
        .order_by(_items.c.message_id, _items.c.id)
    ).all()
    merged: dict[int, tuple[dict, dict]] = {}
    for message_id, item, raw in rows:
        payload, entries = merged.setdefault(message_id, (_payload(raw), {}))
        item = _payload(item)
        entries.pop(item["id"], None)
        entries[item["id"]] = item
    for message_id, (payload, entries) in merged.items():
        payload = {**payload, "entries": list(entries.values())}
        conn.execute(sa.update(_messages).where(_messages.c.id == message_id).values(payload=payload))
    op.drop_index(op.f("ix_digest_items_message_id"), table_name="digest_items")
    op.drop_table("digest_items")
