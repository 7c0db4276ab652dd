"""The 督办 workflow over HTTP: one POST per action, each answering with the task as it now is.

Every body may carry `expected_version` (the `version` the client last saw):
if the task has changed since, the answer is 409 and nothing is written.
Who may do what is the state machine's call (`workflow.states`), so a leader
gets 403 on everything but 批示 and a unit user gets 404 on a task that is
not their unit's. Progress reports and 申请办结 are multipart (text + files).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from duban.api.schemas import PROBLEMS, UPLOAD_PROBLEMS, TaskOut
from duban.api.task_view import task_out
from duban.config import Settings
from duban.db.models import ExtensionRequest, OwnerRole, Task
from duban.errors import NotFound
from duban.server.auth import CurrentUser, Viewer
from duban.server.db import AppSettings, WriteDb
from duban.server.uploads import read_attachments
from duban.workflow import service
from duban.workflow.machine import MAX_TEXT, load_task

router = APIRouter(tags=["任务流转"], responses=PROBLEMS)

REASON_MAX = 2000


class VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(
        default=None, ge=1, description="客户端所见的任务版本号；任务已被他人修改时返回 409"
    )


class OwnerItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: int
    role: OwnerRole = OwnerRole.RESPONSIBLE


class MilestoneItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due: dt.date
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class ChangesIn(VersionIn):
    """Fields left out stay as they are."""

    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    owners: list[OwnerItem] | None = Field(default=None, description="替换全部责任单位；牵头单位至多一个")
    deadline: dt.date | None = None
    deadline_workdays: int | None = Field(default=None, ge=1, le=366, description="自今日起若干工作日内完成")
    start_date: dt.date | None = None
    leader_name: str | None = Field(default=None, max_length=50)
    milestones: list[MilestoneItem] | None = Field(default=None, description="替换全部时间节点")
    clear_deadline: bool = Field(default=False, description="true：取消完成时限")

    def changes(self) -> service.TaskChanges:
        return service.TaskChanges(
            text=self.text,
            owners=[service.OwnerIn(o.unit_id, o.role) for o in self.owners]
            if self.owners is not None
            else None,
            deadline=self.deadline,
            deadline_workdays=self.deadline_workdays,
            start_date=self.start_date,
            leader_name=self.leader_name,
            milestones=[(m.due, m.text) for m in self.milestones] if self.milestones is not None else None,
            clear_deadline=self.clear_deadline,
        )


class EditIn(ChangesIn):
    reason: str | None = Field(default=None, max_length=REASON_MAX, description="修改原因（记入审计日志）")


class ReasonIn(VersionIn):
    reason: str | None = Field(default=None, max_length=REASON_MAX, description="理由（退回、撤销必填）")


class RemindIn(VersionIn):
    message: str | None = Field(default=None, max_length=REASON_MAX, description="催办内容；不填则用默认措辞")


class InstructIn(VersionIn):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="批示内容")


class ExtensionIn(VersionIn):
    new_deadline: dt.date = Field(description="申请延至的日期")
    reason: str | None = Field(default=None, max_length=REASON_MAX, description="延期理由（必填）")


class DecideIn(VersionIn):
    approve: bool = Field(description="true 批准，false 不予批准（须填理由）")
    reason: str | None = Field(default=None, max_length=REASON_MAX)


def _answer(db: Session, user: CurrentUser, settings: Settings, task: Task | int) -> TaskOut:
    if isinstance(task, int):
        task = load_task(db, user.principal, task)
    return task_out(db, task, user.principal, settings)


def _version(body: VersionIn | None) -> int | None:
    return body.expected_version if body is not None else None


OptionalVersion = Annotated[VersionIn | None, Body()]


@router.post("/tasks/{task_id}/confirm", summary="确认（督查室对照原文核实草稿）", response_model=TaskOut)
def confirm(
    task_id: int, user: Viewer, db: WriteDb, settings: AppSettings, body: OptionalVersion = None
) -> TaskOut:
    task = service.confirm(db, user.principal, task_id, expected_version=_version(body))
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/edit", summary="修改任务", response_model=TaskOut)
def edit(task_id: int, body: EditIn, user: Viewer, db: WriteDb, settings: AppSettings) -> TaskOut:
    task = service.edit(
        db,
        user.principal,
        task_id,
        body.changes(),
        expected_version=body.expected_version,
        reason=body.reason,
    )
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/assign", summary="交办", response_model=TaskOut)
def assign(
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    body: Annotated[ChangesIn | None, Body()] = None,
) -> TaskOut:
    changes = body.changes() if body is not None else None
    task = service.assign(db, user.principal, task_id, changes, expected_version=_version(body))
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/acknowledge", summary="签收", response_model=TaskOut)
def acknowledge(
    task_id: int, user: Viewer, db: WriteDb, settings: AppSettings, body: OptionalVersion = None
) -> TaskOut:
    task = service.acknowledge(db, user.principal, task_id, expected_version=_version(body))
    return _answer(db, user, settings, task)


@router.post(
    "/tasks/{task_id}/progress",
    summary="反馈进展（可附文件）",
    response_model=TaskOut,
    responses=UPLOAD_PROBLEMS,
)
def progress(
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT, description="进展情况")],
    expected_version: Annotated[int | None, Form(ge=1)] = None,
    files: Annotated[list[UploadFile], File(description="附件，可多个")] = [],  # noqa: B006 - FastAPI reads it
) -> TaskOut:
    attachments = read_attachments(files, settings.max_upload_bytes)
    service.report_progress(
        db,
        user.principal,
        task_id,
        text,
        attachments,
        attachments_dir=settings.data_dir / "attachments",
        expected_version=expected_version,
    )
    return _answer(db, user, settings, task_id)


@router.post(
    "/tasks/{task_id}/submit",
    summary="申请办结（可附文件）",
    response_model=TaskOut,
    responses=UPLOAD_PROBLEMS,
)
def submit(
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT, description="完成情况")],
    expected_version: Annotated[int | None, Form(ge=1)] = None,
    files: Annotated[list[UploadFile], File(description="附件，可多个")] = [],  # noqa: B006
) -> TaskOut:
    attachments = read_attachments(files, settings.max_upload_bytes)
    task = service.submit(
        db,
        user.principal,
        task_id,
        text,
        attachments,
        attachments_dir=settings.data_dir / "attachments",
        expected_version=expected_version,
    )
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/accept", summary="验收办结（销号）", response_model=TaskOut)
def accept(
    task_id: int, user: Viewer, db: WriteDb, settings: AppSettings, body: OptionalVersion = None
) -> TaskOut:
    task = service.accept(db, user.principal, task_id, expected_version=_version(body))
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/return", summary="退回（须填理由）", response_model=TaskOut)
def return_task(task_id: int, body: ReasonIn, user: Viewer, db: WriteDb, settings: AppSettings) -> TaskOut:
    task = service.return_task(
        db, user.principal, task_id, body.reason, expected_version=body.expected_version
    )
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/extension", summary="申请延期", response_model=TaskOut)
def request_extension(
    task_id: int, body: ExtensionIn, user: Viewer, db: WriteDb, settings: AppSettings
) -> TaskOut:
    service.request_extension(
        db, user.principal, task_id, body.new_deadline, body.reason, expected_version=body.expected_version
    )
    return _answer(db, user, settings, task_id)


@router.post(
    "/tasks/{task_id}/extensions/{request_id}/decide", summary="审批延期申请", response_model=TaskOut
)
def decide_extension(
    task_id: int, request_id: int, body: DecideIn, user: Viewer, db: WriteDb, settings: AppSettings
) -> TaskOut:
    load_task(db, user.principal, task_id)
    request = db.get(ExtensionRequest, request_id)
    if request is None or request.task_id != task_id:
        raise NotFound(f"延期申请 {request_id} 不存在", f"extension request {request_id} not found")
    service.decide_extension(
        db, user.principal, request_id, body.approve, body.reason, expected_version=body.expected_version
    )
    return _answer(db, user, settings, task_id)


@router.post("/tasks/{task_id}/cancel", summary="撤销（须填理由）", response_model=TaskOut)
def cancel(task_id: int, body: ReasonIn, user: Viewer, db: WriteDb, settings: AppSettings) -> TaskOut:
    task = service.cancel(db, user.principal, task_id, body.reason, expected_version=body.expected_version)
    return _answer(db, user, settings, task)


@router.post("/tasks/{task_id}/remind", summary="催办（每任务每天一次）", response_model=TaskOut)
def remind(
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    body: Annotated[RemindIn | None, Body()] = None,
) -> TaskOut:
    message = body.message if body is not None else None
    service.remind(db, user.principal, task_id, message, expected_version=_version(body))
    return _answer(db, user, settings, task_id)


@router.post("/tasks/{task_id}/instruct", summary="领导批示", response_model=TaskOut)
def instruct(task_id: int, body: InstructIn, user: Viewer, db: WriteDb, settings: AppSettings) -> TaskOut:
    service.instruct(db, user.principal, task_id, body.text, expected_version=body.expected_version)
    return _answer(db, user, settings, task_id)
