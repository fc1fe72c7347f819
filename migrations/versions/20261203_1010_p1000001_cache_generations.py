"""Cache generations: a random token per kind of data, renewed by every transaction that changes
it (workflow.models.changes); the review queue's filter choices and the groups of „Moje úkoly“
are cached under the reference data's one (issue 17).

Revision ID: p1000001
Revises: e1000001
Create Date: 2026-12-03 10:10:00
"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "p1000001"
down_revision = "e1000001"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "cache_generations",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_generations")),
    )
    op.bulk_insert(table, [{"name": "reference", "generation": uuid.uuid4().hex}])


def downgrade():
    op.drop_table("cache_generations")
