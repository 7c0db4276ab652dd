"""`duban db upgrade|current`, and the schema policy of the commands that use the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from duban.cli import app
from duban.config import get_settings
from duban.db import session as db_session
from duban.db.migrate import current_revision, head_revision
from duban.db.session import make_engine

SEED = Path(__file__).parents[2] / "examples" / "corpus" / "000_3c233771d51cc4fd.txt"


def _forget_cached_engines() -> None:
    # get_settings() and the engine factory are cached per process: no test's database may leak.
    db_session.reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("DUBAN_UNIT_ALIASES_FILE", raising=False)
    monkeypatch.delenv("DUBAN_USER", raising=False)
    get_settings.cache_clear()
    db_session.reset_engines()
    yield CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1"})
    _forget_cached_engines()


@pytest.fixture
def explicit_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    get_settings.cache_clear()
    return url


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_current_on_an_empty_database_says_it_needs_an_upgrade(runner: CliRunner, explicit_url: str) -> None:
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 1, result.output
    assert "未初始化" in result.output and "duban db upgrade" in result.output


def test_upgrade_brings_the_schema_to_head_and_a_second_upgrade_changes_nothing(
    runner: CliRunner, explicit_url: str
) -> None:
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "已升级" in first.output
    assert _revision(explicit_url) == head_revision()
    second = runner.invoke(app, ["db", "upgrade"])
    assert second.exit_code == 0 and "已是最新" in second.output
    current = runner.invoke(app, ["db", "current"])
    assert current.exit_code == 0 and "最新的" in current.output
    assert f"当前版本：{head_revision()}" in current.output


def test_a_configured_database_without_schema_is_not_migrated_behind_the_operators_back(
    runner: CliRunner, explicit_url: str
) -> None:
    result = runner.invoke(app, ["ingest", str(SEED)])
    assert result.exit_code == 2
    assert "duban db upgrade" in result.output
    engine = make_engine(explicit_url)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_the_embedded_default_database_is_upgraded_on_first_use(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "新文件 1" in result.output
    assert _revision(f"sqlite:///{tmp_path / 'var' / 'duban.db'}") == head_revision()
