"""消息 (the in-app inbox): every user's notifications, newest first, unread in bold; mark read.

The top bar loads a small badge (`/inbox/badge`, htmx on page load) with
the unread count, and for supervisors the number of notifications that
could not be sent, so ordinary pages pay nothing for it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from duban.db.repositories import inbox as inbox_repo
from duban.db.repositories.notify import count_deliveries
from duban.server.auth import Viewer
from duban.server.db import ReadDb, WriteDb
from duban.server.templating import flash, render
from duban.workflow.notify import MessageKind

router = APIRouter(prefix="/inbox")

PER_PAGE = 20


def _kind_label(kind: str) -> str:
    try:
        return MessageKind(kind).label
    except ValueError:
        return kind


def _back(unread: bool, page: int = 1) -> str:
    params = [p for p in ("unread=1" if unread else "", f"page={page}" if page > 1 else "") if p]
    return "/inbox" + ("?" + "&".join(params) if params else "")


@router.get("")
def inbox_page(
    request: Request,
    user: Viewer,
    db: ReadDb,
    unread: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    principal = user.principal
    context = {
        "page": inbox_repo.inbox_page(db, principal, unread_only=unread, page=page, per_page=PER_PAGE),
        "unread": unread,
        "unread_count": inbox_repo.unread_count(db, principal),
        "cap": inbox_repo.UNREAD_CAP,
        "kind_label": _kind_label,
        "back": _back(unread, page),
    }
    return render(request, "inbox.html", context)


@router.get("/badge")
def inbox_badge(request: Request, user: Viewer, db: ReadDb) -> Response:
    context = {
        "unread_count": inbox_repo.unread_count(db, user.principal),
        "cap": inbox_repo.UNREAD_CAP,
        "failed": count_deliveries(db, "failed") if user.is_supervisor else 0,
    }
    return render(request, "partials/inbox_badge.html", context)


def _safe_back(back: str) -> str:
    """Only back to an inbox page: a posted `back` must not send the user elsewhere."""
    return back if back.startswith("/inbox") and "//" not in back and "\\" not in back else "/inbox"


@router.post("/read-all")
def read_all(
    request: Request, user: Viewer, db: WriteDb, back: Annotated[str, Form(max_length=200)] = "/inbox"
) -> Response:
    marked = inbox_repo.mark_all_read(db, user.principal)
    flash(request, f"已将 {marked} 条消息标为已读" if marked else "没有未读消息")
    return RedirectResponse(_safe_back(back), status_code=303)


@router.post("/{message_id}/read")
def read_one(
    message_id: int,
    user: Viewer,
    db: WriteDb,
    back: Annotated[str, Form(max_length=200)] = "/inbox",
) -> Response:
    inbox_repo.mark_read(db, user.principal, message_id)
    return RedirectResponse(_safe_back(back), status_code=303)


@router.post("/{message_id}/open")
def open_one(message_id: int, user: Viewer, db: WriteDb) -> Response:
    """Open a message: it is read now; go to its task (or back to the inbox if it has none)."""
    item = inbox_repo.mark_read(db, user.principal, message_id)
    target = f"/tasks/{item.task_id}" if item.task_id is not None else "/inbox"
    return RedirectResponse(target, status_code=303)
