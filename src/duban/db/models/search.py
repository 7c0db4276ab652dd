"""The search index: one entry per searchable row (document, task, progress report, person).

An entry keeps the original title and body (hits are highlighted on them)
and a date for the date filter. Who may see an entry and which units it
belongs to are not copied here: queries read them live from the tasks and
their owners, so the index can never show a task to a unit it was taken from.

The full-text part is dialect-specific and lives outside this model (the
migration creates it, `duban.search.index` writes it):
- SQLite: the FTS5 table `search_fts(title, body)`, rowid = entry id, fed
  the bigram text of `duban.search.text`;
- PostgreSQL: columns `tsv` (a tsvector of the same tokens, title weighted A
  and body B, GIN-indexed) and `terms` (the token text, kept only for
  entries too long for tsvector positions) on `search_entries`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from duban.db.base import Base

__all__ = ["FTS_TABLE", "PG_ONLY_COLUMNS", "PG_ONLY_INDEXES", "SearchEntry", "SearchKind"]

FTS_TABLE = "search_fts"
PG_ONLY_COLUMNS = ("tsv", "terms")
PG_ONLY_INDEXES = ("ix_search_entries_tsv",)


class SearchKind(StrEnum):
    DOCUMENT = "document"
    TASK = "task"
    REPORT = "report"
    PERSON = "person"

    @property
    def label(self) -> str:
        return {"document": "文件", "task": "任务", "report": "进展反馈", "person": "人员"}[self.value]


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_entries_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # The date a user would filter on: a document's date, a report's day, a task's source date.
    day: Mapped[dt.date | None]
    # Ids of the units the entry belongs to (" 3 7 "), as tagged in the full-text index: kept here
    # so a change of owners re-tags exactly the entries whose units changed.
    units: Mapped[str] = mapped_column(Text, default="")
