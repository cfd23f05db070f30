"""Documents identified by their resolved path; citations located in their source.

``documents.resolved_path`` is the absolute, symlink-resolved path of the
file: one file is one document however its path was spelled on the command
line. Rows from before this revision get their path made absolute against
the folder the migration runs in (the best that can be known).

``citations.line`` and ``citations.column`` (1-based) locate each note in the
document's text, for SARIF and GitHub annotations; empty where the format
has no lines (``line`` is the paragraph for .docx and the page for PDF).

Revision ID: 0005
Revises: 0004
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): recreating `documents` on SQLite would
    # fire the citations' ON DELETE CASCADE.
    op.add_column("documents", sa.Column("resolved_path", sa.String(4096)))
    op.add_column("citations", sa.Column("line", sa.Integer))
    op.add_column("citations", sa.Column("column", sa.Integer))
    documents = sa.table(
        "documents", sa.column("id", sa.Integer), sa.column("path"), sa.column("resolved_path")
    )
    connection = op.get_bind()
    seen: set[str] = set()
    rows = connection.execute(sa.select(documents.c.id, documents.c.path).order_by(documents.c.id))
    for doc_id, path in rows.all():
        resolved = os.path.realpath(path)
        if resolved in seen:
            # Two spellings of one file from before: keep them apart here;
            # the next ingest of that file reports under one of them.
            resolved = f"{resolved}#{doc_id}"
        seen.add(resolved)
        connection.execute(
            sa.update(documents).where(documents.c.id == doc_id).values(resolved_path=resolved)
        )
    op.create_index("ix_documents_resolved_path", "documents", ["resolved_path"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_documents_resolved_path", table_name="documents")
    with op.batch_alter_table("citations") as batch:
        batch.drop_column("column")
        batch.drop_column("line")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("resolved_path")
