"""Who edited an answer since it was last returned or reopened; versions of the assessment (issue 15).

* ``entries.editor_ids`` (JSON list of user ids, ``[]``): every draft save adds its author; sending
  back and reopening empty it. Approval is refused to anyone listed (four eyes, deputies too).
* ``assessment_versions``: every change of the reviewer's assessment („Komentář hodnotitele“),
  append-only (on PostgreSQL the trigger of ``a9000001`` refuses UPDATE and DELETE here too).

Revision ID: c6000002
Revises: c6000001
Create Date: 2026-12-03 05:00:00
"""
import sqlalchemy as sa
from alembic import op

import workflow.db

# revision identifiers, used by Alembic.
revision = "c6000002"
down_revision = "c6000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("editor_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.create_table(
        "assessment_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", workflow.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], name=op.f("fk_assessment_versions_entry_id_entries"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_assessment_versions_author_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_versions")),
        sa.UniqueConstraint("entry_id", "number", name=op.f("uq_assessment_versions_entry_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER assessment_versions_append_only BEFORE UPDATE OR DELETE ON assessment_versions "
            "FOR EACH ROW EXECUTE FUNCTION plneni_refuse_audit_change()"
        )


def downgrade():
    op.drop_table("assessment_versions")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("editor_ids")
