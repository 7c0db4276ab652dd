"""Reading the ledger: the task list with every filter, one task in full, its history, its files.

Unit users see only tasks one of whose owner units is theirs; any other task
answers 404, exactly as a task that does not exist. The workflow actions
(POST /tasks/{id}/…) live in `task_actions`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from duban import clock
from duban.api import task_actions
from duban.api.schemas import PROBLEMS, AuditEventOut, TaskOut, TaskPageOut
from duban.api.task_view import summary_out, task_out
from duban.db.repositories.audit import list_events
from duban.db.repositories.task_detail import load_attachment
from duban.db.repositories.tasks import MAX_PER_PAGE, SortKey, TaskQuery, list_tasks
from duban.errors import NotFound
from duban.server.auth import Viewer
from duban.server.db import AppSettings, ReadDb
from duban.workflow.machine import load_task
from duban.workflow.states import Action, State
from duban.workflow.warnings import Light

reads = APIRouter(tags=["任务"], responses=PROBLEMS)

HISTORY_LIMIT = 1000


def ledger_filters(
    status: Annotated[list[State], Query(description="状态，可重复")] = [],  # noqa: B006 - FastAPI reads it
    unit_id: Annotated[int | None, Query(description="责任单位（任一角色）")] = None,
    leader: Annotated[str | None, Query(max_length=50, description="责任领导姓名")] = None,
    document_id: Annotated[int | None, Query(description="来源文件")] = None,
    due_from: Annotated[dt.date | None, Query(description="期限不早于")] = None,
    due_to: Annotated[dt.date | None, Query(description="期限不晚于")] = None,
    light: Annotated[list[Light], Query(description="预警灯，可重复")] = [],  # noqa: B006
    q: Annotated[str | None, Query(max_length=200, description="任务内容包含")] = None,
    sort: Annotated[SortKey, Query(description="排序")] = SortKey.DEADLINE,
) -> TaskQuery:
    """The ledger's filter query parameters, shared by the task list and the Excel export."""
    return TaskQuery(
        statuses=status,
        unit_id=unit_id,
        leader=leader,
        document_id=document_id,
        due_from=due_from,
        due_to=due_to,
        lights=light,
        text=q,
        sort=sort,
    )


LedgerFilters = Annotated[TaskQuery, Depends(ledger_filters)]


@reads.get("/tasks", response_model=TaskPageOut, summary="任务台账（筛选、排序、分页）")
def list_ledger(
    user: Viewer,
    db: ReadDb,
    settings: AppSettings,
    filters: LedgerFilters,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> TaskPageOut:
    query = replace(filters, page=page, per_page=per_page)
    result = list_tasks(db, user.principal, query, clock.today(), settings.near_due_workdays)
    return TaskPageOut(
        items=[summary_out(row) for row in result.rows],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@reads.get("/tasks/{task_id}", response_model=TaskOut, summary="任务详情")
def get_task(task_id: int, user: Viewer, db: ReadDb, settings: AppSettings) -> TaskOut:
    task = load_task(db, user.principal, task_id)
    return task_out(db, task, user.principal, settings)


def _action_label(action: str) -> str:
    try:
        return Action(action).label
    except ValueError:
        return action


@reads.get("/tasks/{task_id}/history", response_model=list[AuditEventOut], summary="任务流转记录（审计日志）")
def task_history(task_id: int, user: Viewer, db: ReadDb) -> list[AuditEventOut]:
    load_task(db, user.principal, task_id)
    events = list_events(db, entity="task", entity_id=task_id, limit=HISTORY_LIMIT)
    return [
        AuditEventOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            action_label=_action_label(e.action),
            before=e.before,
            after=e.after,
            reason=e.reason,
        )
        for e in reversed(events)
    ]


@reads.get(
    "/tasks/{task_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    summary="下载进展附件",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "附件原文件"}},
)
def download_attachment(task_id: int, attachment_id: int, user: Viewer, db: ReadDb) -> FileResponse:
    attachment = load_attachment(db, user.principal, task_id, attachment_id)
    if not Path(attachment.stored_path).is_file():
        raise NotFound(f"附件 {attachment_id} 不存在", f"attachment {attachment_id} not found")
    return FileResponse(
        attachment.stored_path, media_type=attachment.media_type, filename=attachment.filename
    )


router = APIRouter()
router.include_router(reads)
router.include_router(task_actions.router)
