"""Plans keep the column mapping of their last import; every committed import keeps its change
set so that it can be reverted (issue 14, section 2).

Revision ID: d2000001
Revises: d7000001
Create Date: 2026-12-03 07:20:00
"""
import sqlalchemy as sa
from alembic import op

import workflow.db

# revision identifiers, used by Alembic.
revision = "d2000001"
down_revision = "d7000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plans") as batch_op:
        batch_op.add_column(sa.Column("import_mapping", sa.JSON(), server_default="{}", nullable=False))
    with op.batch_alter_table("plan_imports") as batch_op:
        batch_op.add_column(sa.Column("reverted_at", workflow.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reverted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_imports_reverted_by_id_users"), "users", ["reverted_by_id"], ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "plan_import_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["plan_imports.id"], name=op.f("fk_plan_import_changes_import_id_plan_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_import_changes")),
    )
    op.create_index(op.f("ix_plan_import_changes_import_id"), "plan_import_changes", ["import_id"])


def downgrade():
    op.drop_index(op.f("ix_plan_import_changes_import_id"), table_name="plan_import_changes")
    op.drop_table("plan_import_changes")
    with op.batch_alter_table("plan_imports") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_plan_imports_reverted_by_id_users"), type_="foreignkey")
        batch_op.drop_column("reverted_by_id")
        batch_op.drop_column("reverted_at")
    with op.batch_alter_table("plans") as batch_op:
        batch_op.drop_column("import_mapping")
