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

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db.models import ExtensionRequest
from duban.errors import NotFound, Rejected
from duban.server.auth import CurrentUser, Viewer
from duban.server.db import AppSettings, WriteDb
from duban.server.templating import flash
from duban.server.uploads import read_attachments
from duban.web.task_forms import TaskForm, form_date, has_changes, task_changes
from duban.web.task_view import render_task
from duban.workflow import service
from duban.workflow.machine import load_task

router = APIRouter()

Version = Annotated[int, Form()]
LongText = Annotated[str, Form(max_length=20_000)]
OptionalText = Annotated[str, Form(max_length=20_000)]
Files = Annotated[list[UploadFile] | None, File()]
Rows = Annotated[list[str] | None, Form()]
ShortField = Annotated[str | None, Form(max_length=100)]


def _done(
    request: Request, db: Session, user: CurrentUser, settings: Settings, task_id: int, message: str
) -> Response:
    if request.headers.get("HX-Request"):
        return render_task(request, db, user, settings, task_id, notice=message)
    flash(request, message, "ok")
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


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
def confirm(
    request: Request, task_id: int, user: Viewer, db: WriteDb, settings: AppSettings, version: Version
) -> Response:
    service.confirm(db, user.principal, task_id, expected_version=version)
    return _done(request, db, user, settings, task_id, "已确认：该任务已与原文核对")


@router.post("/tasks/{task_id}/actions/edit")
def edit(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
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
    task = load_task(db, user.principal, task_id)
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
    service.edit(db, user.principal, task_id, changes, expected_version=version, reason=reason)
    return _done(request, db, user, settings, task_id, "修改已保存")


@router.post("/tasks/{task_id}/actions/assign")
def assign(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    owner_unit: Rows = None,
    owner_role: Rows = None,
    deadline: ShortField = None,
    deadline_workdays: ShortField = None,
    leader_name: ShortField = None,
) -> Response:
    task = load_task(db, user.principal, task_id)
    form = _form(None, owner_unit, owner_role, deadline, deadline_workdays, None, leader_name)
    service.assign(db, user.principal, task_id, task_changes(task, form), expected_version=version)
    return _done(request, db, user, settings, task_id, "已交办，责任单位将收到通知")


@router.post("/tasks/{task_id}/actions/acknowledge")
def acknowledge(
    request: Request, task_id: int, user: Viewer, db: WriteDb, settings: AppSettings, version: Version
) -> Response:
    service.acknowledge(db, user.principal, task_id, expected_version=version)
    return _done(request, db, user, settings, task_id, "已签收，任务进入办理中")


@router.post("/tasks/{task_id}/actions/report_progress")
def report_progress(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    text: LongText,
    files: Files = None,
) -> Response:
    attachments = read_attachments(files or [], settings.max_upload_bytes)
    service.report_progress(
        db,
        user.principal,
        task_id,
        text,
        attachments,
        attachments_dir=settings.data_dir / "attachments",
        expected_version=version,
    )
    return _done(request, db, user, settings, task_id, "进展已反馈")


@router.post("/tasks/{task_id}/actions/submit")
def submit(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    text: LongText,
    files: Files = None,
) -> Response:
    attachments = read_attachments(files or [], settings.max_upload_bytes)
    service.submit(
        db,
        user.principal,
        task_id,
        text,
        attachments,
        attachments_dir=settings.data_dir / "attachments",
        expected_version=version,
    )
    return _done(request, db, user, settings, task_id, "已申请办结，等待督查室验收")


@router.post("/tasks/{task_id}/actions/accept")
def accept(
    request: Request, task_id: int, user: Viewer, db: WriteDb, settings: AppSettings, version: Version
) -> Response:
    service.accept(db, user.principal, task_id, expected_version=version)
    return _done(request, db, user, settings, task_id, "已验收办结（销号）")


@router.post("/tasks/{task_id}/actions/return")
def return_task(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    reason: OptionalText = "",
) -> Response:
    service.return_task(db, user.principal, task_id, reason, expected_version=version)
    return _done(request, db, user, settings, task_id, "已退回责任单位")


@router.post("/tasks/{task_id}/actions/request_extension")
def request_extension(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    new_deadline: Annotated[str, Form(max_length=20)],
    reason: OptionalText = "",
) -> Response:
    date = form_date(new_deadline, "延期后的日期")
    if date is None:
        raise Rejected("请填写延期后的完成时限", "new deadline missing")
    service.request_extension(db, user.principal, task_id, date, reason, expected_version=version)
    return _done(request, db, user, settings, task_id, "延期申请已提交，等待督查室审批")


@router.post("/tasks/{task_id}/actions/decide_extension")
def decide_extension(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    extension_id: Annotated[int, Form()],
    decision: Annotated[Literal["approve", "refuse"], Form()],
    reason: OptionalText = "",
) -> Response:
    # The request must belong to the task in the URL, the one the user is looking at.
    load_task(db, user.principal, task_id)
    request_row = db.get(ExtensionRequest, extension_id)
    if request_row is None or request_row.task_id != task_id:
        raise NotFound(
            f"延期申请 {extension_id} 不存在", f"extension request {extension_id} not on task {task_id}"
        )
    approve = decision == "approve"
    service.decide_extension(db, user.principal, extension_id, approve, reason, expected_version=version)
    return _done(request, db, user, settings, task_id, "已批准延期" if approve else "已不予批准延期")


@router.post("/tasks/{task_id}/actions/remind")
def remind(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    message: OptionalText = "",
) -> Response:
    service.remind(db, user.principal, task_id, message, expected_version=version)
    return _done(request, db, user, settings, task_id, "已催办，责任单位将收到提醒")


@router.post("/tasks/{task_id}/actions/instruct")
def instruct(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    text: LongText,
) -> Response:
    service.instruct(db, user.principal, task_id, text, expected_version=version)
    return _done(request, db, user, settings, task_id, "批示已发送")


@router.post("/tasks/{task_id}/actions/cancel")
def cancel(
    request: Request,
    task_id: int,
    user: Viewer,
    db: WriteDb,
    settings: AppSettings,
    version: Version,
    reason: OptionalText = "",
) -> Response:
    service.cancel(db, user.principal, task_id, reason, expected_version=version)
    return _done(request, db, user, settings, task_id, "任务已撤销")
