"""What a multi-source note says of each of its URLs: title, author,
publication and access dates (``citation_urls``); and the body sentence
each quotation was taken from (``quotes.sentence``: a note cited twice
has quotations from two sentences).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("title", sa.Text),
    ("translated_title", sa.Text),
    ("authors", sa.Text),
    ("published", sa.String(64)),
    ("accessed", sa.Date),
)


def upgrade() -> None:
    with op.batch_alter_table("citation_urls") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("sentence", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.drop_column("sentence")
    with op.batch_alter_table("citation_urls") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
