"""full-text search index: entries, FTS5 on SQLite, tsvector on PostgreSQL; index existing rows

Revision ID: 0004_search
Revises: 0003
Create Date: 2026-11-22 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0004_search"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("units", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_entries_kind")),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index("ix_search_entries_day", ["day"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Built by duban.search.index from the bigram tokens (positions and weights set there).
        op.execute("ALTER TABLE search_entries ADD COLUMN tsv tsvector NOT NULL DEFAULT ''")
        op.execute("ALTER TABLE search_entries ADD COLUMN terms text")
        op.execute("CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)")
    else:
        # The text is pre-split by duban.search.text; `ascii` keeps every non-ASCII token as given.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, tokenize = \"ascii tokenchars '|.@'\")"
        )

    # An upgraded database is searchable at once: index what is already there.
    from duban.search.index import reindex_all

    with Session(bind=op.get_bind()) as session:
        reindex_all(session)
        session.flush()


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entries_day")
    op.drop_table("search_entries")
