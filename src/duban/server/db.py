"""Database sessions per request. The edge owns the transaction.

`ReadDb` is a query-only session. `WriteDb` commits when the route
function returns and rolls back if it raises; its scope is the function,
so a failed commit becomes the response instead of arriving after it.

The dependencies are async on purpose. A session takes its connection
lazily, in the route's worker thread, and gives it back when the session
closes. Closing in the event loop (a commit or rollback: milliseconds)
means returning a connection never waits for a free worker thread; with
sync generators, threads blocked on an exhausted connection pool could
hold every worker thread while the sessions that would free a connection
wait for one: a deadlock under load (FastAPI discussion #6628).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db.session import read_session, write_session
from duban.server.state import app_state


async def _read_db(request: Request) -> AsyncIterator[Session]:
    with read_session(app_state(request).engine) as session:
        yield session


async def _write_db(request: Request) -> AsyncIterator[Session]:
    with write_session(app_state(request).engine) as session:
        yield session


def _settings(request: Request) -> Settings:
    return app_state(request).settings


ReadDb = Annotated[Session, Depends(_read_db)]
WriteDb = Annotated[Session, Depends(_write_db, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]
