"""Filled XLSX files of bodies kept between the upload's preview and its confirmation (issue 18).

Revision ID: d1000001
Revises: d0000001
Create Date: 2026-12-03 07:00:00
"""
import sqlalchemy as sa
from alembic import op

import workflow.db

# revision identifiers, used by Alembic.
revision = "d1000001"
down_revision = "d0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offline_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", workflow.db.UTCDateTime(), nullable=False),
        sa.Column("applied_at", workflow.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_offline_uploads_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_uploads")),
    )
    op.create_index(op.f("ix_offline_uploads_user_id"), "offline_uploads", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_offline_uploads_user_id"), table_name="offline_uploads")
    op.drop_table("offline_uploads")
