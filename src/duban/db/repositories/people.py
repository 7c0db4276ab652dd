"""People named in the documents: the paged list, titles over time and the documents that gave them,
meetings attended, tasks they lead.

Titles come from `person_titles` (one row per title per document). Meetings
are not a table: they are read from each document's stored `extraction`
(`documents[].meeting` with `chair` and `attendees`, see EXTRACTION.md),
narrowed first to documents whose text contains the name. Tasks led are
those whose `leader_person_id` is the person or whose `leader_name` is the
name, limited to the tasks the asking principal can see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from duban.db.models import Document, Person, PersonTitle, Task
from duban.db.repositories.paging import Page
from duban.db.repositories.tasks import visible_to
from duban.errors import NotFound
from duban.workflow.principal import Principal
from duban.workflow.states import State

__all__ = [
    "LedTask",
    "Meeting",
    "PersonDetail",
    "PersonPage",
    "PersonProfile",
    "PersonSummary",
    "TitleSeen",
    "get_person",
    "list_people",
    "meetings_of",
    "person_profile",
    "title_history",
]


def like_pattern(text: str | None) -> str:
    """`%text%` with LIKE's wildcards escaped (escape character `\\`), so what users type is literal."""
    needle = (text or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{needle}%"


MAX_LIST = 500
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class PersonSummary:
    id: int
    name: str
    latest_titles: tuple[str, ...]  # what the newest document called them
    titles: int  # title rows on record
    documents: int

    @property
    def latest_title(self) -> str | None:
        return self.latest_titles[-1] if self.latest_titles else None


PersonPage = Page[PersonSummary]


@dataclass(frozen=True)
class TitleSeen:
    """The titles one document gave the person, as of the document's date."""

    titles: list[str]
    observed_on: dt.date | None
    document_id: int | None
    document_title: str | None


@dataclass(frozen=True)
class Meeting:
    document_id: int
    title: str | None
    date: dt.date | None
    role: str  # "chair" or "attendee"

    @property
    def role_label(self) -> str:
        return "主持" if self.role == "chair" else "出席"


@dataclass(frozen=True)
class LedTask:
    id: int
    text: str
    status: State
    deadline: dt.date | None


@dataclass(frozen=True)
class PersonDetail:
    id: int
    name: str
    titles: list[TitleSeen]
    meetings: list[Meeting]
    tasks: list[LedTask]


@dataclass(frozen=True)
class PersonProfile:
    """A person's titles and the documents that gave them, without the unit-scoped parts."""

    id: int
    name: str
    titles: list[TitleSeen]
    documents: list[Document]


def list_people(
    session: Session, search: str | None = None, *, page: int = 1, per_page: int = MAX_LIST
) -> PersonPage:
    """People by name, optionally those whose name contains `search`, a page at a time."""
    per_page = max(1, min(per_page, MAX_LIST))
    page = max(1, page)
    where = [Person.name.ilike(like_pattern(search), escape="\\")] if search and search.strip() else []
    total = session.scalar(select(func.count()).select_from(Person).where(*where)) or 0
    people = session.scalars(
        select(Person)
        .where(*where)
        .order_by(Person.name, Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids = [p.id for p in people]
    titles: dict[int, list[tuple[dt.date | None, int, str, int | None]]] = {}
    for person_id, title, observed, row_id, document_id in session.execute(
        select(
            PersonTitle.person_id,
            PersonTitle.title,
            PersonTitle.observed_on,
            PersonTitle.id,
            PersonTitle.document_id,
        ).where(PersonTitle.person_id.in_(ids))
    ):
        titles.setdefault(person_id, []).append((observed, row_id, title, document_id))
    return PersonPage([_summary(p, titles.get(p.id, [])) for p in people], total, page, per_page)


def _summary(person: Person, rows: list[tuple[dt.date | None, int, str, int | None]]) -> PersonSummary:
    # The titles the newest document gave (undated rows count as oldest).
    rows.sort(key=lambda r: (r[0] or dt.date.min, r[1]))
    latest = rows[-1] if rows else None
    current = tuple(r[2] for r in rows if latest and (r[0], r[3]) == (latest[0], latest[3]))
    return PersonSummary(
        id=person.id,
        name=person.name,
        latest_titles=current,
        titles=len(rows),
        documents=len({r[3] for r in rows if r[3] is not None}),
    )


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def meetings_of(session: Session, name: str) -> list[Meeting]:
    """Meetings in the stored extractions that `name` chaired or attended, newest first."""
    candidates = session.execute(
        select(Document.id, Document.title, Document.doc_date, Document.extraction).where(
            Document.is_latest.is_(True),
            Document.extraction.is_not(None),
            Document.text.like(like_pattern(name), escape="\\"),
        )
    )
    meetings = []
    for document_id, file_title, file_date, extraction in candidates:
        for item in (extraction or {}).get("documents", []):
            meeting = item.get("meeting") if isinstance(item, dict) else None
            if not isinstance(meeting, dict):
                continue
            attendees = meeting.get("attendees") or []
            if meeting.get("chair") == name:
                role = "chair"
            elif name in attendees:
                role = "attendee"
            else:
                continue
            meetings.append(
                Meeting(
                    document_id=document_id,
                    title=item.get("title") or file_title,
                    date=_date(meeting.get("date")) or _date(item.get("date")) or file_date,
                    role=role,
                )
            )
    meetings.sort(key=lambda m: (m.date or dt.date.min, m.document_id), reverse=True)
    return meetings


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("人员不存在", f"no person {person_id}")
    return person


def title_history(session: Session, person_id: int) -> list[TitleSeen]:
    """Titles oldest first (undated ones count as oldest), grouped by the document that gave them."""
    title_rows = session.execute(
        select(PersonTitle, Document.title, Document.filename)
        .outerjoin(Document, Document.id == PersonTitle.document_id)
        .where(PersonTitle.person_id == person_id)
        .order_by(
            PersonTitle.observed_on.is_not(None),
            PersonTitle.observed_on,
            PersonTitle.document_id,
            PersonTitle.id,
        )
    )
    titles: list[TitleSeen] = []
    for row, doc_title, filename in title_rows:
        last = titles[-1] if titles else None
        if last and (last.observed_on, last.document_id) == (row.observed_on, row.document_id):
            last.titles.append(row.title)
        else:
            titles.append(TitleSeen([row.title], row.observed_on, row.document_id, doc_title or filename))
    return titles


def person_profile(session: Session, person_id: int) -> PersonProfile:
    """Titles over time and the documents they came from, dated documents first by date."""
    person = _person(session, person_id)
    titles = title_history(session, person.id)
    doc_ids = {t.document_id for t in titles if t.document_id is not None}
    documents = session.scalars(
        select(Document)
        .where(Document.id.in_(doc_ids))
        .order_by(Document.doc_date.is_(None), Document.doc_date, Document.id)
    ).all()
    return PersonProfile(person.id, person.name, titles, list(documents))


def get_person(session: Session, principal: Principal, person_id: int) -> PersonDetail:
    """Titles, meetings and the tasks they lead that `principal` can see."""
    person = _person(session, person_id)
    tasks = session.scalars(
        select(Task)
        .where(
            or_(Task.leader_person_id == person.id, Task.leader_name == person.name),
            visible_to(principal),
        )
        .order_by(Task.deadline.is_(None), Task.deadline, Task.id)
    )
    return PersonDetail(
        id=person.id,
        name=person.name,
        titles=title_history(session, person.id),
        meetings=meetings_of(session, person.name),
        tasks=[LedTask(t.id, t.text, State(t.status), t.deadline) for t in tasks],
    )
