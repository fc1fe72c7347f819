"""Czech ICU collation on PostgreSQL for ``ORDER BY`` of names (issue 19, workflow.collation).

PostgreSQL built with ICU imports ``"cs-CZ-x-icu"`` into every database at ``initdb``; this creates
it (in the ``public`` schema) where it is missing, e.g. a database restored into a cluster whose
catalogue was created without the ICU import. A server built without ICU fails here, loudly,
instead of sorting „Č“ after „Z“. SQLite needs nothing: the application registers the collation on
every connection (workflow.collation.install).

Revision ID: c5000001
Revises: a8000001
Create Date: 2026-12-03 04:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5000001"
down_revision = "a8000001"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        DO $$
        BEGIN
            IF NOT EXISTS (
                SELECT 1 FROM pg_collation
                WHERE collname = 'cs-CZ-x-icu'
                  AND collencoding IN (-1, pg_char_to_encoding(current_setting('server_encoding')))
            ) THEN
                CREATE COLLATION public."cs-CZ-x-icu" (provider = icu, locale = 'cs-CZ');
            END IF;
        END
        $$;
        """
    )


def downgrade():
    # Only the copy this migration may have created; PostgreSQL's own (pg_catalog) stays.
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP COLLATION IF EXISTS public."cs-CZ-x-icu"')
