"""A migrated SQLite database in a temporary folder that the `duban` CLI picks up from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from duban.config import get_settings
from duban.db import session as db_session
from duban.db.migrate import upgrade
from duban.db.session import make_engine


def _forget_cached(url: str | None) -> None:
    # get_settings and the engine factory are cached per process; a test's database must not leak.
    db_session.reset_engines()
    get_settings.cache_clear()


def point_cli_at(monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path) -> None:
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    monkeypatch.setenv("DUBAN_DATA_DIR", str(data_dir))
    _forget_cached(None)


@contextmanager
def migrated_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Yields an engine on `tmp_path/duban.db`, migrated; DUBAN_* point the CLI at it meanwhile."""
    url = f"sqlite:///{tmp_path / 'duban.db'}"
    point_cli_at(monkeypatch, url, tmp_path / "var")
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        _forget_cached(url)
