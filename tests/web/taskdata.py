"""Tasks, documents and form posts for the ledger and task-page tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine

from duban import clock
from duban.db.models import Document, OwnerRole, Task
from duban.db.session import read_session, write_session
from tests.personas import add_task

__all__ = ["act", "add_document", "ledger_ids", "make_task", "task_row"]

_TASK_LINK = re.compile(r'<td class="tasktext"><a href="/tasks/(\d+)">')


def make_task(
    engine: Engine,
    text: str,
    *,
    status: str = "draft",
    owners: list[tuple[int, OwnerRole]] | None = None,
    deadline: dt.date | None = None,
    leader: str | None = None,
    document_id: int | None = None,
    span: tuple[int, int] | None = None,
) -> int:
    with write_session(engine) as session:
        task = add_task(session, status=status, owners=owners or [], deadline=deadline, text=text)
        task.leader_name = leader
        task.document_id = document_id
        if span:
            task.span_start, task.span_end = span
        session.flush()
        return task.id


def add_document(engine: Engine, text: str, title: str = "关于推进重点工作的会议纪要") -> int:
    with write_session(engine) as session:
        document = Document(
            sha256=hashlib.sha256(f"{title}\n{text}".encode()).hexdigest(),
            source_key=title,
            filename=f"{title}.txt",
            stored_path="originals/none",
            size_bytes=len(text.encode()),
            status="parsed",
            text=text,
            title=title,
            created_at=clock.now(),
        )
        session.add(document)
        session.flush()
        return document.id


def task_row(engine: Engine, task_id: int) -> Task:
    with read_session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def act(
    client: TestClient,
    task_id: int,
    action: str,
    engine: Engine,
    data: Mapping[str, object] | None = None,
    **kwargs: object,
) -> Response:
    """Post one action form, with the version the page would carry."""
    form = {"version": str(task_row(engine, task_id).version), **(data or {})}
    return client.post(f"/tasks/{task_id}/actions/{action}", data=form, **kwargs)  # type: ignore[arg-type]


def ledger_ids(html: str) -> list[int]:
    """The task ids of the ledger's rows, in order."""
    return [int(i) for i in _TASK_LINK.findall(html)]
