"""The task page (GET /tasks/{id}) and its attachment downloads; the action posts are in task_actions.

A unit user asking for another unit's task, or for a file of one, gets the
same 404 as for a task that does not exist.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from duban.db.repositories.task_detail import load_attachment
from duban.errors import NotFound
from duban.server.auth import Viewer
from duban.server.db import AppSettings, ReadDb
from duban.web import task_actions
from duban.web.task_view import render_task

router = APIRouter()
# The action posts live in their own module; this router is the one the web app includes.
router.include_router(task_actions.router)


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: int, user: Viewer, db: ReadDb, settings: AppSettings) -> Response:
    return render_task(request, db, user, settings, task_id)


@router.get("/tasks/{task_id}/attachments/{attachment_id}")
def attachment_download(task_id: int, attachment_id: int, user: Viewer, db: ReadDb) -> Response:
    attachment = load_attachment(db, user.principal, task_id, attachment_id)
    path = Path(attachment.stored_path)
    if not path.is_file():
        raise NotFound(
            f"附件“{attachment.filename}”的文件已丢失，请联系督查室", f"attachment file missing: {path}"
        )
    # Always a download, never shown inline: the bytes came from a user.
    return FileResponse(
        path,
        media_type=attachment.media_type or "application/octet-stream",
        filename=attachment.filename,
        content_disposition_type="attachment",
    )
