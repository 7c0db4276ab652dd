"""The 督办 workflow over HTTP: one POST per action, each answering with the task as it now is.

Every body may carry `expected_version` (the `version` the client last saw):
if the task has changed since, the answer is 409 and nothing is written.
Who may do what is the state machine's call (`workflow.states`), so a leader
gets 403 on everything but 批示 and a unit user gets 404 on a task that is
not their unit's. Progress reports and 申请办结 are multipart (text + files).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from duban.api.schemas import PROBLEMS, UPLOAD_PROBLEMS, TaskOut
from duban.api.task_view import task_out
from duban.config import Settings
from duban.db.models import OwnerRole, Task
from duban.db.repositories.task_detail import load_extension_request
from duban.server.auth import CurrentUser, Viewer
from duban.server.db import AppSettings, WriteDb
from duban.server.uploads import record_feedback
from duban.workflow import service
from duban.workflow.machine import MAX_TEXT, load_task
from duban.workflow.principal import Principal

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


@dataclass(frozen=True)
class Acting:
    """What every action call has: the task in the path, who calls, the transaction, and the answer."""

    task_id: int
    user: CurrentUser
    db: Session
    settings: Settings

    @property
    def principal(self) -> Principal:
        return self.user.principal

    def answer(self, task: Task | None = None) -> TaskOut:
        """The task as it now is; pass the one the service returned to skip re-loading it."""
        if task is None:
            task = load_task(self.db, self.principal, self.task_id)
        return task_out(self.db, task, self.principal, self.settings)

    def feedback(
        self, text: str, files: list[UploadFile], expected_version: int | None, *, completion: bool
    ) -> None:
        """反馈 or 申请办结: the text with the attached files, stored under the data directory."""
        record_feedback(
            self.db,
            self.principal,
            self.task_id,
            text,
            files,
            self.settings,
            completion=completion,
            expected_version=expected_version,
        )


def _acting(task_id: int, user: Viewer, db: WriteDb, settings: AppSettings) -> Acting:
    return Acting(task_id, user, db, settings)


Act = Annotated[Acting, Depends(_acting)]


def _version(body: VersionIn | None) -> int | None:
    return body.expected_version if body is not None else None


OptionalVersion = Annotated[VersionIn | None, Body()]


@router.post("/tasks/{task_id}/confirm", summary="确认（督查室对照原文核实草稿）", response_model=TaskOut)
def confirm(act: Act, body: OptionalVersion = None) -> TaskOut:
    return act.answer(service.confirm(act.db, act.principal, act.task_id, expected_version=_version(body)))


@router.post("/tasks/{task_id}/edit", summary="修改任务", response_model=TaskOut)
def edit(act: Act, body: EditIn) -> TaskOut:
    changes = body.changes()
    task = service.edit(
        act.db,
        act.principal,
        act.task_id,
        changes,
        expected_version=body.expected_version,
        reason=body.reason,
    )
    return act.answer(task)


@router.post("/tasks/{task_id}/assign", summary="交办", response_model=TaskOut)
def assign(act: Act, body: Annotated[ChangesIn | None, Body()] = None) -> TaskOut:
    changes = body.changes() if body is not None else None
    task = service.assign(act.db, act.principal, act.task_id, changes, expected_version=_version(body))
    return act.answer(task)


@router.post("/tasks/{task_id}/acknowledge", summary="签收", response_model=TaskOut)
def acknowledge(act: Act, body: OptionalVersion = None) -> TaskOut:
    return act.answer(
        service.acknowledge(act.db, act.principal, act.task_id, expected_version=_version(body))
    )


@router.post(
    "/tasks/{task_id}/progress",
    summary="反馈进展（可附文件）",
    response_model=TaskOut,
    responses=UPLOAD_PROBLEMS,
)
def progress(
    act: Act,
    text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT, description="进展情况")],
    expected_version: Annotated[int | None, Form(ge=1)] = None,
    files: Annotated[list[UploadFile], File(description="附件，可多个")] = [],  # noqa: B006 - FastAPI reads it
) -> TaskOut:
    act.feedback(text, files, expected_version, completion=False)
    return act.answer()


@router.post(
    "/tasks/{task_id}/submit",
    summary="申请办结（可附文件）",
    response_model=TaskOut,
    responses=UPLOAD_PROBLEMS,
)
def submit(
    act: Act,
    text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT, description="完成情况")],
    expected_version: Annotated[int | None, Form(ge=1)] = None,
    files: Annotated[list[UploadFile], File(description="附件，可多个")] = [],  # noqa: B006
) -> TaskOut:
    act.feedback(text, files, expected_version, completion=True)
    return act.answer()


@router.post("/tasks/{task_id}/accept", summary="验收办结（销号）", response_model=TaskOut)
def accept(act: Act, body: OptionalVersion = None) -> TaskOut:
    return act.answer(service.accept(act.db, act.principal, act.task_id, expected_version=_version(body)))


@router.post("/tasks/{task_id}/return", summary="退回（须填理由）", response_model=TaskOut)
def return_task(act: Act, body: ReasonIn) -> TaskOut:
    version = body.expected_version
    return act.answer(
        service.return_task(act.db, act.principal, act.task_id, body.reason, expected_version=version)
    )


@router.post("/tasks/{task_id}/extension", summary="申请延期", response_model=TaskOut)
def request_extension(act: Act, body: ExtensionIn) -> TaskOut:
    service.request_extension(
        act.db,
        act.principal,
        act.task_id,
        body.new_deadline,
        body.reason,
        expected_version=body.expected_version,
    )
    return act.answer()


@router.post(
    "/tasks/{task_id}/extensions/{request_id}/decide", summary="审批延期申请", response_model=TaskOut
)
def decide_extension(act: Act, request_id: int, body: DecideIn) -> TaskOut:
    load_extension_request(act.db, act.principal, act.task_id, request_id)
    service.decide_extension(
        act.db, act.principal, request_id, body.approve, body.reason, expected_version=body.expected_version
    )
    return act.answer()


@router.post("/tasks/{task_id}/cancel", summary="撤销（须填理由）", response_model=TaskOut)
def cancel(act: Act, body: ReasonIn) -> TaskOut:
    version = body.expected_version
    return act.answer(
        service.cancel(act.db, act.principal, act.task_id, body.reason, expected_version=version)
    )


@router.post("/tasks/{task_id}/remind", summary="催办（每任务每天一次）", response_model=TaskOut)
def remind(act: Act, body: Annotated[RemindIn | None, Body()] = None) -> TaskOut:
    message = body.message if body is not None else None
    service.remind(act.db, act.principal, act.task_id, message, expected_version=_version(body))
    return act.answer()


@router.post("/tasks/{task_id}/instruct", summary="领导批示", response_model=TaskOut)
def instruct(act: Act, body: InstructIn) -> TaskOut:
    service.instruct(act.db, act.principal, act.task_id, body.text, expected_version=body.expected_version)
    return act.answer()
