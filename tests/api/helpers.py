"""Shared pieces of the API tests: the five callers of the authorization matrix, tasks in each state."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from duban import clock
from duban.db.models import Document, OwnerRole, Task
from duban.db.session import write_session
from tests.personas import World, add_task
from tests.webclient import ClientFactory

# Who asks, in every authorization matrix: the four personas and nobody.
CALLERS = ("supervisor", "unit_a", "unit_b", "leader", "anonymous")

PROBLEM = "application/problem+json"


def caller(client_for: ClientFactory, world: World, who: str, **kwargs: Any) -> TestClient:
    principal = {
        "supervisor": world.supervisor,
        "unit_a": world.unit_a_user,
        "unit_b": world.unit_b_user,
        "leader": world.leader,
        "anonymous": None,
    }[who]
    return client_for(principal, **kwargs)


def task_of_unit_a(
    engine: Engine,
    world: World,
    status: str = "in_progress",
    *,
    deadline: dt.date | None = None,
    text: str = "区财政局负责落实专项资金拨付工作。",
    **columns: Any,
) -> int:
    """A task whose lead unit is unit A (区财政局), with unit C supporting; its id."""
    with write_session(engine) as session:
        task = add_task(
            session,
            status=status,
            owners=[(world.unit_a, OwnerRole.LEAD), (world.unit_c, OwnerRole.SUPPORTING)],
            deadline=deadline or clock.today() + dt.timedelta(days=30),
            text=text,
        )
        for name, value in columns.items():
            setattr(task, name, value)
        return task.id


def task_row(engine: Engine, task_id: int) -> Task:
    with write_session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        session.expunge(task)
        return task


def is_problem(response: Any, status: int) -> bool:
    return bool(
        response.status_code == status
        and response.headers["content-type"].startswith(PROBLEM)
        and response.json()["detail"]
    )


def add_document(
    engine: Engine, *, title: str | None, text: str, filename: str = "通知.txt", status: str = "parsed"
) -> int:
    """A parsed document row (no original file): for search, people and task-source tests."""
    with write_session(engine) as session:
        digest = hashlib.sha256(f"{filename}{title}{text}".encode()).hexdigest()
        document = Document(
            sha256=digest,
            source_key=filename.lower(),
            filename=filename,
            stored_path=f"originals/{digest[:2]}/{digest}",
            size_bytes=len(text.encode()),
            status=status,
            text=text,
            title=title,
            created_at=clock.now(),
        )
        session.add(document)
        session.flush()
        return document.id
