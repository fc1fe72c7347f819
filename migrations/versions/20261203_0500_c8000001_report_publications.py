"""Published reports of closed rounds (issue 18, workflow.publishing).

Revision ID: c8000001
Revises: c6000002
Create Date: 2026-12-03 05:00:00
"""
import sqlalchemy as sa
from alembic import op

import workflow.db

# revision identifiers, used by Alembic.
revision = "c8000001"
down_revision = "c6000002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("published_at", workflow.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", workflow.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["reporting_rounds.id"], name=op.f("fk_report_publications_round_id_reporting_rounds"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["snapshot_id"], ["round_snapshots.id"], name=op.f("fk_report_publications_snapshot_id_round_snapshots"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], name=op.f("fk_report_publications_published_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_publications")),
    )
    op.create_index(op.f("ix_report_publications_round_id"), "report_publications", ["round_id"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_report_publications_round_id"), table_name="report_publications")
    op.drop_table("report_publications")
