"""Database sessions per request. The edge owns the transaction.

`ReadDb` is a query-only session. `WriteDb` commits when the route
function returns and rolls back if it raises; its scope is the function,
so a failed commit becomes the response instead of arriving after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db.session import read_session, write_session
from duban.server.state import app_state


def _read_db(request: Request) -> Iterator[Session]:
    with read_session(app_state(request).engine) as session:
        yield session


def _write_db(request: Request) -> Iterator[Session]:
    with write_session(app_state(request).engine) as session:
        yield session


def _settings(request: Request) -> Settings:
    return app_state(request).settings


ReadDb = Annotated[Session, Depends(_read_db)]
WriteDb = Annotated[Session, Depends(_write_db, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]
