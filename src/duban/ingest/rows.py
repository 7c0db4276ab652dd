"""Extraction → rows: one parsed file's sections, draft tasks (with owner units), people and targets.

`store.py` decides *whether* and *as what* a file is stored; this module
writes what the pipeline found into the caller's transaction. Names of
owner units are matched to the units users maintain (aliases, short
forms), and unknown units are created under their full name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
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
from duban.errors import Conflict, Rejected
from duban.ingest.extract.units import UnitRegistry
from duban.ingest.output import extraction_json
from duban.ingest.types import ExtractedDoc, Extraction
from duban.ingest.types import Task as ExtractedTask
from duban.search.index import index_people, index_tasks
from duban.workflow.audit import Actor, record
from duban.workflow.states import State

log = logging.getLogger(__name__)


def _clip(value: str | None, width: int) -> str | None:
    return None if value is None else clean_text(value)[:width]


def clean_text(value: str) -> str:
    """PostgreSQL refuses NUL in text; one replacement character keeps every offset."""
    return value.replace("\x00", "\ufffd")


def _json_safe(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


@dataclass
class Counts:
    sections: int = 0
    tasks: int = 0
    people: int = 0
    targets: int = 0


@dataclass
class Context:
    session: Session
    document: Document
    actor: Actor
    registry: UnitRegistry
    index: unit_repo.UnitIndex
    counts: Counts
    people: dict[str, Person] = field(default_factory=dict)
    titles: set[tuple[int, str]] = field(default_factory=set)


def document_summary(document: Document, counts: Counts | None = None) -> dict[str, Any]:
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


def _owner_unit(ctx: Context, name: str) -> Unit:
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


def _owners(ctx: Context, task: ExtractedTask) -> list[TaskOwner]:
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


def _add_task(ctx: Context, section: Section, task: ExtractedTask) -> Task:
    now = clock.now()
    owners = _owners(ctx, task)
    row = Task(
        document_id=ctx.document.id,
        section_id=section.id,
        span_start=task.span.start,
        span_end=task.span.end,
        text=clean_text(task.text),
        kind=task.kind[:20],
        status=State.DRAFT,
        version=1,
        confirmed=False,
        start_date=task.start,
        deadline=task.deadline,
        # A date written in the document is exact; only working-day counts can be unconfirmed.
        deadline_confirmed=True,
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


def _add_people(ctx: Context, doc: ExtractedDoc) -> None:
    observed_on = doc.header.date or ctx.document.doc_date
    for found in doc.people:
        name = found.name.strip()
        if not name or len(name) > 50:
            continue
        person = ctx.people.get(name) or ctx.session.scalar(select(Person).where(Person.name == name))
        if person is None:
            person = Person(name=clean_text(name), created_at=clock.now())
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
                    title=clean_text(title),
                    document_id=ctx.document.id,
                    observed_on=observed_on,
                    span_start=found.span.start,
                    span_end=found.span.end,
                )
            )
            ctx.titles.add((person.id, title))
    ctx.session.flush()


def _add_targets(ctx: Context, doc: ExtractedDoc) -> None:
    """Targets become rows; an actual figure is recorded against the same indicator's target, if stored."""
    now = clock.now()
    for found in doc.targets:
        period = str(found.year) if found.year else None
        indicator = clean_text(found.indicator)[:200]
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
                    unit=clean_text(found.unit)[:20],
                    qualifier=found.qualifier[:20],
                    text=clean_text(found.text),
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
                note=clean_text(found.text),
                created_at=now,
            )
        )
    ctx.session.flush()


def _add_section(ctx: Context, index: int, doc: ExtractedDoc) -> Section:
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


def store_extraction(ctx: Context, extraction: Extraction) -> None:
    document, raw = ctx.document, extraction.raw
    document.text = clean_text(raw.text)
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
    # The caller indexes the document itself once its status is final.
    index_tasks(ctx.session, ctx.session.scalars(select(Task.id).where(Task.document_id == document.id)))
    index_people(ctx.session, [person.id for person in ctx.people.values()])
