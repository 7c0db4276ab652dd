"""Throwaway databases for the test suite and the benchmarks: create, empty, drop.

Never used by the application itself; kept in the package so tests and
`bench/` share one implementation instead of two copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from duban.db.base import Base
from duban.db.models.search import FTS_TABLE
from duban.db.session import make_engine

__all__ = ["create_postgres_database", "drop_postgres_database", "empty_tables", "postgres_or_skip"]


def _admin(admin_url: str) -> Engine:
    return make_engine(admin_url, isolation_level="AUTOCOMMIT")


def create_postgres_database(admin_url: str, name: str) -> Engine:
    """A new, empty database `name` (dropped first if left over), via the server at `admin_url`.

    Raises whatever the driver raises when the server cannot be reached; callers decide to skip or fail.
    """
    admin = _admin(admin_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_engine(make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_postgres_database(admin_url: str, engine: Engine) -> None:
    """Dispose `engine` and drop its database."""
    engine.dispose()
    admin = _admin(admin_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def empty_tables(engine: Engine) -> None:
    """Delete every row of every table, children first; PostgreSQL also restarts the id sequences."""
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f'DELETE FROM "{name}"'))
            # The search index's FTS5 table is not in the metadata (SQLite only, made by the migration).
            if inspect(conn).has_table(FTS_TABLE):
                conn.execute(text(f'DELETE FROM "{FTS_TABLE}"'))


@contextmanager
def postgres_or_skip(admin_url: str, name: str) -> Iterator[Engine | None]:
    """A scratch database `name` for a benchmark, dropped afterwards; None (with a printed reason)
    when the server cannot be reached, so the SQLite half of a benchmark still runs."""
    try:
        engine = create_postgres_database(admin_url, name)
    except Exception as exc:  # any connection failure means "no PostgreSQL here"
        print(
            f"PostgreSQL: skipped, not reachable at {admin_url} ({type(exc).__name__}: {exc})".splitlines()[0]
        )
        yield None
        return
    try:
        yield engine
    finally:
        drop_postgres_database(admin_url, engine)
