"""The ledger as the export writes it: one line of text per task for a filter, in the ledger's order.

Filtering, ordering and visibility are `repositories.tasks.list_tasks`
(so a unit user's export holds only their units' tasks, exactly like the
page). Each page of 500 tasks takes three more queries: milestones, the
latest progress report per task, and the source documents with sections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from duban import clock
from duban.db.models import Document, Milestone, OwnerRole, ProgressReport, Section, Task, Unit
from duban.db.repositories.task_detail import document_label
from duban.db.repositories.tasks import MAX_PER_PAGE, TaskQuery, TaskRow, list_tasks
from duban.reports.ledger_columns import IMPORT_READER
from duban.workflow.principal import Principal
from duban.workflow.states import State
from duban.workflow.warnings import Light

__all__ = ["LedgerLine", "describe_query", "ledger_lines", "owner_cells", "progress_cell", "schedule_cell"]

NO_LEAD = "未定牵头单位"


@dataclass(frozen=True)
class LedgerLine:
    """One task as the ten columns show it (序号 is the caller's count), with its light for the colour."""

    task_id: int
    source: str
    text: str
    lead: str
    units: str
    leader: str
    schedule: str
    progress: str
    status: str
    note: str
    light: Light

    @property
    def sheet_unit(self) -> str:
        """The unit whose sheet this line goes on when the export has one sheet per lead unit."""
        return self.lead or NO_LEAD


def schedule_cell(milestones: Sequence[tuple[dt.date, str]], deadline: dt.date | None) -> str:
    """`2026-06-30 完成招标` per milestone, then `完成时限：2026-12-31`; just the date when there are none."""
    lines = [f"{due.isoformat()} {' '.join(text.split())}".rstrip() for due, text in milestones]
    if deadline is None:
        return "\n".join(lines) if lines else "待定"
    if not lines:
        return deadline.isoformat()
    return "\n".join([*lines, f"完成时限：{deadline.isoformat()}"])


def progress_cell(day: dt.date, text: str) -> str:
    return f"{day.isoformat()}：{text.strip()}"


def owner_cells(row: TaskRow) -> tuple[str, str]:
    """The 牵头单位 cell and the 责任单位 cell (supporting units marked （配合）)."""
    owners = sorted(row.task.owners, key=lambda o: o.position)
    lead = "、".join(o.unit.name for o in owners if o.role == OwnerRole.LEAD)
    others = "、".join(
        o.unit.name + ("（配合）" if o.role == OwnerRole.SUPPORTING else "")
        for o in owners
        if o.role != OwnerRole.LEAD
    )
    return lead, others


def _milestones(session: Session, ids: list[int]) -> dict[int, list[tuple[dt.date, str]]]:
    found: dict[int, list[tuple[dt.date, str]]] = {}
    stmt = (
        select(Milestone.task_id, Milestone.due, Milestone.text)
        .where(Milestone.task_id.in_(ids))
        .order_by(Milestone.task_id, Milestone.due, Milestone.id)
    )
    for task_id, due, text in session.execute(stmt):
        found.setdefault(task_id, []).append((due, text))
    return found


def _latest_reports(session: Session, ids: list[int]) -> dict[int, str]:
    """The newest progress report of each task (by its date, then its id), as `date：text`."""
    ranked = (
        select(
            ProgressReport.task_id,
            ProgressReport.created_at,
            ProgressReport.text,
            func.row_number()
            .over(
                partition_by=ProgressReport.task_id,
                order_by=(ProgressReport.created_at.desc(), ProgressReport.id.desc()),
            )
            .label("rank"),
        )
        .where(ProgressReport.task_id.in_(ids))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.task_id, ranked.c.created_at, ranked.c.text).where(ranked.c.rank == 1)
    )
    return {
        task_id: progress_cell(clock.to_local(created).date(), " ".join(text.split()))
        for task_id, created, text in rows
    }


def _documents(session: Session, ids: set[int]) -> dict[int, Document]:
    """Documents by id, names only: a document row also holds its full text, which a label does not need."""
    if not ids:
        return {}
    columns = load_only(Document.id, Document.title, Document.filename, Document.doc_number, Document.reader)
    return {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)).options(columns))}


def _sources(session: Session, tasks: Sequence[Task]) -> dict[int, str]:
    """任务来源 per task: the document's title (and 发文字号), with the section's title when it differs.

    A task imported from a ledger shows the 任务来源 its row had (kept as the section title).
    """
    documents = _documents(session, {t.document_id for t in tasks if t.document_id is not None})
    section_ids = {t.section_id for t in tasks if t.section_id is not None}
    sections: dict[int, str] = {}
    if section_ids:
        stmt = select(Section.id, Section.title).where(Section.id.in_(section_ids))
        sections = {i: (title or "").strip() for i, title in session.execute(stmt)}
    labels: dict[int, str] = {}
    for task in tasks:
        doc = documents.get(task.document_id) if task.document_id is not None else None
        if doc is None:
            continue
        heading = sections.get(task.section_id, "") if task.section_id is not None else ""
        if doc.reader == IMPORT_READER:
            labels[task.id] = heading
            continue
        label = document_label(doc)
        labels[task.id] = f"{label}\n{heading}" if heading and heading != (doc.title or "").strip() else label
    return labels


def _note(row: TaskRow) -> str:
    task = row.task
    parts = [] if row.light is Light.NONE else [f"预警：{row.light.label}"]
    if task.deadline is not None and not task.deadline_confirmed:
        parts.append("时限按周一至周五推算，待定")
    parts.append(f"系统编号{task.id}")
    return "；".join(parts)


def ledger_lines(
    session: Session, principal: Principal, query: TaskQuery, today: dt.date, near_days: int
) -> Iterator[LedgerLine]:
    """Every task the filter matches, page by page, in the ledger's order."""
    page_query = replace(query, page=1, per_page=MAX_PER_PAGE)
    while True:
        page = list_tasks(session, principal, page_query, today, near_days)
        tasks = [r.task for r in page.rows]
        ids = [t.id for t in tasks]
        milestones = _milestones(session, ids) if ids else {}
        reports = _latest_reports(session, ids) if ids else {}
        sources = _sources(session, tasks)
        for row in page.rows:
            task = row.task
            lead, units = owner_cells(row)
            yield LedgerLine(
                task_id=task.id,
                source=sources.get(task.id, ""),
                text=task.text.strip(),
                lead=lead,
                units=units,
                leader=task.leader_name or "",
                schedule=schedule_cell(milestones.get(task.id, []), task.deadline),
                progress=reports.get(task.id, ""),
                status=State(task.status).label,
                note=_note(row),
                light=row.light,
            )
        if page.page >= page.pages:
            return
        page_query = replace(page_query, page=page.page + 1)


def describe_query(session: Session, query: TaskQuery) -> str:
    """The filter in words, for the sheet's second line: `状态：办理中；责任单位：区财政局`, or `全部任务`."""
    parts = []
    if query.statuses:
        parts.append("状态：" + "、".join(s.label for s in query.statuses))
    if query.lights:
        parts.append("预警：" + "、".join(li.label for li in query.lights))
    if query.unit_id is not None:
        name = session.scalar(select(Unit.name).where(Unit.id == query.unit_id))
        parts.append(f"责任单位：{name or query.unit_id}")
    if query.leader:
        parts.append(f"责任领导：{query.leader}")
    if query.document_id is not None:
        document = _documents(session, {query.document_id}).get(query.document_id)
        parts.append(f"任务来源：{document_label(document) if document else query.document_id}")
    if query.due_from or query.due_to:
        start = query.due_from.isoformat() if query.due_from else "…"
        end = query.due_to.isoformat() if query.due_to else "…"
        parts.append(f"完成时限：{start} 至 {end}")
    if query.text:
        parts.append(f"关键词：{query.text}")
    return "；".join(parts) or "全部任务"
