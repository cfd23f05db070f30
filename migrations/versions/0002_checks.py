"""Runs, checks, extracted page contents, and per-URL failure counters.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("options", sa.Text),
        sa.Column("summary", sa.Text),
    )
    op.create_table(
        "contents",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("text_z", sa.LargeBinary, nullable=False),
        sa.Column("length", sa.Integer, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("h1", sa.Text),
        sa.Column("og_title", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("url_id", sa.Integer, sa.ForeignKey("urls.id"), nullable=False),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("final_url", sa.Text),
        sa.Column("redirect_chain", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("elapsed_ms", sa.Integer),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(255)),
        sa.Column("content_hash", sa.String(64), sa.ForeignKey("contents.hash")),
        sa.UniqueConstraint("run_id", "url_id"),
    )
    op.create_index("ix_checks_run_id", "checks", ["run_id"])
    op.create_index("ix_checks_url_checked_at", "checks", ["url_id", "checked_at"])
    with op.batch_alter_table("urls") as batch:
        batch.add_column(sa.Column("last_checked_at", sa.DateTime))
        batch.add_column(sa.Column("last_status", sa.String(32)))
        batch.add_column(sa.Column("last_check_id", sa.Integer))
        batch.add_column(sa.Column("failing_since", sa.DateTime))
        batch.add_column(
            sa.Column("failures_in_a_row", sa.Integer, nullable=False, server_default="0")
        )
        batch.create_index("ix_urls_last_checked_at", ["last_checked_at"])


def downgrade() -> None:
    with op.batch_alter_table("urls") as batch:
        batch.drop_index("ix_urls_last_checked_at")
        for column in (
            "failures_in_a_row",
            "failing_since",
            "last_check_id",
            "last_status",
            "last_checked_at",
        ):
            batch.drop_column(column)
    op.drop_table("checks")
    op.drop_table("contents")
    op.drop_table("runs")
