"""Rendering the task page from its data: shared by the page itself and the actions' htmx replies."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import OwnerRole
from duban.db.repositories.ledger_choices import all_units
from duban.db.repositories.task_detail import TaskDetail, load_detail
from duban.server.auth import CurrentUser
from duban.server.templating import render
from duban.web.task_history import history_lines
from duban.workflow.states import Action

__all__ = ["MAIN_BLOCK", "offered_actions", "render_task"]


MAIN_BLOCK = "task_main"
# Blank rows offered under the existing ones, for adding owners and milestones without JavaScript.
BLANK_ROWS = 2


def offered_actions(detail: TaskDetail) -> list[Action]:
    """The allowed actions worth a form: 确认 stays allowed on a confirmed draft, and 审批延期 on a
    task with no pending request, but neither has anything to act on then."""
    skip = set()
    if detail.task.confirmed:
        skip.add(Action.CONFIRM)
    if not detail.pending_extensions:
        skip.add(Action.DECIDE_EXTENSION)
    return [a for a in detail.actions if a not in skip]


def render_task(
    request: Request,
    session: Session,
    user: CurrentUser,
    settings: Settings,
    task_id: int,
    *,
    notice: str | None = None,
) -> Response:
    """The whole page, or (with `notice`, after an htmx action) only its main block and the message."""
    detail = load_detail(session, user.principal, task_id, clock.today(), settings.near_due_workdays)
    needs_units = Action.EDIT in detail.actions or Action.ASSIGN in detail.actions
    context: dict[str, Any] = {
        "offered": offered_actions(detail),
        "detail": detail,
        "task": detail.task,
        "history": history_lines(detail.history),
        "units": all_units(session) if needs_units else [],
        "owner_roles": list(OwnerRole),
        "blank_rows": range(BLANK_ROWS),
        "notice": notice,
    }
    return render(request, "task.html", context, block=MAIN_BLOCK if notice else None)
