"""Documents, citations, URLs, quotes and unsourced attributions.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("path", sa.String(1024), nullable=False, unique=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("warnings", sa.Text),
        sa.Column("ingested_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "citations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("translated_title", sa.Text),
        sa.Column("authors", sa.Text),
        sa.Column("published", sa.String(64)),
        sa.Column("accessed", sa.Date),
        sa.Column("sentence", sa.Text),
        sa.Column("link_text", sa.Text),
        sa.Column("inherits_from", sa.String(255)),
        sa.Column("problem", sa.Text),
    )
    op.create_index("ix_citations_document_position", "citations", ["document_id", "position"])
    op.create_table(
        "urls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
    )
    op.create_index("ix_urls_host", "urls", ["host"])
    op.create_table(
        "citation_urls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "citation_id",
            sa.Integer,
            sa.ForeignKey("citations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("url_id", sa.Integer, sa.ForeignKey("urls.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("written", sa.Text, nullable=False),
        sa.Column("inherited", sa.Boolean, nullable=False),
        sa.Column("archive_url", sa.Text),
        sa.Column("archive_date", sa.Date),
        sa.UniqueConstraint("citation_id", "position"),
    )
    op.create_index("ix_citation_urls_url_id", "citation_urls", ["url_id"])
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "citation_id",
            sa.Integer,
            sa.ForeignKey("citations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_quotes_citation_id", "quotes", ["citation_id"])
    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("cue", sa.String(64), nullable=False),
        sa.Column("source", sa.Text),
    )
    op.create_index("ix_attributions_document_id", "attributions", ["document_id"])


def downgrade() -> None:
    for table in ("attributions", "quotes", "citation_urls", "urls", "citations", "documents"):
        op.drop_table(table)
