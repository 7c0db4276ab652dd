"""Everything about one task, read for one principal: the web task page and the API's task view.

`load_records` reads what has been added to a task the caller already loaded
(owners by name, the source sentence inside its document, progress reports
with their files, extension requests, 批示; newest first). `load_detail` is
the task page's data: the task (NotFound for a unit user who does not own it,
exactly like the workflow actions), its records, the audit history newest
first, and the actions this principal may take now. Attachments are read
through `load_attachment`, which applies the same visibility rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import (
    Attachment,
    AuditEvent,
    Document,
    ExtensionRequest,
    Instruction,
    ProgressReport,
    Task,
    TaskOwner,
    Unit,
    User,
)
from duban.errors import NotFound
from duban.workflow.machine import available_actions, load_task
from duban.workflow.principal import Principal
from duban.workflow.states import Action, ExtensionState, State
from duban.workflow.warnings import DEFAULT_NEAR_DUE_WORKDAYS, Light, classify

__all__ = [
    "CONTEXT_CHARS",
    "ExtensionLine",
    "OwnerLine",
    "SourceContext",
    "TaskDetail",
    "TaskRecords",
    "document_label",
    "load_attachment",
    "load_detail",
    "load_extension_request",
    "load_records",
    "source_context",
    "unit_names",
]

# How much of the document is shown on each side of the source sentence.
CONTEXT_CHARS = 200
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class SourceContext:
    """The source sentence and the text around it, as plain (unescaped) strings."""

    document_id: int
    document_title: str | None
    filename: str
    document_label: str
    span_start: int | None
    span_end: int | None
    sentence: str | None  # the span's text; None when the task has no span inside a text
    before: str
    span: str
    after: str
    cut_before: bool
    cut_after: bool


@dataclass(frozen=True)
class OwnerLine:
    unit_id: int
    name: str
    role: str


@dataclass(frozen=True)
class ExtensionLine:
    request: ExtensionRequest
    unit_name: str | None
    requested_by: str | None
    decided_by: str | None

    @property
    def pending(self) -> bool:
        return self.request.state == ExtensionState.REQUESTED.value

    @property
    def state_label(self) -> str:
        return ExtensionState(self.request.state).label


@dataclass(frozen=True)
class TaskRecords:
    """What has been added to a task; reports, extensions and 批示 newest first."""

    task: Task
    owners: list[OwnerLine]
    source: SourceContext | None
    reports: Sequence[ProgressReport]
    extensions: list[ExtensionLine]
    instructions: Sequence[Instruction]

    @property
    def pending_extensions(self) -> list[ExtensionLine]:
        return [e for e in self.extensions if e.pending]


@dataclass(frozen=True)
class TaskDetail(TaskRecords):
    light: Light
    history: Sequence[AuditEvent]
    actions: list[Action]


def document_label(document: Document) -> str:
    """How a document is named in lists: its title, else its file name; with its 发文字号."""
    name = (document.title or "").strip() or document.filename
    return f"{name}（{document.doc_number}）" if document.doc_number else name


def source_context(
    text: str, start: int, end: int, radius: int = CONTEXT_CHARS
) -> tuple[str, str, str, bool, bool]:
    """(before, span, after, cut_before, cut_after) around text[start:end], clamped to the text.

    The cut flags say whether more text lies beyond the window, so the page can show an ellipsis.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    lo = max(0, start - radius)
    hi = min(len(text), end + radius)
    return text[lo:start], text[start:end], text[end:hi], lo > 0, hi < len(text)


def _source(session: Session, task: Task) -> SourceContext | None:
    if task.document_id is None:
        return None
    document = session.get(Document, task.document_id)
    if document is None:
        return None
    start, end, text = task.span_start, task.span_end, document.text
    head = (document.id, document.title, document.filename, document_label(document), start, end)
    if start is None or end is None or end <= start or text is None:
        return SourceContext(*head, None, "", "", "", False, False)
    before, span, after, cut_before, cut_after = source_context(text, start, end)
    return SourceContext(*head, text[start:end], before, span, after, cut_before, cut_after)


def _names(session: Session, model: type[Unit] | type[User], ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    column = Unit.name if model is Unit else User.display_name
    rows = session.execute(select(model.id, column).where(model.id.in_(wanted)))
    return {row_id: name for row_id, name in rows}


def unit_names(session: Session, unit_ids: Iterable[int | None]) -> dict[int, str]:
    """Unit id → name, one query for many ids."""
    return _names(session, Unit, unit_ids)


def _extensions(session: Session, task_id: int) -> list[ExtensionLine]:
    requests = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.task_id == task_id)
        .order_by(ExtensionRequest.created_at.desc(), ExtensionRequest.id.desc())
    ).all()
    units = _names(session, Unit, {r.unit_id for r in requests})
    users = _names(session, User, {r.requested_by_id for r in requests} | {r.decided_by_id for r in requests})
    return [
        ExtensionLine(
            request=r,
            unit_name=units.get(r.unit_id) if r.unit_id else None,
            requested_by=users.get(r.requested_by_id) if r.requested_by_id else None,
            decided_by=users.get(r.decided_by_id) if r.decided_by_id else None,
        )
        for r in requests
    ]


def load_records(session: Session, task: Task) -> TaskRecords:
    """The records of a task the caller loaded (and so may see)."""
    owners = session.scalars(
        select(TaskOwner)
        .where(TaskOwner.task_id == task.id)
        .order_by(TaskOwner.position)
        .options(selectinload(TaskOwner.unit))
    ).all()
    reports = session.scalars(
        select(ProgressReport)
        .where(ProgressReport.task_id == task.id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .options(selectinload(ProgressReport.attachments), selectinload(ProgressReport.user))
    ).all()
    instructions = session.scalars(
        select(Instruction)
        .where(Instruction.task_id == task.id)
        .order_by(Instruction.created_at.desc(), Instruction.id.desc())
        .options(selectinload(Instruction.user))
    ).all()
    return TaskRecords(
        task=task,
        owners=[OwnerLine(o.unit_id, o.unit.name, o.role) for o in owners],
        source=_source(session, task),
        reports=reports,
        extensions=_extensions(session, task.id),
        instructions=instructions,
    )


def load_detail(
    session: Session,
    principal: Principal,
    task_id: int,
    today: dt.date,
    near_days: int = DEFAULT_NEAR_DUE_WORKDAYS,
) -> TaskDetail:
    task = load_task(session, principal, task_id)
    history = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "task", AuditEvent.entity_id == task.id)
        .order_by(AuditEvent.seq.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return TaskDetail(
        **vars(load_records(session, task)),
        light=classify(task.deadline, State(task.status), today, near_days),
        history=history,
        actions=available_actions(task, principal),
    )


def load_attachment(session: Session, principal: Principal, task_id: int, attachment_id: int) -> Attachment:
    """One file of one of the task's reports, if the principal may see the task; NotFound otherwise."""
    task = load_task(session, principal, task_id)
    attachment = session.scalar(
        select(Attachment)
        .join(ProgressReport, ProgressReport.id == Attachment.report_id)
        .where(Attachment.id == attachment_id, ProgressReport.task_id == task.id)
    )
    if attachment is None:
        raise NotFound(f"附件 {attachment_id} 不存在", f"attachment {attachment_id} not found")
    return attachment


def load_extension_request(
    session: Session, principal: Principal, task_id: int, request_id: int
) -> ExtensionRequest:
    """An extension request of the task in the URL, if the principal may see that task; NotFound otherwise."""
    load_task(session, principal, task_id)
    request = session.get(ExtensionRequest, request_id)
    if request is None or request.task_id != task_id:
        raise NotFound(
            f"延期申请 {request_id} 不存在", f"extension request {request_id} not on task {task_id}"
        )
    return request
