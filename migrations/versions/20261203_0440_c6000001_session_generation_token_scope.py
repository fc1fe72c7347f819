"""Session generation of every user; scope of every API token (issue 15).

* ``users.session_generation`` (integer, 0): part of the signed session and remember cookie; raising
  it ends every session and remember cookie of the user on their next request (sign-out, password
  change or reset, deactivation, „Odhlásit všude“).
* ``api_tokens.scope`` (``read`` or ``write``): a read token may only read the JSON API; tokens
  created before this migration keep working for reading only.

Revision ID: c6000001
Revises: c5000001
Create Date: 2026-12-03 04:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c6000001"
down_revision = "c5000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=10), nullable=False, server_default="read"))
        batch_op.create_check_constraint(op.f("ck_api_tokens_scope_known"), "scope IN ('read', 'write')")


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_scope_known"), type_="check")
        batch_op.drop_column("scope")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
