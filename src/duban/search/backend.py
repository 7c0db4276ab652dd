"""The two full-text engines behind one set of functions: SQLite FTS5 and PostgreSQL tsvector.

Both are fed the tokens of `duban.search.text`, never their own word
splitting, so a query means the same on both:
- SQLite: `search_fts(title, body)` with the `ascii` tokenizer over the
  space-separated tokens (`|` marks a gap); rowid = `search_entries.id`.
- PostgreSQL: `search_entries.tsv`, a tsvector built here with explicit
  positions (a gap skips one) and weights (title A, body B). A tsvector keeps
  at most 16,383 positions and 256 per word; an entry beyond that is stored
  without positions and with its token text in `terms`, where a phrase is
  checked with `strpos` instead, so long documents match as exactly as short ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from duban.db.models.search import FTS_TABLE
from duban.search.text import GAP, Token, index_text

__all__ = ["FtsRow", "clear", "delete", "is_postgres", "pg_tsvector", "write"]

PG_MAX_POSITION = 16383
PG_MAX_POSITIONS_PER_WORD = 256


@dataclass(frozen=True)
class FtsRow:
    entry_id: int
    title: Sequence[Token | None]
    body: Sequence[Token | None]


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_tsvector(title: Sequence[Token | None], body: Sequence[Token | None]) -> tuple[str, str | None]:
    """(tsvector literal, terms): terms is the token text when positions would not fit, else None."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, tokens in (("A", title), ("B", body)):
        for token in tokens:
            position += 1
            if token is not None:
                positions.setdefault(token.text, []).append(f"{position}{weight}")
        position += 1  # title and body never form one phrase
    fits = position <= PG_MAX_POSITION and all(
        len(p) <= PG_MAX_POSITIONS_PER_WORD for p in positions.values()
    )
    if fits:
        return " ".join(f"{_quote(word)}:{','.join(p)}" for word, p in positions.items()), None
    terms = f" {index_text(title)} {GAP} {index_text(body)} "
    return " ".join(_quote(word) for word in positions), terms


def write(session: Session, rows: Sequence[FtsRow]) -> None:
    """Full-text rows for freshly inserted entries."""
    if not rows:
        return
    if is_postgres(session):
        params = []
        for row in rows:
            tsv, terms = pg_tsvector(row.title, row.body)
            params.append({"id": row.entry_id, "tsv": tsv, "terms": terms})
        session.execute(
            text("UPDATE search_entries SET tsv = CAST(:tsv AS tsvector), terms = :terms WHERE id = :id"),
            params,
        )
        return
    session.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"),
        [{"id": r.entry_id, "title": index_text(r.title), "body": index_text(r.body)} for r in rows],
    )


def delete(session: Session, entry_ids: Sequence[int]) -> None:
    """Drop the full-text rows of entries about to be deleted (PostgreSQL keeps them in the entry row)."""
    if not entry_ids or is_postgres(session):
        return
    stmt = text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
    session.execute(stmt, {"ids": list(entry_ids)})


def clear(session: Session) -> None:
    if not is_postgres(session):
        session.execute(text(f"DELETE FROM {FTS_TABLE}"))
