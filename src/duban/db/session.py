"""Engines and sessions. SQLite: WAL, foreign keys, busy timeout, BEGIN IMMEDIATE for writers.

The edge owns the transaction: `write_session` commits on success and rolls
back on any exception; services only flush. On SQLite a writer takes the
write lock at BEGIN, so two writers queue (busy timeout) instead of failing
half-way with a stale snapshot; readers (`read_session`) never take it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from duban.config import Settings, get_settings

__all__ = ["database_url", "get_engine", "make_engine", "read_session", "reset_engines", "write_session"]

SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(settings: Settings) -> str:
    """`DUBAN_DATABASE_URL`, or the SQLite file in the data folder."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(settings.data_dir / 'duban.db').resolve()}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **kwargs
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = "DEFERRED" if connection.get_execution_options().get("duban_readonly") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine_for(url: str) -> Engine:
    with _ENGINES_LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = make_engine(url)
        return _ENGINES[url]


def reset_engines() -> None:
    """Dispose and forget every engine `get_engine` made (after settings change, in tests, after fork)."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.dispose()


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the configured database."""
    return _engine_for(database_url(settings or get_settings()))


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A unit of work that commits when the block ends and rolls back if it raises."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for queries only; on SQLite it never takes the write lock."""
    readonly = engine.execution_options(duban_readonly=True)
    # Closing (not rolling back) ends the transaction and keeps loaded objects readable afterwards.
    with Session(readonly, expire_on_commit=False) as session:
        yield session
