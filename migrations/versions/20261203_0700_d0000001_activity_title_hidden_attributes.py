"""Activities may have a title apart from their description; plans say which further attributes
are hidden on the entry form and in the report (issue 14).

Revision ID: d0000001
Revises: c8000002
Create Date: 2026-12-03 07:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d0000001"
down_revision = "c8000002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("activities") as batch_op:
        batch_op.add_column(sa.Column("title", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("plans") as batch_op:
        batch_op.add_column(sa.Column("hidden_attributes", sa.JSON(), server_default="{}", nullable=False))


def downgrade():
    with op.batch_alter_table("plans") as batch_op:
        batch_op.drop_column("hidden_attributes")
    with op.batch_alter_table("activities") as batch_op:
        batch_op.drop_column("title")
