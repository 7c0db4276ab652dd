"""The responsible unit's side of a task: progress reports (反馈), 申请办结, and extensions (延期).

Each function is one user action on the shared compare-and-swap machinery
(`machine.begin` → `swap` → `finish`); rows it adds (report, attachments,
extension request) and outbox messages join the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import Attachment, ExtensionRequest, ProgressReport, Task
from duban.errors import Conflict, NotFound, Rejected
from duban.search.index import index_report
from duban.storage import keep_bytes
from duban.workflow import notify
from duban.workflow.deadlines import Deadline, deadline_columns
from duban.workflow.machine import begin, check_text, finish, snapshot, summary, swap, tell_owners
from duban.workflow.notify import MessageKind
from duban.workflow.principal import Principal
from duban.workflow.states import Action, ExtensionAction, ExtensionState, check_extension, require_reason

__all__ = [
    "AttachmentIn",
    "decide_extension",
    "report_progress",
    "request_extension",
    "submit",
]


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    data: bytes
    media_type: str = "application/octet-stream"


def _add_report(
    session: Session,
    principal: Principal,
    task: Task,
    text: str,
    attachments: Sequence[AttachmentIn],
    attachments_dir: Path | None,
    *,
    completion: bool,
) -> ProgressReport:
    report = ProgressReport(
        task_id=task.id,
        user_id=principal.user_id,
        unit_id=principal.unit_id,
        text=check_text(text),
        is_completion=completion,
        created_at=clock.now(),
    )
    for item in attachments:
        if attachments_dir is None:
            raise Rejected("未配置附件存储目录", "no attachment folder configured")
        name = Path(item.filename).name.strip()
        if not name or not item.data:
            raise Rejected(f"附件“{item.filename}”为空", f"attachment {item.filename!r} is empty")
        kept = keep_bytes(attachments_dir, item.data)
        report.attachments.append(
            Attachment(
                filename=name,
                sha256=kept.sha256,
                stored_path=str(kept.path.resolve()),
                size_bytes=kept.size,
                media_type=item.media_type,
            )
        )
    session.add(report)
    session.flush()
    index_report(session, report.id)
    return report


def report_progress(
    session: Session,
    principal: Principal,
    task_id: int,
    text: str,
    attachments: Sequence[AttachmentIn] = (),
    *,
    attachments_dir: Path | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """反馈: a progress report, with files; the task's state stays."""
    task, _, _ = begin(session, principal, task_id, Action.REPORT_PROGRESS, expected_version)
    before = snapshot(task)
    swap(session, task, None)
    report = _add_report(session, principal, task, text, attachments, attachments_dir, completion=False)
    note = {"progress_report": report.id, "attachments": [a.filename for a in report.attachments]}
    finish(session, principal, task, Action.REPORT_PROGRESS, before, None, note=note)
    return report


def submit(
    session: Session,
    principal: Principal,
    task_id: int,
    text: str,
    attachments: Sequence[AttachmentIn] = (),
    *,
    attachments_dir: Path | None = None,
    expected_version: int | None = None,
) -> Task:
    """申请办结: the unit says it is done and says what was done."""
    task, transition, _ = begin(session, principal, task_id, Action.SUBMIT, expected_version)
    before = snapshot(task)
    swap(session, task, transition.to_state, submitted_at=clock.now())
    report = _add_report(session, principal, task, text, attachments, attachments_dir, completion=True)
    notify.enqueue(
        session,
        MessageKind.SUBMITTED,
        f"【待验收】{summary(task, 30)}",
        f"责任单位已申请办结：{summary(task, 200)}",
        task_id=task.id,
    )
    return finish(session, principal, task, Action.SUBMIT, before, None, note={"progress_report": report.id})


def request_extension(
    session: Session,
    principal: Principal,
    task_id: int,
    new_deadline: dt.date,
    reason: str | None,
    *,
    expected_version: int | None = None,
) -> ExtensionRequest:
    task, _, text = begin(session, principal, task_id, Action.REQUEST_EXTENSION, expected_version, reason)
    pending = session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.task_id == task.id, ExtensionRequest.state == ExtensionState.REQUESTED.value
        )
    )
    if pending is not None:
        raise Conflict("该任务已有待审批的延期申请", f"extension request {pending} is still pending")
    if task.deadline is not None and new_deadline <= task.deadline:
        raise Rejected("延期后的日期须晚于原完成时限", "the new deadline must be after the current one")
    if new_deadline < clock.today():
        raise Rejected("延期后的日期不能早于今天", "the new deadline is in the past")
    before = snapshot(task)
    swap(session, task, None)
    request = ExtensionRequest(
        task_id=task.id,
        requested_by_id=principal.user_id,
        unit_id=principal.unit_id,
        old_deadline=task.deadline,
        new_deadline=new_deadline,
        reason=text or "",
        state=ExtensionState.REQUESTED.value,
        created_at=clock.now(),
    )
    session.add(request)
    session.flush()
    notify.enqueue(
        session,
        MessageKind.EXTENSION,
        f"【延期申请】{summary(task, 30)}",
        f"申请将完成时限延至{new_deadline:%Y年%-m月%-d日}，理由：{text}",
        task_id=task.id,
        payload={"extension_request": request.id},
    )
    note = {"extension_request": request.id, "requested_deadline": new_deadline}
    finish(session, principal, task, Action.REQUEST_EXTENSION, before, text, note=note)
    return request


def decide_extension(
    session: Session,
    principal: Principal,
    request_id: int,
    approve: bool,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """Approve (the deadline moves, on record) or refuse (with a reason) one pending request."""
    request = session.get(ExtensionRequest, request_id)
    if request is None:
        raise NotFound(f"延期申请 {request_id} 不存在", f"extension request {request_id} not found")
    task, _, _ = begin(session, principal, request.task_id, Action.DECIDE_EXTENSION, expected_version)
    action = ExtensionAction.APPROVE if approve else ExtensionAction.REFUSE
    ext = check_extension(action, ExtensionState(request.state), principal.role_for(task.unit_ids()))
    text = require_reason(ext, reason)
    before = snapshot(task)
    values = deadline_columns(Deadline(request.new_deadline)) if approve else {}
    swap(session, task, None, **values)
    request.state = ext.to_state.value
    request.decided_by_id = principal.user_id
    request.decided_at = clock.now()
    request.decision_reason = text
    verdict = f"已批准，完成时限调整为{request.new_deadline:%Y年%-m月%-d日}" if approve else f"未批准：{text}"
    tell_owners(
        session,
        task,
        MessageKind.EXTENSION,
        "延期审批",
        f"延期申请{verdict}",
        payload={"extension_request": request.id, "approved": approve},
    )
    note = {"extension_request": request.id, "decision": ext.to_state.value}
    finish(session, principal, task, Action.DECIDE_EXTENSION, before, text, note=note)
    return request
