"""Search the index: filters, permissions, ranking, per-type totals and highlighted snippets.

Per type the user may search, a count of matches stops at `COUNT_CAP`
(shown as "500+"). The page is ranked (SQLite bm25, PostgreSQL ts_rank;
a title hit weighs five times a body hit) over at most `RANK_POOL`
candidates: all matches when there are fewer, else the newest on SQLite
and the first the GIN index returns on PostgreSQL. Ranking tens of
thousands of matches of a very common word would cost hundreds of
milliseconds and tell the user nothing more than "add a word"; with these
caps every search stays fast (bench/search.py).

Type and unit narrow inside the full-text index itself (entries are
tagged). Permissions are the ledger's: unit users search no documents,
only their units' tasks and the progress reports on them, and people;
the tags find those quickly, and `visible_to` re-checks them live, so a
stale tag can hide an entry but never show one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session

from duban.db.models import ProgressReport, Task, UserRole
from duban.db.models.search import SearchEntry, SearchKind
from duban.db.repositories.tasks import visible_to
from duban.search import backend
from duban.search.snippet import highlights, make_snippet
from duban.search.text import ParsedQuery, parse_query
from duban.workflow.principal import Principal

__all__ = ["COUNT_CAP", "MAX_QUERY", "RANK_POOL", "Filters", "Hit", "SearchResult", "may_search", "search"]

COUNT_CAP = 500
RANK_POOL = 200
MAX_QUERY = 100
Range = tuple[int, int]


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[SearchKind] = frozenset()  # empty: every type the user may search
    unit_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class Hit:
    kind: SearchKind
    id: int  # of the document, task, report or person
    title: str
    title_highlights: tuple[Range, ...]
    snippet: str
    highlights: tuple[Range, ...]  # (start, end) in `snippet`
    day: dt.date | None
    task_id: int | None  # a progress report's task
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: ParsedQuery
    kinds: tuple[SearchKind, ...]  # the types searched
    totals: dict[SearchKind, int]  # every type the user may search, with the other filters; at most COUNT_CAP
    capped: frozenset[SearchKind]  # types with more than COUNT_CAP hits
    ranked: int = 0  # hits that can be paged through (at most RANK_POOL per group of types)
    hits: list[Hit] = field(default_factory=list)
    offset: int = 0

    @property
    def total(self) -> int:
        return sum(self.totals[k] for k in self.kinds)

    @property
    def is_capped(self) -> bool:
        return any(k in self.capped for k in self.kinds)


def may_search(principal: Principal) -> tuple[SearchKind, ...]:
    """Documents are for the supervision office and leaders; everyone searches the rest."""
    if principal.role is UserRole.UNIT:
        return (SearchKind.TASK, SearchKind.REPORT, SearchKind.PERSON)
    return tuple(SearchKind)


def _visible(kind: SearchKind, principal: Principal) -> ColumnElement[bool] | None:
    """The live permission check, for unit users (others see every entry they may search)."""
    if principal.role is not UserRole.UNIT:
        return None
    if kind is SearchKind.TASK:
        return exists().where(Task.id == SearchEntry.ref_id, visible_to(principal))
    if kind is SearchKind.REPORT:
        return exists().where(
            ProgressReport.id == SearchEntry.ref_id, Task.id == ProgressReport.task_id, visible_to(principal)
        )
    return None


def _extra_tags(kind: SearchKind, principal: Principal, filters: Filters) -> tuple[str, ...] | None:
    """Tags an entry of `kind` must carry besides its type's; None when the user can see none."""
    tags = [] if filters.unit_id is None else [backend.unit_tag(filters.unit_id)]
    if _visible(kind, principal) is not None:
        if principal.unit_id is None:
            return None
        tags.append(backend.unit_tag(principal.unit_id))
    return tuple(dict.fromkeys(tags))


def _filtered(
    stmt: Select[Any], kinds: Iterable[SearchKind], principal: Principal, filters: Filters
) -> Select[Any]:
    if filters.date_from is not None:
        stmt = stmt.where(SearchEntry.day >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(SearchEntry.day <= filters.date_to)
    live = [(kind, _visible(kind, principal)) for kind in kinds]
    if any(check is not None for _, check in live):
        stmt = stmt.where(
            or_(
                *(
                    and_(SearchEntry.kind == kind.value, check if check is not None else true())
                    for kind, check in live
                )
            )
        )
    return stmt


def _count(
    session: Session, parsed: ParsedQuery, kind: SearchKind, principal: Principal, filters: Filters
) -> int:
    extra = _extra_tags(kind, principal, filters)
    if extra is None:
        return 0
    m = backend.Match(parsed.phrases, (backend.kind_tag(kind),), extra)
    stmt = _filtered(
        backend.matches(m, backend.is_postgres(session), scored=False), [kind], principal, filters
    )
    return session.scalar(select(func.count()).select_from(stmt.limit(COUNT_CAP + 1).subquery())) or 0


def _candidates(
    session: Session, parsed: ParsedQuery, kinds: Iterable[SearchKind], principal: Principal, filters: Filters
) -> list[tuple[int, float]]:
    """Up to RANK_POOL scored candidates per group of types that need the same tags."""
    groups: dict[tuple[str, ...], list[SearchKind]] = {}
    for kind in kinds:
        extra = _extra_tags(kind, principal, filters)
        if extra is not None:
            groups.setdefault(extra, []).append(kind)
    found: list[tuple[int, float]] = []
    for extra, group in groups.items():
        m = backend.Match(parsed.phrases, tuple(backend.kind_tag(k) for k in group), extra)
        stmt = _filtered(
            backend.matches(m, backend.is_postgres(session), scored=True), group, principal, filters
        )
        found += [
            (entry_id, float(score or 0.0)) for entry_id, score in session.execute(stmt.limit(RANK_POOL))
        ]
    return sorted(found, key=lambda c: (-c[1], -c[0]))


def _hits(session: Session, parsed: ParsedQuery, page: list[tuple[int, float]]) -> list[Hit]:
    ids = [entry_id for entry_id, _ in page]
    rows = {
        row.id: row
        for row in session.execute(
            select(
                SearchEntry.id,
                SearchEntry.kind,
                SearchEntry.ref_id,
                SearchEntry.title,
                SearchEntry.body,
                SearchEntry.day,
            ).where(SearchEntry.id.in_(ids))
        )
    }
    report_ids = [r.ref_id for r in rows.values() if r.kind == SearchKind.REPORT]
    task_of = {
        a: b
        for a, b in session.execute(
            select(ProgressReport.id, ProgressReport.task_id).where(ProgressReport.id.in_(report_ids))
        )
    }
    hits = []
    for entry_id, score in page:
        row = rows.get(entry_id)
        if row is None:  # removed since the pool was read
            continue
        kind = SearchKind(row.kind)
        shown = make_snippet(row.body, parsed.phrases)
        hits.append(
            Hit(
                kind=kind,
                id=row.ref_id,
                title=row.title,
                title_highlights=highlights(row.title, parsed.phrases),
                snippet=shown.text,
                highlights=shown.highlights,
                day=row.day,
                task_id=task_of.get(row.ref_id) if kind is SearchKind.REPORT else None,
                score=score,
            )
        )
    return hits


def search(
    session: Session,
    principal: Principal,
    query: str,
    filters: Filters = Filters(),
    *,
    offset: int = 0,
    limit: int = 20,
) -> SearchResult:
    """Hits for `query` (every term required), best first, `limit` from `offset`; blank finds nothing."""
    parsed = parse_query(query, MAX_QUERY)
    allowed = may_search(principal)
    kinds = tuple(k for k in allowed if not filters.kinds or k in filters.kinds)
    if parsed.empty:
        return SearchResult(parsed, kinds, {k: 0 for k in allowed}, frozenset(), offset=offset)
    with backend.index_scans(session):
        counts = {k: _count(session, parsed, k, principal, filters) for k in allowed}
        ranked = _candidates(session, parsed, kinds, principal, filters)
        page = ranked[offset : offset + limit]
        hits = _hits(session, parsed, page)
    totals = {k: min(n, COUNT_CAP) for k, n in counts.items()}
    capped = frozenset(k for k, n in counts.items() if n > COUNT_CAP)
    return SearchResult(parsed, kinds, totals, capped, len(ranked), hits, offset)
