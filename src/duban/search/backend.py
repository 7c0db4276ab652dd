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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from duban.db.models.search import FTS_TABLE, SearchEntry
from duban.search.text import GAP, Phrase, index_text

__all__ = [
    "FtsRow",
    "Match",
    "clear",
    "delete",
    "index_scans",
    "is_postgres",
    "kind_tag",
    "matches",
    "pg_tsvector",
    "unit_tag",
    "write",
]

PG_MAX_POSITION = 16383
PG_MAX_POSITIONS_PER_WORD = 256


def kind_tag(kind: str) -> str:
    """Entries carry tags as extra tokens (`@task`, `@u12`) so the index itself narrows by type
    and unit; `@` is never part of a query token, so no search can hit a tag by accident."""
    return f"@{kind}"


def unit_tag(unit_id: int) -> str:
    return f"@u{unit_id}"


@dataclass(frozen=True)
class FtsRow:
    entry_id: int
    title: Sequence[str | None]
    body: Sequence[str | None]
    tags: Sequence[str]


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_tsvector(row: FtsRow) -> tuple[str, str | None]:
    """(tsvector literal, terms): terms is the token text when positions would not fit, else None."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, tokens in (("A", row.title), ("B", row.body)):
        for token in tokens:
            position += 1
            if token is not None:
                positions.setdefault(token, []).append(f"{position}{weight}")
        position += 1  # title and body never form one phrase
    tags = " ".join(_quote(tag) for tag in row.tags)
    fits = position <= PG_MAX_POSITION and all(
        len(p) <= PG_MAX_POSITIONS_PER_WORD for p in positions.values()
    )
    if fits:
        return " ".join(f"{_quote(word)}:{','.join(p)}" for word, p in positions.items()) + " " + tags, None
    terms = f" {index_text(row.title)} {GAP} {index_text(row.body)} "
    return " ".join(_quote(word) for word in positions) + " " + tags, terms


def write(session: Session, rows: Sequence[FtsRow]) -> None:
    """Full-text rows for freshly inserted entries."""
    if not rows:
        return
    if is_postgres(session):
        params = []
        for row in rows:
            tsv, terms = pg_tsvector(row)
            params.append({"id": row.entry_id, "tsv": tsv, "terms": terms})
        session.execute(
            text("UPDATE search_entries SET tsv = CAST(:tsv AS tsvector), terms = :terms WHERE id = :id"),
            params,
        )
        return
    session.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, title, body, tags) VALUES (:id, :title, :body, :tags)"),
        [
            {
                "id": r.entry_id,
                "title": index_text(r.title),
                "body": index_text(r.body),
                "tags": " ".join(r.tags),
            }
            for r in rows
        ],
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


@dataclass(frozen=True)
class Match:
    """What an entry must contain: every phrase and every tag."""

    phrases: tuple[Phrase, ...]
    tags: tuple[str, ...] = ()


def _fts5_query(m: Match) -> str:
    """`"@task" AND "@u3" AND "财政 政局"`: every tag and phrase quoted; no token holds a quote."""
    return " AND ".join([*(f'"{t}"' for t in m.tags), *('"' + " ".join(p) + '"' for p in m.phrases)])


def _tsquery(phrases: Sequence[Phrase], *, phrase: bool = False) -> str:
    join = " <-> " if phrase else " & "
    return " & ".join("(" + join.join(_quote(t) for t in p) + ")" for p in phrases)


def matches(m: Match, postgres: bool) -> Select[int, str]:
    """Id and type of the entries matching `m`; the caller adds filters and a LIMIT.

    SQLite walks the matches newest first; PostgreSQL takes them in the order
    its GIN index returns them. Neither engine ranks here: FTS5's bm25 first
    counts every match of every phrase in the whole index (for its IDF), and
    ts_rank reads each candidate's tsvector from TOAST; for a common word either
    costs more than the whole search may (see duban.search.rank).
    """
    if postgres:
        return _pg_matches(m)
    fts = table(FTS_TABLE, column("rowid", Integer))
    match = literal_column(FTS_TABLE).op("MATCH", is_comparison=True)(bindparam("fts_query", _fts5_query(m)))
    return (
        select(SearchEntry.id, SearchEntry.kind)
        .select_from(fts.join(SearchEntry.__table__, SearchEntry.id == fts.c.rowid))
        .where(match)
        .order_by(fts.c.rowid.desc())
    )


def _pg_matches(m: Match) -> Select[int, str]:
    tsv: ColumnElement[Any] = literal_column("search_entries.tsv")
    terms: ColumnElement[str | None] = literal_column("search_entries.terms")

    def tsquery(name: str, value: str) -> ColumnElement[str]:
        return cast(bindparam(name, value), TSQUERY)

    # The GIN index finds entries with every token; phrases are then checked on the row:
    # by position, or by `strpos` in the token text of an entry too long for positions.
    every = " & ".join([*(_quote(t) for t in m.tags), _tsquery(m.phrases)])
    cond: ColumnElement[bool] = tsv.op("@@", is_comparison=True)(tsquery("tsq_all", every))
    multi = [p for p in m.phrases if len(p) > 1]
    if multi:
        by_position = tsv.op("@@", is_comparison=True)(tsquery("tsq_phrase", _tsquery(multi, phrase=True)))
        in_text = [
            func.strpos(terms, bindparam(f"tsq_text{i}", f" {' '.join(p)} ")) > 0 for i, p in enumerate(multi)
        ]
        cond = and_(cond, or_(and_(terms.is_(None), by_position), and_(terms.is_not(None), *in_text)))
    return select(SearchEntry.id, SearchEntry.kind).where(cond)


@contextmanager
def index_scans(session: Session) -> Iterator[None]:
    """On PostgreSQL, have the planner use the GIN index for the statements inside.

    With a LIMIT and many estimated matches it would otherwise scan the table
    and test every row's tsvector, each one read from TOAST and decompressed:
    ten times slower than the index for a common word. The setting is local to
    the transaction and back to the default afterwards.
    """
    if not is_postgres(session):
        yield
        return
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        yield
    finally:
        session.execute(text("SET LOCAL enable_seqscan = DEFAULT"))
