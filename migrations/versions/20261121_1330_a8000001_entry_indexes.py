"""Composite indexes on entries for the round dashboard, the review queue and „Moje úkoly“ (issue 8).

* ``ix_entries_round_state_body`` (round_id, state, body_id): the dashboard's counts per state and
  body and the queue's state filter read only the index instead of every row of the round.
* ``ix_entries_body_round`` (body_id, round_id): a body's entries in the open rounds („Moje úkoly“,
  the reminder sweep per body) without visiting the body's entries of every past round.

Revision ID: a8000001
Revises: a9000001
Create Date: 2026-11-21 13:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8000001"
down_revision = "a9000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index("ix_entries_round_state_body", ["round_id", "state", "body_id"], unique=False)
        batch_op.create_index("ix_entries_body_round", ["body_id", "round_id"], unique=False)


def downgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_body_round")
        batch_op.drop_index("ix_entries_round_state_body")
