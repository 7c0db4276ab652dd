"""Reviewing a document's draft tasks: confirm, edit, merge, split, reject, then assign them in one go.

Every action works with htmx (one draft card, or the list of drafts when
their number changes, is swapped in place) and as a plain form post that
redirects back to the page with a message. On a plain post a refused action
is rolled back to its savepoint and shown as a message on the page; under
htmx it propagates, so the whole request rolls back and the message lands in
the page's flash area.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from duban.db.models import Document, OwnerRole, Task
from duban.db.repositories import documents as document_repo
from duban.db.repositories import units as unit_repo
from duban.db.repositories.documents import get_document
from duban.errors import DomainError, NotFound, Rejected
from duban.server.auth import CurrentUser, Supervisor
from duban.server.db import ReadDb, WriteDb
from duban.server.templating import flash, render
from duban.web.documents import DocumentReader
from duban.web.task_forms import form_date
from duban.workflow import drafts, service
from duban.workflow.machine import MAX_TEXT, load_task
from duban.workflow.principal import Principal
from duban.workflow.service import OwnerIn, TaskChanges
from duban.workflow.states import State

router = APIRouter()

KINDS = {
    "decision": "会议决定",
    "requirement": "工作要求",
    "rule": "常规职责",
    "target": "目标任务",
    "imported": "台账导入",
}
OWNER_ROLES = [r.value for r in OwnerRole]
_NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")


def _context(session: Session, document: Document, user: CurrentUser) -> dict[str, Any]:
    tasks = document_repo.document_tasks(session, document.id)
    pending = [t for t in tasks if t.status == State.DRAFT.value]
    text = document.text or ""
    sources = {
        t.id: text[t.span_start : t.span_end]
        for t in pending
        if t.span_start is not None and t.span_end is not None and 0 <= t.span_start < t.span_end <= len(text)
    }
    new_units = document_repo.new_units(session, document)
    return {
        "document": document,
        "drafts": pending,
        "confirmed": sum(t.confirmed for t in pending),
        "handed_over": sum(t.status not in (State.DRAFT.value, State.CANCELLED.value) for t in tasks),
        "sources": sources,
        "sentences": {t.id: "\n".join(drafts.split_sentences(t.text)) for t in pending},
        "new_units": new_units,
        "new_unit_ids": {u.id for u in new_units},
        "unit_names": [u.name for u in unit_repo.list_units(session)],
        "kinds": KINDS,
        "owner_roles": OWNER_ROLES,
        "can_edit": user.is_supervisor,
        "notice": None,
    }


@router.get("/documents/{document_id}/review")
def review_page(request: Request, document_id: int, user: DocumentReader, db: ReadDb) -> Response:
    document = get_document(db, document_id)
    return render(request, "review.html", _context(db, document, user))


def _draft_of(session: Session, user: CurrentUser, document_id: int, task_id: int) -> Task:
    task = load_task(session, user.principal, task_id)
    if task.document_id != document_id:
        raise NotFound(f"任务 {task_id} 不属于文件 {document_id}", f"task {task_id} not in document")
    return task


def _respond(
    request: Request,
    session: Session,
    user: CurrentUser,
    document_id: int,
    action: Callable[[], str],
    *,
    row: int | None = None,
) -> Response:
    """Run `action`; answer htmx with the changed card (`row`) or the drafts list, a form post with a redirect."""
    document = get_document(session, document_id)
    if not request.headers.get("HX-Request"):
        try:
            with session.begin_nested():
                message = action()
        except DomainError as exc:
            flash(request, exc.message_zh, "error")
        else:
            flash(request, message)
        return RedirectResponse(f"/documents/{document_id}/review", status_code=303)
    message = action()
    context = _context(session, document, user)
    if row is not None:
        task = next((t for t in context["drafts"] if t.id == row), None)
        if task is not None:
            return render(request, "documents/draft.html", {**context, "task": task, "row_notice": message})
    return render(request, "review.html", {**context, "notice": message}, block="drafts")


@dataclass(frozen=True)
class DraftPost:
    """A post about one draft of the document in the URL, with the version its card was rendered at."""

    request: Request
    document_id: int
    task_id: int
    user: CurrentUser
    db: Session
    version: int | None

    @property
    def principal(self) -> Principal:
        return self.user.principal

    def draft(self) -> Task:
        """The draft, checked to be this document's (NotFound otherwise)."""
        return _draft_of(self.db, self.user, self.document_id, self.task_id)

    def respond(self, action: Callable[[], str], *, row: bool = False) -> Response:
        """Run `action` (see `_respond`); `row` answers htmx with just this draft's card."""
        row_id = self.task_id if row else None
        return _respond(self.request, self.db, self.user, self.document_id, action, row=row_id)


def _draft_post(
    request: Request,
    document_id: int,
    task_id: int,
    user: Supervisor,
    db: WriteDb,
    version: Annotated[int | None, Form()] = None,
) -> DraftPost:
    return DraftPost(request, document_id, task_id, user, db, version)


Draft = Annotated[DraftPost, Depends(_draft_post)]


@router.post("/documents/{document_id}/review/{task_id}/confirm")
def confirm_draft(post: Draft) -> Response:
    def action() -> str:
        post.draft()
        service.confirm(post.db, post.principal, post.task_id, expected_version=post.version)
        return f"任务{post.task_id}已确认"

    return post.respond(action, row=True)


def _owners(
    session: Session, units: list[int], roles: list[str], added: str, added_role: str
) -> list[OwnerIn]:
    """The owner rows of the edit form, then the unit names typed in to add."""
    try:
        owners = [OwnerIn(u, OwnerRole(r)) for u, r in zip(units, roles, strict=True) if r != "remove"]
        role = OwnerRole(added_role)
    except ValueError as exc:
        raise Rejected("单位角色不正确", "unknown owner role") from exc
    for name in _NAME_SEPARATORS.split(added):
        if name:
            owners.append(OwnerIn(unit_repo.require(session, name).id, role))
    return owners


@router.post("/documents/{document_id}/review/{task_id}/edit")
def edit_draft(
    post: Draft,
    text: Annotated[str, Form(max_length=MAX_TEXT)],
    deadline: Annotated[str, Form(max_length=20)] = "",
    owner_unit: Annotated[list[int] | None, Form()] = None,
    owner_role: Annotated[list[str] | None, Form()] = None,
    new_owner: Annotated[str, Form(max_length=2000)] = "",
    new_owner_role: Annotated[str, Form(max_length=20)] = OwnerRole.RESPONSIBLE.value,
) -> Response:
    def action() -> str:
        task = post.draft()
        due = form_date(deadline, "完成时限")
        changes = TaskChanges(
            text=text,
            owners=_owners(post.db, owner_unit or [], owner_role or [], new_owner, new_owner_role),
            deadline=due,
            clear_deadline=due is None and task.deadline is not None,
        )
        service.edit(post.db, post.principal, post.task_id, changes, expected_version=post.version)
        return f"任务{post.task_id}已修改"

    return post.respond(action, row=True)


@router.post("/documents/{document_id}/review/{task_id}/split")
def split_draft(
    post: Draft,
    mode: Annotated[str, Form(max_length=20)] = "lines",
    lines: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    def action() -> str:
        post.draft()
        parts = None if mode == "sentences" else lines.splitlines()
        tasks = drafts.split(post.db, post.principal, post.task_id, parts, expected_version=post.version)
        return f"任务{post.task_id}已拆分为{len(tasks)}条"

    return post.respond(action)


@router.post("/documents/{document_id}/review/{task_id}/reject")
def reject_draft(
    post: Draft,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    def action() -> str:
        post.draft()
        drafts.reject(post.db, post.principal, post.task_id, reason, expected_version=post.version)
        return f"任务{post.task_id}已剔除"

    return post.respond(action)


def _selection(values: list[str]) -> dict[int, int]:
    """Checkbox values `id:version` → {id: version}."""
    selected = {}
    for value in values:
        task_id, _, version = value.partition(":")
        if not task_id.isdigit() or not version.isdigit():
            raise Rejected("选择的任务不正确，请刷新页面后重试", f"bad selection {value!r}")
        selected[int(task_id)] = int(version)
    return selected


@router.post("/documents/{document_id}/review/merge")
def merge_drafts(
    request: Request,
    document_id: int,
    user: Supervisor,
    db: WriteDb,
    task_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    def action() -> str:
        selected = _selection(task_ids or [])
        for task_id in selected:
            _draft_of(db, user, document_id, task_id)
        kept = drafts.merge(db, user.principal, list(selected), expected_versions=selected)
        return f"已将{len(selected)}条任务合并为任务{kept.id}"

    return _respond(request, db, user, document_id, action)


@router.post("/documents/{document_id}/review/assign")
def assign_confirmed(request: Request, document_id: int, user: Supervisor, db: WriteDb) -> Response:
    """交办 every confirmed draft; each refusal is reported with its reason, the rest still go out."""
    get_document(db, document_id)
    report = drafts.assign_all(db, user.principal, document_id)
    if report.assigned:
        flash(request, f"已交办{len(report.assigned)}条任务，责任单位将收到通知")
    for failure in report.failed:
        flash(request, f"任务{failure.task_id}（{failure.text}）未交办：{failure.message}", "error")
    if report.unconfirmed:
        flash(request, f"还有{report.unconfirmed}条任务未确认，未交办", "info")
    if not (report.assigned or report.failed or report.unconfirmed):
        flash(request, "没有可交办的任务", "info")
    return RedirectResponse(f"/documents/{document_id}/review", status_code=303)
