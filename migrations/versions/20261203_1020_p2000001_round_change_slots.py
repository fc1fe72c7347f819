"""A round's change counter spread over slots (issue 17): ``round_change_slots`` holds up to 16
rows per round, each transaction that changes the round adds 1 to one of them picked at random,
and the counter is their sum (workflow.models.changes). The one counter column of
``reporting_rounds`` made every two concurrent commits of one round queue for its row lock.

The upgrade copies each round's counter into its slot 0 (rounds whose counter is 0 get no row)
and drops the column; the downgrade adds the column back with the sum of the round's slots and
drops the table.

Revision ID: p2000001
Revises: p1000001
Create Date: 2026-12-03 10:20:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "p2000001"
down_revision = "p1000001"
branch_labels = None
depends_on = None

_rounds = sa.table("reporting_rounds", sa.column("id", sa.Integer), sa.column("change_counter", sa.BigInteger))
_slots = sa.table(
    "round_change_slots",
    sa.column("round_id", sa.Integer),
    sa.column("slot", sa.SmallInteger),
    sa.column("counter", sa.BigInteger),
)


def upgrade():
    op.create_table(
        "round_change_slots",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("counter", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["reporting_rounds.id"],
            name=op.f("fk_round_change_slots_round_id_reporting_rounds"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "slot", name=op.f("pk_round_change_slots")),
    )
    op.execute(
        sa.insert(_slots).from_select(
            ["round_id", "slot", "counter"],
            sa.select(_rounds.c.id, sa.literal_column("0"), _rounds.c.change_counter).where(
                _rounds.c.change_counter > 0
            ),
        )
    )
    with op.batch_alter_table("reporting_rounds") as batch_op:
        batch_op.drop_column("change_counter")


def downgrade():
    with op.batch_alter_table("reporting_rounds") as batch_op:
        batch_op.add_column(sa.Column("change_counter", sa.BigInteger(), server_default="0", nullable=False))
    summed = (
        sa.select(sa.func.coalesce(sa.func.sum(_slots.c.counter), 0))
        .where(_slots.c.round_id == _rounds.c.id)
        .scalar_subquery()
    )
    op.execute(sa.update(_rounds).values(change_counter=summed))
    op.drop_table("round_change_slots")
