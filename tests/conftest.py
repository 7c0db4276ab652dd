"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, emptied after every test.

Every test that takes `engine` (or `db`) runs once per database. Each pytest
process gets its own SQLite file and its own PostgreSQL database, migrated
once; tests commit for real (concurrency and crash tests need that) and the
tables are emptied afterwards.

`DUBAN_TEST_DATABASES=sqlite` limits a local run to SQLite. In CI
(`CI=true`) an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from duban.db.migrate import upgrade
from duban.db.scratch import create_postgres_database, drop_postgres_database, empty_tables
from duban.db.session import make_engine

PG_ADMIN_URL = os.environ.get("DUBAN_TEST_PG_URL", "postgresql://root@127.0.0.1:5432/test")
DATABASES = [d for d in os.environ.get("DUBAN_TEST_DATABASES", "sqlite,postgresql").split(",") if d]


def _postgres_engine() -> Iterator[Engine]:
    """A fresh database per test process (pid in the name: parallel runs never share one), dropped after."""
    try:
        engine = create_postgres_database(PG_ADMIN_URL, f"duban_test_{os.getpid()}")
    except Exception as exc:  # any connection failure means "no PostgreSQL here"
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    try:
        yield engine
    finally:
        drop_postgres_database(PG_ADMIN_URL, engine)


@pytest.fixture(scope="session", params=DATABASES)
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "duban.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated, empty database; emptied again after the test."""
    yield migrated_engine
    empty_tables(migrated_engine)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work the test commits or not; what it leaves is emptied afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


from tests.integrations.servers import robot  # noqa: E402, F401 - a robot webhook server on 127.0.0.1
from tests.personas import world  # noqa: E402, F401 - a fixture, shared by every test module
from tests.webclient import client_for, web_app  # noqa: E402, F401 - fixtures for the web and API tests
