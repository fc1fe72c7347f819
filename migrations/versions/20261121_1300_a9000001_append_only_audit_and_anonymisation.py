"""append-only audit trail in PostgreSQL; users.anonymised_at

Revision ID: a9000001
Revises: 2b6fbe005578
Create Date: 2026-11-21 13:00:00

On PostgreSQL a row trigger refuses UPDATE and DELETE on the audit trail (``audit_events``,
``entry_transitions``, ``entry_versions``, ``round_events``), with two exceptions:

* referential actions: deleting a parent row (an entry, a user) cascades or sets its foreign keys
  to NULL; those statements run inside PostgreSQL's RI triggers, so ``pg_trigger_depth() > 1``;
* the retention purge of ``audit_events``: a DELETE of rows older than the number of days in the
  transaction-local setting ``plneni.audit_retention_days`` (``SET LOCAL``, see
  ``workflow.audit.purge_expired``). Rows younger than that are refused even then.

SQLite has no such trigger (the ORM guard in the models refuses updates and deletes there).
"""
from alembic import op
import sqlalchemy as sa

import workflow.db


# revision identifiers, used by Alembic.
revision = 'a9000001'
down_revision = '2b6fbe005578'
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("audit_events", "entry_transitions", "entry_versions", "round_events")

FUNCTION = """
CREATE OR REPLACE FUNCTION plneni_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    days integer;
BEGIN
    -- ON DELETE CASCADE / SET NULL of a parent row: runs inside the RI trigger (depth 2).
    IF pg_trigger_depth() > 1 THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_events' THEN
        days := NULLIF(current_setting('plneni.audit_retention_days', true), '')::integer;
        IF days IS NOT NULL AND days > 0 AND OLD.at < now() - make_interval(days => days) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'plneni: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', workflow.db.UTCDateTime(), nullable=True))

    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION plneni_refuse_audit_change()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS plneni_refuse_audit_change()")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
