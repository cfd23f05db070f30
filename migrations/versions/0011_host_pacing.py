"""Host pacing handed between workers: ``host_pacing`` holds, per host,
when it may next be asked (the database's clock), written by a work-queue
job that ends while its host must still wait (``min_interval``, a
``Retry-After``) and read by the job that takes the host over, on any
worker (``verifier.queue.pacing``).

Revision ID: 0011
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_pacing",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("next_start", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("host_pacing")
