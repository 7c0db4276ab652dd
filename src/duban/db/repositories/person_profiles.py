"""People named in the documents: a paged list by name, and one person's titles over time with their documents."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from duban.db.models import Document, Person, PersonTitle
from duban.db.repositories.search import like_pattern
from duban.errors import NotFound

__all__ = ["PersonPage", "PersonProfile", "PersonRow", "TitleSeen", "list_people", "person_profile"]

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    latest_title: str | None
    titles: int


@dataclass(frozen=True)
class PersonPage:
    rows: list[PersonRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class TitleSeen:
    title: str
    observed_on: dt.date | None
    document_id: int | None
    document_title: str | None


@dataclass(frozen=True)
class PersonProfile:
    id: int
    name: str
    titles: list[TitleSeen]
    documents: list[Document]


def list_people(session: Session, *, q: str | None = None, page: int = 1, per_page: int = 50) -> PersonPage:
    """People by name, each with the most recent title a document gave them."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    where = [Person.name.ilike(like_pattern(q), escape="\\")] if q and q.strip() else []
    total = session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
    people = session.execute(
        select(Person.id, Person.name)
        .where(*where)
        .order_by(Person.name, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    titles: dict[int, list[str]] = {}
    stmt = (
        select(PersonTitle.person_id, PersonTitle.title)
        .where(PersonTitle.person_id.in_([p.id for p in people]))
        .order_by(PersonTitle.observed_on.is_(None), PersonTitle.observed_on, PersonTitle.id)
    )
    for person_id, title in session.execute(stmt):
        titles.setdefault(person_id, []).append(title)
    rows = [
        PersonRow(p.id, p.name, titles[p.id][-1] if p.id in titles else None, len(titles.get(p.id, [])))
        for p in people
    ]
    return PersonPage(rows, total, page, per_page)


def person_profile(session: Session, person_id: int) -> PersonProfile:
    """Titles oldest first (a title is what one document called them on its date) and those documents."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"人员 {person_id} 不存在", f"person {person_id} not found")
    stmt = (
        select(PersonTitle, Document.title)
        .outerjoin(Document, Document.id == PersonTitle.document_id)
        .where(PersonTitle.person_id == person_id)
        .order_by(PersonTitle.observed_on.is_(None), PersonTitle.observed_on, PersonTitle.id)
    )
    titles = [
        TitleSeen(t.title, t.observed_on, t.document_id, doc_title) for t, doc_title in session.execute(stmt)
    ]
    doc_ids = {t.document_id for t in titles if t.document_id is not None}
    documents: Sequence[Document] = (
        session.scalars(
            select(Document)
            .where(Document.id.in_(doc_ids))
            .order_by(Document.doc_date.is_(None), Document.doc_date, Document.id)
        ).all()
        if doc_ids
        else []
    )
    return PersonProfile(person.id, person.name, titles, list(documents))
