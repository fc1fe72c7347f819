"""Accounts are either local or from the office directory (issue 18, workflow.directory).

Revision ID: c8000002
Revises: c8000001
Create Date: 2026-12-03 05:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8000002"
down_revision = "c8000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("auth_source", sa.String(length=20), server_default="local", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("auth_source")
