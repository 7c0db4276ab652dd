"""The CLI on a migrated SQLite database in a temporary folder, with a console wide enough not to wrap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from duban.cli import common
from tests.cli.sqlite_cli import migrated_sqlite


@pytest.fixture
def sqlite_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setattr(common.console, "width", 240)
    with migrated_sqlite(tmp_path, monkeypatch) as engine:
        yield engine
