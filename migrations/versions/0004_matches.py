"""Match verdicts for titles and quotations.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column(
            "quote_id",
            sa.Integer,
            sa.ForeignKey("quotes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("url_id", sa.Integer, sa.ForeignKey("urls.id"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16)),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id")),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("passage", sa.Text),
        sa.Column("passage_start", sa.Integer),
        sa.Column("passage_end", sa.Integer),
        sa.Column("context", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("matched_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("run_id", "quote_id", "url_id"),
    )
    op.create_index("ix_matches_run_id", "matches", ["run_id"])
    op.create_index("ix_matches_quote_id", "matches", ["quote_id"])


def downgrade() -> None:
    op.drop_table("matches")
