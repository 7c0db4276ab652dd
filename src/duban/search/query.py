"""Search the index: filters, permissions, ranking, per-type totals and highlighted snippets.

Two bounded passes over the full-text index keep every search fast, however
common the words (bench/search.py): one counts matches per type, stopping
after `COUNT_CAP` (totals then read "1000+", at least that many), and one
takes at most `RANK_POOL` candidates for the page, with their text, and ranks
them (duban.search.rank: BM25-style, a title hit weighs five times a body
hit): all matches when there are fewer, else the newest on SQLite and the
first the GIN index returns on PostgreSQL. Ranking tens of thousands of
matches of a very common word would cost hundreds of milliseconds and tell
the user nothing more than "add a word".

Type and unit narrow inside the full-text index itself (entries are
tagged). Permissions are the ledger's: unit users search no documents,
only their units' tasks and the progress reports on them, and people;
the tags find those quickly, and `visible_to` re-checks them live, so a
stale tag can hide an entry but never show one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true
from sqlalchemy.orm import Session

from duban.db.models import ProgressReport, Task, UserRole
from duban.db.models.search import SearchEntry, SearchKind
from duban.db.repositories.tasks import visible_to
from duban.errors import Rejected
from duban.search import backend, rank
from duban.search.snippet import highlights, make_snippet
from duban.search.text import ParsedQuery, parse_query
from duban.workflow.principal import Principal

__all__ = ["COUNT_CAP", "MAX_QUERY", "RANK_POOL", "Filters", "Hit", "SearchResult", "may_search", "search"]

COUNT_CAP = 1000
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
    totals: dict[SearchKind, int]  # every type the user may search, with the other filters
    capped: frozenset[SearchKind]  # types whose total is a lower bound (the count stopped at COUNT_CAP)
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
    """Tags an entry of `kind` must carry; None when the user can see none of that type."""
    tags = [] if filters.unit_id is None else [backend.unit_tag(filters.unit_id)]
    if _visible(kind, principal) is not None:
        if principal.unit_id is None:
            return None
        tags.append(backend.unit_tag(principal.unit_id))
    return tuple(dict.fromkeys(tags))


def _groups(
    kinds: Iterable[SearchKind], principal: Principal, filters: Filters
) -> dict[tuple[str, ...], list[SearchKind]]:
    """Types that need the same tags, so one query serves them all."""
    groups: dict[tuple[str, ...], list[SearchKind]] = {}
    for kind in kinds:
        extra = _extra_tags(kind, principal, filters)
        if extra is not None:
            groups.setdefault(extra, []).append(kind)
    return groups


def _query(
    session: Session,
    parsed: ParsedQuery,
    tags: tuple[str, ...],
    kinds: list[SearchKind],
    principal: Principal,
    filters: Filters,
) -> Select[int, str]:
    if len(kinds) == 1:
        # One type: its tag lets the index skip the others (a rare type among common words).
        tags = (backend.kind_tag(kinds[0]), *tags)
    stmt = backend.matches(backend.Match(parsed.phrases, tags), backend.is_postgres(session))
    if 1 < len(kinds) < len(SearchKind):
        stmt = stmt.where(SearchEntry.kind.in_([k.value for k in kinds]))
    if filters.date_from is not None:
        stmt = stmt.where(SearchEntry.day >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(SearchEntry.day <= filters.date_to)
    live = [(kind, _visible(kind, principal)) for kind in kinds]
    if any(check is not None for _, check in live):
        stmt = stmt.where(
            or_(*(and_(SearchEntry.kind == k.value, true() if check is None else check) for k, check in live))
        )
    return stmt


@dataclass(frozen=True)
class _Pass:
    """The first matches (at most COUNT_CAP + 1) of one group of types, in the index's order."""

    kinds: list[SearchKind]
    rows: list[tuple[int, SearchKind]]

    @property
    def capped(self) -> bool:
        return len(self.rows) > COUNT_CAP


def _passes(
    session: Session,
    parsed: ParsedQuery,
    allowed: Iterable[SearchKind],
    principal: Principal,
    filters: Filters,
) -> dict[tuple[str, ...], _Pass]:
    passes = {}
    for tags, kinds in _groups(allowed, principal, filters).items():
        stmt = _query(session, parsed, tags, kinds, principal, filters).limit(COUNT_CAP + 1)
        passes[tags] = _Pass(
            kinds, [(entry_id, SearchKind(kind)) for entry_id, kind in session.execute(stmt)]
        )
    return passes


def _pool(
    session: Session,
    parsed: ParsedQuery,
    kinds: Iterable[SearchKind],
    principal: Principal,
    filters: Filters,
    passes: dict[tuple[str, ...], _Pass],
) -> tuple[list[int], set[SearchKind]]:
    """Ids of at most RANK_POOL candidates per group: taken from the counting pass when it has
    enough of the wanted types, else (a rare type among common words) from a pass of their own.
    Also the types that pass found complete (fewer than RANK_POOL), whose count is then exact."""
    ids: list[int] = []
    complete: set[SearchKind] = set()
    for tags, group in _groups(kinds, principal, filters).items():
        seen = passes[tags]
        picked = [entry_id for entry_id, kind in seen.rows[:COUNT_CAP] if kind in group][:RANK_POOL]
        if seen.capped and len(picked) < RANK_POOL and set(group) != set(seen.kinds):
            stmt = _query(session, parsed, tags, group, principal, filters).limit(RANK_POOL)
            picked = [entry_id for entry_id, _ in session.execute(stmt)]
            if len(picked) < RANK_POOL:
                complete.update(group)
        ids += picked
    return ids, complete


@dataclass(frozen=True)
class _Candidate:
    entry_id: int
    kind: SearchKind
    ref_id: int
    title: str
    body: str
    day: dt.date | None
    score: float


def _candidates(session: Session, parsed: ParsedQuery, ids: list[int]) -> list[_Candidate]:
    """The candidates with their text, scored (duban.search.rank), best first; equal scores newest first."""
    phrases = rank.patterns(parsed.surfaces)
    stmt = select(
        SearchEntry.id,
        SearchEntry.kind,
        SearchEntry.ref_id,
        SearchEntry.title,
        SearchEntry.body,
        SearchEntry.day,
    ).where(SearchEntry.id.in_(ids))
    found = [
        _Candidate(entry_id, SearchKind(kind), ref_id, title, body, day, rank.score(title, body, phrases))
        for entry_id, kind, ref_id, title, body, day in session.execute(stmt)
    ]
    return sorted(found, key=lambda c: (-c.score, -c.entry_id))


def _hits(session: Session, parsed: ParsedQuery, page: list[_Candidate]) -> list[Hit]:
    report_ids = [c.ref_id for c in page if c.kind is SearchKind.REPORT]
    task_of = {
        report_id: task_id
        for report_id, task_id in session.execute(
            select(ProgressReport.id, ProgressReport.task_id).where(ProgressReport.id.in_(report_ids))
        )
    }
    hits = []
    for c in page:
        shown = make_snippet(c.body, parsed.phrases)
        hits.append(
            Hit(
                kind=c.kind,
                id=c.ref_id,
                title=c.title,
                title_highlights=highlights(c.title, parsed.phrases),
                snippet=shown.text,
                highlights=shown.highlights,
                day=c.day,
                task_id=task_of.get(c.ref_id) if c.kind is SearchKind.REPORT else None,
                score=c.score,
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
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise Rejected("开始日期不能晚于结束日期", "date_from is after date_to")
    parsed = parse_query(query, MAX_QUERY)
    allowed = may_search(principal)
    kinds = tuple(k for k in allowed if not filters.kinds or k in filters.kinds)
    if parsed.empty:
        return SearchResult(parsed, kinds, {k: 0 for k in allowed}, frozenset(), offset=offset)
    with backend.index_scans(session):
        passes = _passes(session, parsed, allowed, principal, filters)
        ids, complete = _pool(session, parsed, kinds, principal, filters, passes)
    ranked = _candidates(session, parsed, ids)
    totals = {kind: 0 for kind in allowed}
    capped: set[SearchKind] = set()
    for seen in passes.values():
        totals.update(Counter(kind for _, kind in seen.rows[:COUNT_CAP]))
        if seen.capped:
            capped.update(seen.kinds)
    for kind in kinds:
        # A capped count is only a lower bound; the pool of a rare type may know of more, or all.
        in_pool = sum(1 for c in ranked if c.kind is kind)
        totals[kind] = in_pool if kind in complete else max(totals[kind], in_pool)
    capped -= complete
    hits = _hits(session, parsed, ranked[offset : offset + limit])
    return SearchResult(parsed, kinds, totals, frozenset(capped), len(ranked), hits, offset)
