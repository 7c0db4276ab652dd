"""Search over documents (title, text), tasks (text) and people (name): a substring match in SQL.

A stand-in for the full-text index of a later issue, behind one function,
`search`, so that index can replace the SQL here without touching callers.
Ranking is simple: a title hit before a text hit, an exact name before a
partial one, newer before older. Each hit carries a short snippet around the
first match, with the match's position in it, so callers can highlight it
from escaped pieces. Unit users search only their units' tasks and no
documents (documents are for the supervision office and leaders).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from duban.db.models import Document, Person, Task, UserRole
from duban.db.repositories.tasks import visible_to
from duban.workflow.principal import Principal

__all__ = ["Hit", "Kind", "SearchResult", "like_pattern", "may_search", "search", "snippet"]

SNIPPET_BEFORE = 30
SNIPPET_AFTER = 60
MAX_QUERY = 100


class Kind(StrEnum):
    DOCUMENT = "document"
    TASK = "task"
    PERSON = "person"

    @property
    def label(self) -> str:
        return {"document": "文件", "task": "任务", "person": "人员"}[self.value]


@dataclass(frozen=True)
class Hit:
    kind: Kind
    id: int
    title: str
    field: str  # title | text | name
    snippet: str
    match_start: int  # the match inside `snippet`
    match_end: int


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    totals: dict[Kind, int]


def like_pattern(text: str | None) -> str:
    """`%text%` with LIKE's wildcards escaped (escape character `\\`), so what users type is literal."""
    needle = (text or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{needle}%"


def _contains(column: Any, pattern: str) -> ColumnElement[bool]:
    return func.coalesce(column, "").ilike(pattern, escape="\\")


def snippet(text: str, query: str) -> tuple[str, int, int]:
    """A window of `text` around the first case-insensitive occurrence of `query`, and where it sits."""
    at = text.casefold().find(query.casefold())
    if at < 0:
        short = text[: SNIPPET_BEFORE + SNIPPET_AFTER]
        return (short + ("…" if len(text) > len(short) else "")), 0, 0
    start = max(0, at - SNIPPET_BEFORE)
    end = min(len(text), at + len(query) + SNIPPET_AFTER)
    head = "…" if start > 0 else ""
    # One line for display; each character replaced by one, so the offsets still hold.
    piece = text[start:end].replace("\n", " ").replace("\r", " ")
    offset = len(head) + at - start
    return head + piece + ("…" if end < len(text) else ""), offset, offset + len(query)


def _documents(session: Session, pattern: str, query: str, limit: int) -> tuple[list[Hit], int]:
    in_title = _contains(Document.title, pattern) | _contains(Document.filename, pattern)
    where = [Document.is_latest.is_(True), or_(in_title, _contains(Document.text, pattern))]
    total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    stmt = (
        select(Document.id, Document.title, Document.filename, Document.text, in_title)
        .where(*where)
        .order_by(case((in_title, 0), else_=1), Document.created_at.desc(), Document.id.desc())
        .limit(limit)
    )
    hits = []
    for doc_id, title, filename, text, title_hit in session.execute(stmt):
        name = title or filename
        if title_hit:
            shown, a, b = snippet(name if query.casefold() in name.casefold() else filename, query)
            hits.append(Hit(Kind.DOCUMENT, doc_id, name, "title", shown, a, b))
        else:
            shown, a, b = snippet(text or "", query)
            hits.append(Hit(Kind.DOCUMENT, doc_id, name, "text", shown, a, b))
    return hits, total


def _tasks(
    session: Session, principal: Principal, pattern: str, query: str, limit: int
) -> tuple[list[Hit], int]:
    where = [visible_to(principal), _contains(Task.text, pattern)]
    total = session.scalar(select(func.count()).select_from(Task).where(*where)) or 0
    stmt = (
        select(Task.id, Task.text).where(*where).order_by(Task.updated_at.desc(), Task.id.desc()).limit(limit)
    )
    hits = []
    for task_id, text in session.execute(stmt):
        shown, a, b = snippet(text, query)
        title = text if len(text) <= 40 else text[:39] + "…"
        hits.append(Hit(Kind.TASK, task_id, title, "text", shown, a, b))
    return hits, total


def _people(session: Session, pattern: str, query: str, limit: int) -> tuple[list[Hit], int]:
    where = [_contains(Person.name, pattern)]
    total = session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
    exact = case((func.lower(Person.name) == query.lower(), 0), else_=1)
    stmt = select(Person.id, Person.name).where(*where).order_by(exact, Person.name, Person.id).limit(limit)
    hits = []
    for person_id, name in session.execute(stmt):
        shown, a, b = snippet(name, query)
        hits.append(Hit(Kind.PERSON, person_id, name, "name", shown, a, b))
    return hits, total


def may_search(principal: Principal) -> set[Kind]:
    kinds = set(Kind)
    if principal.role is UserRole.UNIT:
        kinds.discard(Kind.DOCUMENT)
    return kinds


def search(
    session: Session,
    principal: Principal,
    query: str,
    kinds: Iterable[Kind] = (),
    limit: int = 20,
) -> SearchResult:
    """Up to `limit` hits per kind, documents then tasks then people; blank queries find nothing."""
    text = query.strip()[:MAX_QUERY]
    wanted = (set(kinds) or set(Kind)) & may_search(principal)
    if not text:
        return SearchResult(text, [], {k: 0 for k in Kind if k in wanted})
    pattern = like_pattern(text)
    hits: list[Hit] = []
    totals: dict[Kind, int] = {}
    if Kind.DOCUMENT in wanted:
        found, totals[Kind.DOCUMENT] = _documents(session, pattern, text, limit)
        hits += found
    if Kind.TASK in wanted:
        found, totals[Kind.TASK] = _tasks(session, principal, pattern, text, limit)
        hits += found
    if Kind.PERSON in wanted:
        found, totals[Kind.PERSON] = _people(session, pattern, text, limit)
        hits += found
    return SearchResult(text, hits, totals)
