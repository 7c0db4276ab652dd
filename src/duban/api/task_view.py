"""Turning stored tasks into the API's task models: one place, so every endpoint answers alike."""

from __future__ import annotations

from sqlalchemy.orm import Session

from duban import clock
from duban.api.schemas import (
    ActionOut,
    AttachmentOut,
    ExtensionRequestOut,
    InstructionOut,
    MilestoneOut,
    OwnerOut,
    ProgressReportOut,
    SourceOut,
    TaskOut,
    TaskSummaryOut,
)
from duban.config import Settings
from duban.db.models import OwnerRole, Task
from duban.db.repositories.task_detail import load_records, unit_names
from duban.db.repositories.tasks import TaskRow, task_row
from duban.workflow.machine import available_actions
from duban.workflow.principal import Principal
from duban.workflow.states import Action, ExtensionState, State

API = "/api/v1"

# The endpoint that performs each action (decide needs the extension request's id).
ACTION_PATHS = {
    Action.CONFIRM: "confirm",
    Action.EDIT: "edit",
    Action.ASSIGN: "assign",
    Action.ACKNOWLEDGE: "acknowledge",
    Action.REPORT_PROGRESS: "progress",
    Action.REQUEST_EXTENSION: "extension",
    Action.DECIDE_EXTENSION: "extensions/{request_id}/decide",
    Action.SUBMIT: "submit",
    Action.ACCEPT: "accept",
    Action.RETURN: "return",
    Action.REMIND: "remind",
    Action.INSTRUCT: "instruct",
    Action.CANCEL: "cancel",
}


def task_url(task_id: int) -> str:
    return f"{API}/tasks/{task_id}"


def summary_out(row: TaskRow) -> TaskSummaryOut:
    task = row.task
    return TaskSummaryOut(
        id=task.id,
        text=task.text,
        status=State(task.status),
        status_label=State(task.status).label,
        light=row.light,
        light_label=row.light.label,
        deadline=task.deadline,
        deadline_confirmed=task.deadline_confirmed,
        lead_unit=row.lead,
        units=row.units,
        leader_name=task.leader_name,
        document_id=task.document_id,
        version=task.version,
        updated_at=task.updated_at,
    )


def task_out(session: Session, task: Task, principal: Principal, settings: Settings) -> TaskOut:
    """Everything on record about `task` (which `principal` may see: the caller loaded it so)."""
    session.flush()
    records = load_records(session, task)
    names = unit_names(session, [*task.unit_ids(), *(r.unit_id for r in records.reports)])
    row = task_row(task, clock.today(), settings.near_due_workdays, names)
    source = records.source
    base = task_url(task.id)
    return TaskOut(
        **summary_out(row).model_dump(),
        kind=task.kind,
        confirmed=task.confirmed,
        start_date=task.start_date,
        deadline_workdays=task.deadline_workdays,
        deadline_from=task.deadline_from,
        recurrence=task.recurrence,
        amount_yuan=task.amount_yuan,
        owners=[
            OwnerOut(
                unit_id=o.unit_id,
                unit_name=o.name,
                role=OwnerRole(o.role),
                role_label=OwnerRole(o.role).label,
            )
            for o in records.owners
        ],
        milestones=[
            MilestoneOut(id=m.id, due=m.due, text=m.text, done_at=m.done_at) for m in task.milestones
        ],
        source=SourceOut(
            document_id=source.document_id,
            document_title=source.document_title,
            filename=source.filename,
            span_start=source.span_start,
            span_end=source.span_end,
            sentence=source.sentence,
        )
        if source
        else None,
        progress_reports=[
            ProgressReportOut(
                id=r.id,
                text=r.text,
                is_completion=r.is_completion,
                unit_id=r.unit_id,
                unit_name=names.get(r.unit_id) if r.unit_id else None,
                author=r.user.display_name if r.user else None,
                created_at=r.created_at,
                attachments=[
                    AttachmentOut(
                        id=a.id,
                        filename=a.filename,
                        size_bytes=a.size_bytes,
                        media_type=a.media_type,
                        sha256=a.sha256,
                        url=f"{base}/attachments/{a.id}",
                    )
                    for a in r.attachments
                ],
            )
            for r in reversed(records.reports)  # oldest first
        ],
        extension_requests=[
            ExtensionRequestOut(
                id=e.id,
                state=ExtensionState(e.state),
                state_label=ExtensionState(e.state).label,
                unit_id=e.unit_id,
                old_deadline=e.old_deadline,
                new_deadline=e.new_deadline,
                reason=e.reason,
                created_at=e.created_at,
                decided_at=e.decided_at,
                decision_reason=e.decision_reason,
            )
            for e in (line.request for line in reversed(records.extensions))
        ],
        instructions=[
            InstructionOut(
                id=i.id,
                text=i.text,
                author=i.user.display_name if i.user else None,
                created_at=i.created_at,
            )
            for i in reversed(records.instructions)
        ],
        actions=[
            ActionOut(action=a, label=a.label, path=f"{base}/{ACTION_PATHS[a]}")
            for a in available_actions(task, principal)
        ],
        created_at=task.created_at,
        assigned_at=task.assigned_at,
        acknowledged_at=task.acknowledged_at,
        submitted_at=task.submitted_at,
        done_at=task.done_at,
        cancelled_at=task.cancelled_at,
    )
