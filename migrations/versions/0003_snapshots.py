"""Archived copies (snapshots) and the archive lookups made for them.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url_id", sa.Integer, sa.ForeignKey("urls.id"), nullable=False),
        sa.Column("archive", sa.String(32), nullable=False),
        sa.Column("captured_at", sa.DateTime, nullable=False),
        sa.Column("snapshot_url", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("content_hash", sa.String(64), sa.ForeignKey("contents.hash")),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("url_id", "archive", "captured_at"),
    )
    op.create_index("ix_snapshots_url_id", "snapshots", ["url_id"])
    op.create_table(
        "archive_lookups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url_id", sa.Integer, sa.ForeignKey("urls.id"), nullable=False),
        sa.Column("archive", sa.String(32), nullable=False),
        sa.Column("target_date", sa.Date),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id")),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("looked_up_at", sa.DateTime, nullable=False),
    )
    op.create_index(
        "ix_archive_lookups_key",
        "archive_lookups",
        ["url_id", "archive", "target_date", "run_id"],
    )


def downgrade() -> None:
    op.drop_table("archive_lookups")
    op.drop_table("snapshots")
