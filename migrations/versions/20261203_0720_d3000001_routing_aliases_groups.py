"""Routing resolved once (issue 14 §3): decided aliases, groups of bodies and explicit
per-activity routing decisions.

Revision ID: d3000001
Revises: d1000001
Create Date: 2026-12-03 07:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d3000001"
down_revision = "d1000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "body_groups",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["coordinator_id"], ["bodies.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("body_id"),
    )
    op.create_table(
        "body_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["body_groups.body_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "body_id"),
    )
    op.create_table(
        "routing_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("normalized"),
    )
    op.create_index("ix_routing_aliases_body_id", "routing_aliases", ["body_id"])
    op.create_table(
        "routing_decisions",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("responsibility_raw", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("activity_id"),
    )


def downgrade():
    op.drop_table("routing_decisions")
    op.drop_index("ix_routing_aliases_body_id", table_name="routing_aliases")
    op.drop_table("routing_aliases")
    op.drop_table("body_group_members")
    op.drop_table("body_groups")
