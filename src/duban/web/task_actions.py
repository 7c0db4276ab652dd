"""Every workflow action as a browser form post: POST /tasks/{id}/actions/{action}.

Each route parses its form, calls one service function with the version the
page was rendered at (a stale page gets the service's 409 message), and then
redirects back to the task page with a message; an htmx request instead gets
the re-rendered main block of the page, in the same transaction. Who may do
what is decided by the services alone (a unit user of another unit gets 404,
a leader 403 for anything but 批示), so these routes take any signed-in user.
File uploads are read synchronously, so the routes are plain `def`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db.repositories.task_detail import load_extension_request
from duban.errors import Rejected
from duban.server.auth import CurrentUser, Viewer
from duban.server.db import AppSettings, WriteDb
from duban.server.templating import flash
from duban.server.uploads import record_feedback
from duban.web.task_forms import TaskForm, form_date, has_changes, task_changes
from duban.web.task_view import render_task
from duban.workflow import service
from duban.workflow.machine import load_task
from duban.workflow.principal import Principal

router = APIRouter()

LongText = Annotated[str, Form(max_length=20_000)]
OptionalText = Annotated[str, Form(max_length=20_000)]
Files = Annotated[list[UploadFile] | None, File()]
Rows = Annotated[list[str] | None, Form()]
ShortField = Annotated[str | None, Form(max_length=100)]


@dataclass(frozen=True)
class Posted:
    """What every action post carries: the task, who posts, the page's version, and how to answer."""

    request: Request
    task_id: int
    user: CurrentUser
    db: Session
    settings: Settings
    version: int

    @property
    def principal(self) -> Principal:
        return self.user.principal

    def done(self, message: str) -> Response:
        if self.request.headers.get("HX-Request"):
            return render_task(self.request, self.db, self.user, self.settings, self.task_id, notice=message)
        flash(self.request, message, "ok")
        return RedirectResponse(f"/tasks/{self.task_id}", status_code=303)

    def feedback(self, text: str, files: list[UploadFile] | None, *, completion: bool) -> None:
        """反馈 or 申请办结: the text with the attached files, stored under the data directory."""
        record_feedback(
            self.db,
            self.principal,
            self.task_id,
            text,
            files or [],
            self.settings,
            completion=completion,
            expected_version=self.version,
        )


def _posted(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Annotated[int, Form()],
) -> Posted:
    return Posted(request, task_id, user, db, settings, version)


Post = Annotated[Posted, Depends(_posted)]


def _form(
    text: str | None,
    owner_unit: list[str] | None,
    owner_role: list[str] | None,
    deadline: str | None,
    deadline_workdays: str | None,
    start_date: str | None,
    leader_name: str | None,
    milestone_due: list[str] | None = None,
    milestone_text: list[str] | None = None,
) -> TaskForm:
    """Owner and milestone rows count only when the form carried them (a blank row still posts "")."""
    return TaskForm(
        text=text,
        owner_unit=owner_unit or [],
        owner_role=owner_role or [],
        owners_given=owner_unit is not None,
        deadline=deadline,
        deadline_workdays=deadline_workdays,
        start_date=start_date,
        leader_name=leader_name,
        milestone_due=milestone_due or [],
        milestone_text=milestone_text or [],
        milestones_given=milestone_due is not None,
    )


@router.post("/tasks/{task_id}/actions/confirm")
def confirm(post: Post) -> Response:
    service.confirm(post.db, post.principal, post.task_id, expected_version=post.version)
    return post.done("已确认：该任务已与原文核对")


@router.post("/tasks/{task_id}/actions/edit")
def edit(
    post: Post,
    text: LongText,
    owner_unit: Rows = None,
    owner_role: Rows = None,
    deadline: ShortField = None,
    deadline_workdays: ShortField = None,
    start_date: ShortField = None,
    leader_name: ShortField = None,
    milestone_due: Rows = None,
    milestone_text: Rows = None,
    reason: OptionalText = "",
) -> Response:
    task = load_task(post.db, post.principal, post.task_id)
    form = _form(
        text,
        owner_unit,
        owner_role,
        deadline,
        deadline_workdays,
        start_date,
        leader_name,
        milestone_due,
        milestone_text,
    )
    changes = task_changes(task, form)
    if not has_changes(changes):
        raise Rejected("没有需要保存的修改", "nothing changed")
    service.edit(post.db, post.principal, post.task_id, changes, expected_version=post.version, reason=reason)
    return post.done("修改已保存")


@router.post("/tasks/{task_id}/actions/assign")
def assign(
    post: Post,
    owner_unit: Rows = None,
    owner_role: Rows = None,
    deadline: ShortField = None,
    deadline_workdays: ShortField = None,
    leader_name: ShortField = None,
) -> Response:
    task = load_task(post.db, post.principal, post.task_id)
    form = _form(None, owner_unit, owner_role, deadline, deadline_workdays, None, leader_name)
    changes = task_changes(task, form)
    service.assign(post.db, post.principal, post.task_id, changes, expected_version=post.version)
    return post.done("已交办，责任单位将收到通知")


@router.post("/tasks/{task_id}/actions/acknowledge")
def acknowledge(post: Post) -> Response:
    service.acknowledge(post.db, post.principal, post.task_id, expected_version=post.version)
    return post.done("已签收，任务进入办理中")


@router.post("/tasks/{task_id}/actions/report_progress")
def report_progress(post: Post, text: LongText, files: Files = None) -> Response:
    post.feedback(text, files, completion=False)
    return post.done("进展已反馈")


@router.post("/tasks/{task_id}/actions/submit")
def submit(post: Post, text: LongText, files: Files = None) -> Response:
    post.feedback(text, files, completion=True)
    return post.done("已申请办结，等待督查室验收")


@router.post("/tasks/{task_id}/actions/accept")
def accept(post: Post) -> Response:
    service.accept(post.db, post.principal, post.task_id, expected_version=post.version)
    return post.done("已验收办结（销号）")


@router.post("/tasks/{task_id}/actions/return")
def return_task(post: Post, reason: OptionalText = "") -> Response:
    service.return_task(post.db, post.principal, post.task_id, reason, expected_version=post.version)
    return post.done("已退回责任单位")


@router.post("/tasks/{task_id}/actions/request_extension")
def request_extension(
    post: Post, new_deadline: Annotated[str, Form(max_length=20)], reason: OptionalText = ""
) -> Response:
    date = form_date(new_deadline, "延期后的日期")
    if date is None:
        raise Rejected("请填写延期后的完成时限", "new deadline missing")
    service.request_extension(
        post.db, post.principal, post.task_id, date, reason, expected_version=post.version
    )
    return post.done("延期申请已提交，等待督查室审批")


@router.post("/tasks/{task_id}/actions/decide_extension")
def decide_extension(
    post: Post,
    extension_id: Annotated[int, Form()],
    decision: Annotated[Literal["approve", "refuse"], Form()],
    reason: OptionalText = "",
) -> Response:
    # The request must belong to the task in the URL, the one the user is looking at.
    load_extension_request(post.db, post.principal, post.task_id, extension_id)
    approve = decision == "approve"
    service.decide_extension(
        post.db, post.principal, extension_id, approve, reason, expected_version=post.version
    )
    return post.done("已批准延期" if approve else "已不予批准延期")


@router.post("/tasks/{task_id}/actions/remind")
def remind(post: Post, message: OptionalText = "") -> Response:
    service.remind(post.db, post.principal, post.task_id, message, expected_version=post.version)
    return post.done("已催办，责任单位将收到提醒")


@router.post("/tasks/{task_id}/actions/instruct")
def instruct(post: Post, text: LongText) -> Response:
    service.instruct(post.db, post.principal, post.task_id, text, expected_version=post.version)
    return post.done("批示已发送")


@router.post("/tasks/{task_id}/actions/cancel")
def cancel(post: Post, reason: OptionalText = "") -> Response:
    service.cancel(post.db, post.principal, post.task_id, reason, expected_version=post.version)
    return post.done("任务已撤销")
