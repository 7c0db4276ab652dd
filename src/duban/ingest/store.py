"""Extraction → rows: the only ingest module that touches the database.

One file is one transaction, the caller's (`write_session`): its Document row,
Sections, draft Tasks with their owner units, People and their titles, Targets
and the audit events go in together or not at all. Nothing here commits.

- The original bytes are kept first, content-addressed at
  `data_dir/originals/<sha[:2]>/<sha256>` (`Document.stored_path` is that path
  relative to `data_dir`), so a crash after the write leaves a harmless file and
  a crash before it leaves nothing.
- Idempotent on the SHA-256 of the bytes: the same bytes again, under any name,
  change nothing (no rows, no audit events).
- A file name seen before (`source_key`, the lower-cased name) with other bytes
  is a new version: `version + 1`, `previous_id` set, the older row no longer
  `is_latest`. The older version's tasks stay (they may be assigned already);
  the new version adds its own drafts.
- A file the pipeline cannot read or parse is still stored, with status
  `failed` and the error, so nothing a user uploads is lost.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import (
    Document,
    DocumentStatus,
    OwnerRole,
    Person,
    PersonTitle,
    Section,
    Target,
    TargetActual,
    Task,
    TaskOwner,
    Unit,
)
from duban.db.repositories import units as unit_repo
from duban.errors import Conflict, DomainError, NotFound, Rejected
from duban.ingest.extract.units import UnitRegistry
from duban.ingest.output import extraction_json
from duban.ingest.pipeline import run
from duban.ingest.read import OcrEngine
from duban.ingest.types import ExtractedDoc, Extraction, Source
from duban.ingest.types import Task as ExtractedTask
from duban.workflow.audit import Actor, record
from duban.workflow.states import State

__all__ = [
    "INGEST_ACTOR",
    "IngestResult",
    "Outcome",
    "ingest_file",
    "keep_original",
    "original_path",
    "process_document",
    "source_key",
    "store_upload",
]

log = logging.getLogger(__name__)

# Who parses a stored upload when no user is named (the worker).
INGEST_ACTOR = Actor.system("文件解析")


class Outcome(StrEnum):
    NEW = "new"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"new": "新文件", "new_version": "新版本", "unchanged": "未变化", "failed": "失败"}[self.value]


@dataclass(frozen=True)
class IngestResult:
    """What `ingest_file` did with one file."""

    outcome: Outcome
    document_id: int
    filename: str
    version: int
    sections: int = 0
    tasks: int = 0
    people: int = 0
    targets: int = 0
    error: str | None = None


# ---------------------------------------------------------------- originals


def source_key(name: str) -> str:
    """Identity of "the same file" across versions: its base name, lower-cased."""
    return Path(name.replace("\\", "/")).name.lower()


def original_path(settings: Settings, document: Document) -> Path:
    """Where the original bytes of `document` are kept."""
    return settings.data_dir / document.stored_path


def keep_original(settings: Settings, data: bytes) -> tuple[str, str]:
    """Write `data` content-addressed under the data folder (once); return (sha256, relative path)."""
    sha = hashlib.sha256(data).hexdigest()
    relative = Path("originals") / sha[:2] / sha
    path = settings.data_dir / relative
    if not (path.is_file() and path.stat().st_size == len(data)):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{sha[:8]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return sha, relative.as_posix()


# ---------------------------------------------------------------- document rows


def _clip(value: str | None, width: int) -> str | None:
    return None if value is None else _text(value)[:width]


def _text(value: str) -> str:
    """PostgreSQL refuses NUL in text; one replacement character keeps every offset."""
    return value.replace("\x00", "\ufffd")


def _json_safe(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _new_document(
    session: Session, source: Source, actor: Actor, sha: str, stored_path: str
) -> tuple[Document, bool]:
    """The row for these bytes: the existing one (False) or a new version of its file name (True)."""
    existing = session.scalar(select(Document).where(Document.sha256 == sha))
    if existing is not None:
        return existing, False
    key = source_key(source.name)
    if not key:
        raise Rejected("文件名不能为空。", "a file needs a name")
    previous = session.scalar(
        select(Document).where(Document.source_key == key).order_by(Document.version.desc()).limit(1)
    )
    if previous is not None:
        session.execute(
            update(Document)
            .where(Document.source_key == key, Document.is_latest.is_(True))
            .values(is_latest=False)
        )
    filename = Path(source.name.replace("\\", "/")).name
    document = Document(
        sha256=sha,
        source_key=key[:500],
        filename=filename[:500],
        version=previous.version + 1 if previous else 1,
        is_latest=True,
        previous_id=previous.id if previous else None,
        stored_path=stored_path,
        size_bytes=len(source.data),
        media_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
        status=DocumentStatus.PENDING,
        pages=0,
        ocr_pages=0,
        uploaded_by_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(document)
    session.flush()
    return document, True


def store_upload(session: Session, source: Source, actor: Actor, settings: Settings) -> Document:
    """Keep a file and its Document row (status pending) for a worker to parse later.

    The same bytes again return the row already stored and record nothing.
    """
    sha, stored_path = keep_original(settings, source.data)
    document, created = _new_document(session, source, actor, sha, stored_path)
    if created:
        record(session, actor, "upload", "document", document.id, after=_document_summary(document))
    return document


# ---------------------------------------------------------------- parsing into rows


@dataclass
class _Counts:
    sections: int = 0
    tasks: int = 0
    people: int = 0
    targets: int = 0


@dataclass
class _Context:
    session: Session
    document: Document
    actor: Actor
    registry: UnitRegistry
    index: unit_repo.UnitIndex
    counts: _Counts
    people: dict[str, Person] = field(default_factory=dict)
    titles: set[tuple[int, str]] = field(default_factory=set)


def _document_summary(document: Document, counts: _Counts | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "filename": document.filename,
        "sha256": document.sha256,
        "version": document.version,
        "status": document.status,
    }
    if counts is not None:
        summary |= {
            "sections": counts.sections,
            "tasks": counts.tasks,
            "people": counts.people,
            "targets": counts.targets,
        }
    if document.error:
        summary["error"] = document.error
    return summary


def _registry_for(session: Session, settings: Settings) -> UnitRegistry:
    """The units users maintain in the database, plus the optional alias file."""
    registry = unit_repo.build_registry(session)
    if settings.unit_aliases_file and settings.unit_aliases_file.is_file():
        registry.load_alias_file(settings.unit_aliases_file)
    return registry


def _owner_unit(ctx: _Context, name: str) -> Unit:
    """The database unit an owner name refers to, created under its full name when unknown."""
    unit = ctx.index.resolve(name)
    if unit is not None:
        return unit
    # The registry also knows the alias file and the abbreviations this file declared (以下简称).
    known = ctx.registry.resolve(name)
    if known is None:
        return unit_repo.get_or_create(ctx.session, name, ctx.actor, index=ctx.index)
    for candidate in (known.name, *sorted(known.aliases)):
        unit = ctx.index.resolve_exact(candidate)
        if unit is not None:
            return unit
    unit = unit_repo.get_or_create(ctx.session, known.name, ctx.actor, index=ctx.index)
    if unit.name != name:
        try:
            unit_repo.add_alias(ctx.session, unit.name, name, ctx.actor)
        except (Conflict, Rejected):
            log.info("alias %r of %r not kept: it names another unit", name, unit.name)
        else:
            ctx.index.add(unit, name)
    return unit


def _owners(ctx: _Context, task: ExtractedTask) -> list[TaskOwner]:
    """Owner rows in written order (the lead first if it was not listed); one row per unit."""
    names = list(task.owners)
    if task.lead and task.lead not in names:
        names.insert(0, task.lead)
    rows: dict[int, TaskOwner] = {}
    for name in names:
        cleaned = name.strip()
        if not cleaned or len(cleaned) > unit_repo.MAX_NAME_LENGTH:
            continue
        unit = _owner_unit(ctx, cleaned)
        role = OwnerRole.LEAD if name == task.lead else OwnerRole.RESPONSIBLE
        if unit.id in rows:
            if role is OwnerRole.LEAD:
                rows[unit.id].role = OwnerRole.LEAD
            continue
        rows[unit.id] = TaskOwner(unit_id=unit.id, role=role, position=len(rows))
    return list(rows.values())


def _add_task(ctx: _Context, section: Section, task: ExtractedTask) -> Task:
    now = clock.now()
    owners = _owners(ctx, task)
    row = Task(
        document_id=ctx.document.id,
        section_id=section.id,
        span_start=task.span.start,
        span_end=task.span.end,
        text=_text(task.text),
        kind=task.kind[:20],
        status=State.DRAFT,
        version=1,
        confirmed=False,
        start_date=task.start,
        deadline=task.deadline,
        deadline_confirmed=clock.calendar_known(task.deadline) if task.deadline else True,
        recurrence=_clip(task.recurrence, 20),
        amount_yuan=task.amount_yuan,
        created_at=now,
        updated_at=now,
    )
    row.owners = owners
    ctx.session.add(row)
    ctx.session.flush()
    record(
        ctx.session,
        ctx.actor,
        "draft",
        "task",
        row.id,
        after={
            "document_id": ctx.document.id,
            "section_id": section.id,
            "span": [task.span.start, task.span.end],
            "text": row.text,
            "kind": row.kind,
            "owners": [{"unit_id": o.unit_id, "role": o.role} for o in owners],
            "start_date": task.start,
            "deadline": task.deadline,
            "recurrence": row.recurrence,
            "amount_yuan": task.amount_yuan,
        },
    )
    ctx.counts.tasks += 1
    return row


def _add_people(ctx: _Context, doc: ExtractedDoc) -> None:
    observed_on = doc.header.date or ctx.document.doc_date
    for found in doc.people:
        name = found.name.strip()
        if not name or len(name) > 50:
            continue
        person = ctx.people.get(name) or ctx.session.scalar(select(Person).where(Person.name == name))
        if person is None:
            person = Person(name=_text(name), created_at=clock.now())
            ctx.session.add(person)
            ctx.session.flush()
        if name not in ctx.people:
            ctx.people[name] = person
            ctx.counts.people += 1
        for title in dict.fromkeys(t.strip() for t in found.titles):
            if not title or len(title) > 200 or (person.id, title) in ctx.titles:
                continue
            ctx.session.add(
                PersonTitle(
                    person_id=person.id,
                    title=_text(title),
                    document_id=ctx.document.id,
                    observed_on=observed_on,
                    span_start=found.span.start,
                    span_end=found.span.end,
                )
            )
            ctx.titles.add((person.id, title))
    ctx.session.flush()


def _add_targets(ctx: _Context, doc: ExtractedDoc) -> None:
    """Targets become rows; an actual figure is recorded against the same indicator's target, if stored."""
    now = clock.now()
    for found in doc.targets:
        period = str(found.year) if found.year else None
        indicator = _text(found.indicator)[:200]
        if found.kind != "actual":
            ctx.session.add(
                Target(
                    document_id=ctx.document.id,
                    span_start=found.span.start,
                    span_end=found.span.end,
                    indicator=indicator,
                    period=period,
                    value=found.value,
                    value_max=found.value_max,
                    unit=_text(found.unit)[:20],
                    qualifier=found.qualifier[:20],
                    text=_text(found.text),
                    created_at=now,
                )
            )
            ctx.counts.targets += 1
            continue
        target = ctx.session.scalar(
            select(Target)
            .where(Target.indicator == indicator, Target.period == period)
            .order_by(Target.id.desc())
            .limit(1)
        )
        as_of = doc.header.date or ctx.document.doc_date
        if target is None or as_of is None:
            continue
        ctx.session.add(
            TargetActual(
                target_id=target.id,
                value=found.value,
                as_of=as_of,
                document_id=ctx.document.id,
                note=_text(found.text),
                created_at=now,
            )
        )
    ctx.session.flush()


def _add_section(ctx: _Context, index: int, doc: ExtractedDoc) -> Section:
    h = doc.header
    section = Section(
        document_id=ctx.document.id,
        index=index,
        span_start=doc.span.start,
        span_end=doc.span.end,
        doc_type=h.doc_type[:30],
        title=_clip(h.title, 10_000),
        doc_number=_clip(h.doc_number, 200),
        issuer=_clip(h.issuer, 200),
        doc_date=h.date,
        fields=_json_safe(
            {
                "addressees": list(h.addressees),
                "printed_by": h.printed_by,
                "printed_date": h.printed_date.isoformat() if h.printed_date else None,
                "meeting": (
                    {
                        "date": doc.meeting.date.isoformat() if doc.meeting.date else None,
                        "chair": doc.meeting.chair,
                        "attendees": list(doc.meeting.attendees),
                    }
                    if doc.meeting
                    else None
                ),
            }
        ),
    )
    ctx.session.add(section)
    ctx.session.flush()
    ctx.counts.sections += 1
    return section


def _store_extraction(ctx: _Context, extraction: Extraction) -> None:
    document, raw = ctx.document, extraction.raw
    document.text = _text(raw.text)
    document.reader = raw.reader[:50]
    document.pages = raw.pages
    document.ocr_pages = raw.ocr_pages
    if extraction.documents:
        first = extraction.documents[0].header
        document.doc_type = first.doc_type[:30]
        document.title = _clip(first.title, 10_000)
        document.doc_number = _clip(first.doc_number, 200)
        document.doc_date = first.date
    document.extraction = _json_safe(extraction_json(extraction))
    document.status = DocumentStatus.PARSED
    document.error = None
    document.parsed_at = clock.now()
    ctx.session.flush()
    for i, doc in enumerate(extraction.documents):
        section = _add_section(ctx, i, doc)
        for task in doc.tasks:
            _add_task(ctx, section, task)
        _add_people(ctx, doc)
        _add_targets(ctx, doc)


def _fail(document: Document, error: str) -> None:
    document.status = DocumentStatus.FAILED
    document.error = _text(error)
    document.parsed_at = clock.now()


def _parse(
    session: Session,
    document: Document,
    data: bytes,
    settings: Settings,
    actor: Actor,
    ocr: OcrEngine | None,
    registry: UnitRegistry | None,
) -> _Counts:
    """Run the pipeline on the stored bytes and store what it found, or store the failure."""
    registry = registry if registry is not None else _registry_for(session, settings)
    counts = _Counts()
    try:
        extraction = run(Source(document.filename, data), settings=settings, ocr=ocr, registry=registry)
    except DomainError as exc:
        _fail(document, str(exc))
    except Exception as exc:
        # A bug or a library failing on odd input: the file is kept and marked, the log has the traceback.
        log.warning("pipeline failed on document %s (%s)", document.id, document.filename, exc_info=True)
        _fail(
            document,
            f"解析文件“{document.filename}”时出错：{type(exc).__name__}: {exc}"
            f" (parsing failed: {type(exc).__name__})",
        )
    else:
        ctx = _Context(
            session=session,
            document=document,
            actor=actor,
            registry=registry,
            index=unit_repo.UnitIndex.load(session),
            counts=counts,
        )
        _store_extraction(ctx, extraction)
    session.flush()
    record(session, actor, "ingest", "document", document.id, after=_document_summary(document, counts))
    return counts


def process_document(
    session: Session,
    document_id: int,
    settings: Settings,
    ocr: OcrEngine | None = None,
    registry: UnitRegistry | None = None,
    *,
    actor: Actor = INGEST_ACTOR,
) -> Document:
    """Parse a stored (pending or failed) document into sections, draft tasks, people and targets.

    `registry` defaults to the units in the database plus the alias file; the pipeline
    teaches it the abbreviations the file declares, so pass a fresh one per document.
    A parsed document is refused (Conflict): its drafts exist already.
    """
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"找不到文件记录 #{document_id}。", f"no document {document_id}")
    if document.status == DocumentStatus.PARSED:
        raise Conflict(
            f"文件“{document.filename}”已经解析过，不能重复解析。",
            f"document {document_id} is parsed already",
        )
    try:
        data = original_path(settings, document).read_bytes()
    except OSError as exc:
        _fail(
            document,
            f"找不到文件“{document.filename}”的原件（{document.stored_path}）。"
            f" (original missing: {exc.strerror or exc})",
        )
        session.flush()
        record(session, actor, "ingest", "document", document.id, after=_document_summary(document))
        return document
    _parse(session, document, data, settings, actor, ocr, registry)
    return document


def ingest_file(
    session: Session, source: Source, actor: Actor, settings: Settings, ocr: OcrEngine | None = None
) -> IngestResult:
    """Keep, store and parse one file in the caller's transaction; say what happened to it."""
    sha, stored_path = keep_original(settings, source.data)
    document, created = _new_document(session, source, actor, sha, stored_path)
    if not created:
        return IngestResult(
            Outcome.UNCHANGED, document.id, document.filename, document.version, error=document.error
        )
    counts = _parse(session, document, source.data, settings, actor, ocr, None)
    if document.status == DocumentStatus.FAILED:
        outcome = Outcome.FAILED
    else:
        outcome = Outcome.NEW_VERSION if document.version > 1 else Outcome.NEW
    return IngestResult(
        outcome,
        document.id,
        document.filename,
        document.version,
        sections=counts.sections,
        tasks=counts.tasks,
        people=counts.people,
        targets=counts.targets,
        error=document.error,
    )
