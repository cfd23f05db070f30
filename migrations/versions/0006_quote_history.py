"""Verdicts keyed to stable quote identities: kept across re-ingests.

``matches.quote_key`` (sha256 of the document's path, the quote's kind and
its normalised text; see ``verifier.store.models.quote_key``) is filled for
the existing rows from their quotes, and ``matches.quote_id`` no longer
deletes a verdict with its quote row (``ON DELETE SET NULL``): re-ingesting
a changed document replaces its quote rows, and the verdicts stay, tied to
the same text in the new rows by their key.

Revision ID: 0006
Revises: 0005
"""

import hashlib
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's foreign keys in 0004 have no names; batch mode names them by this
# convention so the one on quote_id can be dropped.
_NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_FK = "fk_matches_quote_id_quotes"
_BATCH = 1000


def quote_key(document: str, kind: str, text: str) -> str:
    """A frozen copy of ``verifier.store.models.quote_key`` as of this revision."""
    canonical = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(f"{document}\x00{kind}\x00{canonical}".encode()).hexdigest()


def _fill_keys() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT DISTINCT q.id, d.path, q.kind, q.text FROM matches m "
            "JOIN quotes q ON q.id = m.quote_id "
            "JOIN citations c ON c.id = q.citation_id "
            "JOIN documents d ON d.id = c.document_id"
        )
    ).all()
    update = sa.text("UPDATE matches SET quote_key = :key WHERE quote_id = :quote_id")
    params = [
        {"key": quote_key(path, kind, text), "quote_id": qid} for qid, path, kind, text in rows
    ]
    for start in range(0, len(params), _BATCH):
        bind.execute(update, params[start : start + _BATCH])


def _quote_id_fk_name() -> str | None:
    for fk in sa.inspect(op.get_bind()).get_foreign_keys("matches"):
        if fk["constrained_columns"] == ["quote_id"]:
            return fk.get("name")
    return None


def _set_foreign_key(ondelete: str, *, nullable: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("matches", recreate="always", naming_convention=_NAMING) as b:
            b.drop_constraint(_FK, type_="foreignkey")
            b.alter_column("quote_id", existing_type=sa.Integer, nullable=nullable)
            b.alter_column("quote_key", existing_type=sa.String(64), nullable=False)
            b.create_foreign_key(_FK, "quotes", ["quote_id"], ["id"], ondelete=ondelete)
        return
    name = _quote_id_fk_name()
    if name:
        op.drop_constraint(name, "matches", type_="foreignkey")
    op.alter_column("matches", "quote_id", existing_type=sa.Integer, nullable=nullable)
    op.alter_column("matches", "quote_key", existing_type=sa.String(64), nullable=False)
    op.create_foreign_key(_FK, "matches", "quotes", ["quote_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    op.add_column("matches", sa.Column("quote_key", sa.String(64), nullable=True))
    _fill_keys()
    # every match had its quote (ON DELETE CASCADE): none is left without a key
    _set_foreign_key("SET NULL", nullable=True)
    op.create_index("ix_matches_quote_key_url", "matches", ["quote_key", "url_id"])


def downgrade() -> None:
    op.drop_index("ix_matches_quote_key_url", table_name="matches")
    # verdicts of quotes that were replaced cannot point at a quote again
    op.execute("DELETE FROM matches WHERE quote_id IS NULL")
    _set_foreign_key("CASCADE", nullable=False)
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("quote_key")
