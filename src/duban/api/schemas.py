"""Response models of the task endpoints: what a client sees of a task, its records and the ledger page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from duban.db.models import OwnerRole
from duban.workflow.states import Action, ExtensionState, State
from duban.workflow.warnings import Light


class OwnerOut(BaseModel):
    unit_id: int
    unit_name: str
    role: OwnerRole = Field(description="lead 牵头 / responsible 责任 / supporting 配合")
    role_label: str


class MilestoneOut(BaseModel):
    id: int
    due: dt.date
    text: str
    done_at: dt.datetime | None


class ActionOut(BaseModel):
    action: Action
    label: str
    path: str = Field(description="POST 到此路径执行该操作（审批延期的路径中 {request_id} 换成延期申请编号）")


class TaskSummaryOut(BaseModel):
    """One line of the ledger."""

    id: int
    text: str
    status: State
    status_label: str
    light: Light = Field(description="red 逾期 / yellow 临期 / green 正常 / none 已关闭")
    light_label: str
    deadline: dt.date | None
    deadline_confirmed: bool = Field(description="false：期限按周一至周五推算，节假日安排尚未公布")
    lead_unit: str | None
    units: list[str]
    leader_name: str | None
    document_id: int | None
    version: int = Field(description="乐观锁版本号：修改时作为 expected_version 传回")
    updated_at: dt.datetime


class TaskPageOut(BaseModel):
    items: list[TaskSummaryOut]
    total: int
    page: int
    per_page: int
    pages: int


class SourceOut(BaseModel):
    document_id: int
    document_title: str | None
    filename: str
    span_start: int | None
    span_end: int | None
    sentence: str | None = Field(description="任务所出自的原文句子")


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size_bytes: int
    media_type: str
    sha256: str
    url: str


class ProgressReportOut(BaseModel):
    id: int
    text: str
    is_completion: bool = Field(description="true：随申请办结提交的完成情况")
    unit_id: int | None
    unit_name: str | None
    author: str | None
    created_at: dt.datetime
    attachments: list[AttachmentOut]


class ExtensionRequestOut(BaseModel):
    id: int
    state: ExtensionState
    state_label: str
    unit_id: int | None
    old_deadline: dt.date | None
    new_deadline: dt.date
    reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str | None


class InstructionOut(BaseModel):
    id: int
    text: str
    author: str | None
    created_at: dt.datetime


class TaskOut(TaskSummaryOut):
    """A task with everything on record about it, and what the asking user may do to it."""

    kind: str
    confirmed: bool = Field(description="督查室是否已对照原文确认")
    start_date: dt.date | None
    deadline_workdays: int | None = Field(description="按工作日计算的期限天数（如有）")
    deadline_from: dt.date | None
    recurrence: str | None
    amount_yuan: float | None
    owners: list[OwnerOut]
    milestones: list[MilestoneOut]
    source: SourceOut | None
    progress_reports: list[ProgressReportOut]
    extension_requests: list[ExtensionRequestOut]
    instructions: list[InstructionOut]
    actions: list[ActionOut] = Field(description="当前用户对此任务可执行的操作")
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    submitted_at: dt.datetime | None
    done_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class AuditEventOut(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


class ProblemOut(BaseModel):
    """Every error (RFC 9457 problem+json): `detail` is the message to show a user, in Chinese."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="机器可读的错误代码，如 not_found、conflict、validation_error")
    detail_en: str | None = None
    errors: list[dict[str, str]] | None = Field(default=None, description="格式错误时：逐项的字段与原因")


def problem_response(description: str) -> dict[str, Any]:
    return {"model": ProblemOut, "description": description, "content": {"application/problem+json": {}}}


# The errors every endpoint may answer with, for the OpenAPI document.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: problem_response("未登录：须带会话 Cookie 或 Bearer 令牌"),
    403: problem_response("无权执行此操作，或缺少 CSRF 令牌"),
    404: problem_response("不存在，或对当前用户不可见（他单位的任务）"),
    409: problem_response("已被他人修改（expected_version 过期）或当前状态不允许"),
    422: problem_response("提交的内容格式不正确或不被接受"),
}

# Uploads can also be refused for their files.
UPLOAD_PROBLEMS: dict[int | str, dict[str, Any]] = {
    413: problem_response("文件超过大小上限"),
    415: problem_response("不支持的文件格式"),
}
