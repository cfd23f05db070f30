"""Work queue: the batches of a queued run, and (on PostgreSQL) procrastinate's schema.

``queue_batches`` has one row per batch of URLs put on the queue by
``verifier check --enqueue``: the run is complete when every batch is done.
On PostgreSQL the queue itself is procrastinate's tables and functions,
created here from the schema the installed procrastinate ships (its version
is pinned in pyproject.toml: a new version's schema changes come as a new
migration applying procrastinate's own migration files). SQLite gets only
the batches table (it keeps the single-process ``check``).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queue_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("urls", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime),
    )
    op.create_index("ix_queue_batches_run", "queue_batches", ["run_id", "done_at"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # exec_driver_sql: the schema's ":" are not bind parameters; its "%" doubled
        # for psycopg's parameter syntax.
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(
            _DROP_PROCRASTINATE.replace("%", "%%"),
        )
    op.drop_index("ix_queue_batches_run", table_name="queue_batches")
    op.drop_table("queue_batches")


_DROP_PROCRASTINATE = """
            DO $$
            DECLARE item record;
            BEGIN
                FOR item IN SELECT c.relname FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE c.relkind = 'r' AND c.relname LIKE 'procrastinate%'
                        AND n.nspname = current_schema() LOOP
                    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.relname);
                END LOOP;
                FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                        JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE p.proname LIKE 'procrastinate%'
                        AND n.nspname = current_schema() LOOP
                    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
                END LOOP;
                FOR item IN SELECT t.typname FROM pg_type t
                        JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE t.typname LIKE 'procrastinate%' AND t.typtype = 'e'
                        AND n.nspname = current_schema() LOOP
                    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
                END LOOP;
            END $$;
"""
