"""Keeping the search index in step with the rows it covers, inside the caller's transaction.

Whoever writes searchable text calls the matching function right after (no
ORM events): ingest → `index_document` and `index_tasks`; task edits,
assignment, merge, split → `index_tasks`; progress reports → `index_report`;
people found or renamed → `index_person`. Each rebuilds the entries of the
rows it is given from what the database holds now, so calling it twice is
harmless, and a row that no longer exists (or is no longer the latest
document version) loses its entry.

Sources are read column by column, not as ORM entities, so the migration
that creates the index can run this code against an older schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import (
    Attachment,
    Document,
    Milestone,
    OwnerRole,
    Person,
    PersonTitle,
    ProgressReport,
    Task,
    TaskOwner,
    Unit,
    User,
)
from duban.db.models.search import SearchEntry, SearchKind
from duban.search import backend
from duban.search.text import index_tokens

__all__ = [
    "MAX_INDEXED_CHARS",
    "EntryText",
    "index_document",
    "index_documents",
    "index_people",
    "index_person",
    "index_report",
    "index_reports",
    "index_tasks",
    "reindex_all",
    "write_entries",
]

# A body longer than this is indexed (and highlighted) only up to here: 200,000
# characters is a long government report; beyond it is an archive dump.
MAX_INDEXED_CHARS = 200_000
_BATCH = 500


@dataclass(frozen=True)
class EntryText:
    kind: SearchKind
    ref_id: int
    title: str
    body: str
    day: dt.date | None
    units: tuple[int, ...] = ()  # sorted unit ids the entry belongs to


def _local_day(at: dt.datetime) -> dt.date:
    return clock.to_local(at).date()


def _batches(ids: Iterable[int]) -> Iterable[list[int]]:
    unique = sorted(set(ids))
    for i in range(0, len(unique), _BATCH):
        yield unique[i : i + _BATCH]


def _units_text(units: Iterable[int]) -> str:
    return " ".join(str(u) for u in units)


def _units_of(text: str) -> tuple[int, ...]:
    return tuple(int(u) for u in text.split())


def write_entries(session: Session, entries: Sequence[EntryText]) -> None:
    """Insert entries, replacing any existing entry for the same (kind, ref_id)."""
    for i in range(0, len(entries), _BATCH):
        batch = entries[i : i + _BATCH]
        by_kind: dict[SearchKind, list[int]] = {}
        for e in batch:
            by_kind.setdefault(e.kind, []).append(e.ref_id)
        for kind, ref_ids in by_kind.items():
            _remove(session, kind, ref_ids)
        texts = [(e.title[:MAX_INDEXED_CHARS], e.body[:MAX_INDEXED_CHARS]) for e in batch]
        rows = [
            {
                "kind": e.kind.value,
                "ref_id": e.ref_id,
                "title": title,
                "body": body,
                "day": e.day,
                "units": _units_text(e.units),
            }
            for e, (title, body) in zip(batch, texts, strict=True)
        ]
        ids = session.scalars(
            insert(SearchEntry).returning(SearchEntry.id, sort_by_parameter_order=True), rows
        ).all()
        backend.write(
            session,
            [
                backend.FtsRow(
                    entry_id,
                    index_tokens(title),
                    index_tokens(body),
                    [backend.kind_tag(e.kind), *(backend.unit_tag(u) for u in e.units)],
                )
                for entry_id, e, (title, body) in zip(ids, batch, texts, strict=True)
            ],
        )


def _remove(session: Session, kind: SearchKind, ref_ids: Sequence[int]) -> None:
    where = (SearchEntry.kind == kind.value, SearchEntry.ref_id.in_(ref_ids))
    entry_ids = list(session.scalars(select(SearchEntry.id).where(*where)))
    if entry_ids:
        backend.delete(session, entry_ids)
        session.execute(delete(SearchEntry).where(SearchEntry.id.in_(entry_ids)))


def _refresh(session: Session, kind: SearchKind, ref_ids: list[int], entries: list[EntryText]) -> None:
    """Entries for `ref_ids` become exactly `entries` (ids without an entry there lose theirs)."""
    found = {e.ref_id for e in entries}
    gone = [i for i in ref_ids if i not in found]
    if gone:
        _remove(session, kind, gone)
    write_entries(session, entries)


def _owner_units(session: Session, task_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Owner unit ids of each task (tasks without owners are left out)."""
    owners: dict[int, set[int]] = {}
    for ids in _batches(task_ids):
        for task_id, unit_id in session.execute(
            select(TaskOwner.task_id, TaskOwner.unit_id).where(TaskOwner.task_id.in_(ids))
        ):
            owners.setdefault(task_id, set()).add(unit_id)
    return {task_id: tuple(sorted(units)) for task_id, units in owners.items()}


# ---- documents: the latest version of each file, its title (or file name) and full text;
#      its units are the owners of the tasks drawn from it


def _document_units(session: Session, ids: list[int]) -> dict[int, tuple[int, ...]]:
    units: dict[int, set[int]] = {}
    stmt = (
        select(Task.document_id, TaskOwner.unit_id)
        .join(TaskOwner, TaskOwner.task_id == Task.id)
        .where(Task.document_id.in_(ids))
        .distinct()
    )
    for doc_id, unit_id in session.execute(stmt):
        if doc_id is not None:
            units.setdefault(doc_id, set()).add(unit_id)
    return {doc_id: tuple(sorted(u)) for doc_id, u in units.items()}


def _document_entries(session: Session, ids: list[int]) -> list[EntryText]:
    stmt = select(
        Document.id, Document.title, Document.filename, Document.text, Document.doc_date, Document.created_at
    ).where(Document.is_latest.is_(True), Document.id.in_(ids))
    units = _document_units(session, ids)
    return [
        EntryText(
            SearchKind.DOCUMENT,
            doc_id,
            title or filename,
            text or "",
            doc_date or _local_day(created),
            units.get(doc_id, ()),
        )
        for doc_id, title, filename, text, doc_date, created in session.execute(stmt)
    ]


def index_documents(session: Session, document_ids: Iterable[int]) -> None:
    """Index these documents; older versions (no longer latest) drop out of the index."""
    session.flush()
    for ids in _batches(document_ids):
        _refresh(session, SearchKind.DOCUMENT, ids, _document_entries(session, ids))


def index_document(session: Session, document_id: int) -> None:
    index_documents(session, [document_id])


# ---- tasks: the task text as title; owners, leader and milestones as body


def _task_entries(session: Session, ids: list[int]) -> list[EntryText]:
    stmt = (
        select(Task.id, Task.text, Task.leader_name, Task.created_at, Document.doc_date)
        .outerjoin(Document, Document.id == Task.document_id)
        .where(Task.id.in_(ids))
    )
    owners: dict[int, dict[str, list[str]]] = {}
    owner_stmt = (
        select(TaskOwner.task_id, TaskOwner.role, Unit.name)
        .join(Unit, Unit.id == TaskOwner.unit_id)
        .where(TaskOwner.task_id.in_(ids))
        .order_by(TaskOwner.task_id, TaskOwner.position, TaskOwner.id)
    )
    for task_id, role, name in session.execute(owner_stmt):
        owners.setdefault(task_id, {}).setdefault(role, []).append(name)
    milestones: dict[int, list[str]] = {}
    ms_stmt = (
        select(Milestone.task_id, Milestone.due, Milestone.text)
        .where(Milestone.task_id.in_(ids))
        .order_by(Milestone.task_id, Milestone.due)
    )
    for task_id, due, text in session.execute(ms_stmt):
        milestones.setdefault(task_id, []).append(f"{due.isoformat()} {text}")
    units = _owner_units(session, ids)
    entries = []
    for task_id, text, leader, created, doc_date in session.execute(stmt.order_by(Task.id)):
        by_role = owners.get(task_id, {})
        lines = [f"{role.label}：{'、'.join(by_role[role])}" for role in OwnerRole if role in by_role]
        if leader:
            lines.append(f"责任领导：{leader}")
        lines += [f"时间节点：{m}" for m in milestones.get(task_id, [])]
        day = doc_date or _local_day(created)
        entries.append(
            EntryText(SearchKind.TASK, task_id, text, "\n".join(lines), day, units.get(task_id, ()))
        )
    return entries


def index_tasks(session: Session, task_ids: Iterable[int]) -> None:
    """Index these tasks (text, owner units, leader, milestones); deleted tasks drop out.

    A task's owners are also the units of its progress reports and of its
    source document, so those entries are rebuilt here when their units
    changed, and made when missing: code that writes tasks with their reports
    (a ledger import) needs only this one call.
    """
    session.flush()
    for ids in _batches(task_ids):
        _refresh(session, SearchKind.TASK, ids, _task_entries(session, ids))
        report_tasks = {
            a: b
            for a, b in session.execute(
                select(ProgressReport.id, ProgressReport.task_id).where(ProgressReport.task_id.in_(ids))
            )
        }
        owners = _owner_units(session, ids)
        _retag(session, SearchKind.REPORT, {r: owners.get(t, ()) for r, t in report_tasks.items()})
        doc_ids = sorted(
            {d for d in session.scalars(select(Task.document_id).where(Task.id.in_(ids))) if d is not None}
        )
        if doc_ids:
            units = _document_units(session, doc_ids)
            _retag(session, SearchKind.DOCUMENT, {d: units.get(d, ()) for d in doc_ids})


def _retag(session: Session, kind: SearchKind, units: dict[int, tuple[int, ...]]) -> None:
    """Build the entries that are missing or whose stored units differ from `units` (ref id → unit ids)."""
    if not units:
        return
    rows = session.execute(
        select(SearchEntry.ref_id, SearchEntry.units).where(
            SearchEntry.kind == kind.value, SearchEntry.ref_id.in_(list(units))
        )
    )
    stored = {ref_id: _units_of(text) for ref_id, text in rows}
    stale = sorted(ref_id for ref_id, wanted in units.items() if stored.get(ref_id) != wanted)
    if stale:
        _refresh(session, kind, stale, _BUILDERS[kind](session, stale))


# ---- progress reports: who reported (title) and what (body, attachment names)


def _report_entries(session: Session, ids: list[int]) -> list[EntryText]:
    stmt = (
        select(
            ProgressReport.id,
            ProgressReport.text,
            ProgressReport.is_completion,
            ProgressReport.created_at,
            Unit.name,
            User.display_name,
        )
        .outerjoin(Unit, Unit.id == ProgressReport.unit_id)
        .outerjoin(User, User.id == ProgressReport.user_id)
        .where(ProgressReport.id.in_(ids))
    )
    files: dict[int, list[str]] = {}
    file_stmt = select(Attachment.report_id, Attachment.filename).where(Attachment.report_id.in_(ids))
    for report_id, filename in session.execute(file_stmt.order_by(Attachment.id)):
        files.setdefault(report_id, []).append(filename)
    tasks = {
        a: b
        for a, b in session.execute(
            select(ProgressReport.id, ProgressReport.task_id).where(ProgressReport.id.in_(ids))
        )
    }
    owners = _owner_units(session, set(tasks.values()))
    entries = []
    for report_id, text, completion, created, unit, user in session.execute(stmt.order_by(ProgressReport.id)):
        title = f"{unit or user or ''}{'办结申请' if completion else '进展反馈'}"
        body = text + (f"\n附件：{'、'.join(files[report_id])}" if report_id in files else "")
        units = owners.get(tasks[report_id], ())
        entries.append(EntryText(SearchKind.REPORT, report_id, title, body, _local_day(created), units))
    return entries


def index_reports(session: Session, report_ids: Iterable[int]) -> None:
    session.flush()
    for ids in _batches(report_ids):
        _refresh(session, SearchKind.REPORT, ids, _report_entries(session, ids))


def index_report(session: Session, report_id: int) -> None:
    index_reports(session, [report_id])


# ---- people: the name as title, every title a document gave them as body


def _person_entries(session: Session, ids: list[int]) -> list[EntryText]:
    stmt = select(Person.id, Person.name).where(Person.id.in_(ids))
    title_stmt = (
        select(PersonTitle.person_id, PersonTitle.title)
        .where(PersonTitle.person_id.in_(ids))
        .order_by(PersonTitle.person_id, PersonTitle.observed_on, PersonTitle.id)
    )
    titles: dict[int, list[str]] = {}
    for person_id, title in session.execute(title_stmt):
        if title not in titles.setdefault(person_id, []):
            titles[person_id].append(title)
    return [
        EntryText(SearchKind.PERSON, person_id, name, "；".join(titles.get(person_id, [])), None)
        for person_id, name in session.execute(stmt.order_by(Person.id))
    ]


def index_people(session: Session, person_ids: Iterable[int]) -> None:
    session.flush()
    for ids in _batches(person_ids):
        _refresh(session, SearchKind.PERSON, ids, _person_entries(session, ids))


def index_person(session: Session, person_id: int) -> None:
    index_people(session, [person_id])


_BUILDERS: dict[SearchKind, Callable[[Session, list[int]], list[EntryText]]] = {
    SearchKind.DOCUMENT: _document_entries,
    SearchKind.TASK: _task_entries,
    SearchKind.REPORT: _report_entries,
    SearchKind.PERSON: _person_entries,
}

_SOURCES = (
    (SearchKind.DOCUMENT, Document.id, Document.is_latest.is_(True), _document_entries),
    (SearchKind.TASK, Task.id, None, _task_entries),
    (SearchKind.REPORT, ProgressReport.id, None, _report_entries),
    (SearchKind.PERSON, Person.id, None, _person_entries),
)


def reindex_all(session: Session) -> dict[SearchKind, int]:
    """Empty the index and rebuild it from every document, task, report and person; entries per kind."""
    session.flush()
    backend.clear(session)
    session.execute(delete(SearchEntry))
    counts: dict[SearchKind, int] = {}
    for kind, id_column, where, build in _SOURCES:
        stmt = select(id_column) if where is None else select(id_column).where(where)
        counts[kind] = 0
        # Batch by id so a large archive is never held in memory at once.
        for ids in _batches(session.scalars(stmt)):
            entries = build(session, ids)
            write_entries(session, entries)
            counts[kind] += len(entries)
    return counts
