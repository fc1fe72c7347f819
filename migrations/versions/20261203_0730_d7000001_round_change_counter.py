"""Rounds get a change counter, bumped by every transaction that changes the round or its entries:
the key of the round dashboard's fragment cache (issue 17).

Revision ID: d7000001
Revises: d3000001
Create Date: 2026-12-03 07:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7000001"
down_revision = "d3000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reporting_rounds") as batch_op:
        batch_op.add_column(sa.Column("change_counter", sa.BigInteger(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("reporting_rounds") as batch_op:
        batch_op.drop_column("change_counter")
