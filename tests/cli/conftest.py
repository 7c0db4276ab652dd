"""The CLI on a migrated SQLite database in a temporary folder, with a console wide enough not to wrap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from duban.cli import common
from tests.cli.sqlite_cli import migrated_sqlite


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as they need, whatever COLUMNS the console was created under (xdist sets 80).

    The private fields, not the `width` property: undoing the property would pin the width it read.
    """
    for console in (common.console, common.err_console):
        monkeypatch.setattr(console, "_width", 240)


@pytest.fixture
def sqlite_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    with migrated_sqlite(tmp_path, monkeypatch) as engine:
        yield engine
