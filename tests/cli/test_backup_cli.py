from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine
from typer.testing import CliRunner

from duban import clock
from duban.cli import app
from duban.db.models import Unit
from duban.db.session import write_session
from tests.cli.sqlite_cli import point_cli_at

# 2026-04-15 12:30:05 in Beijing.
NOW = dt.datetime(2026, 4, 15, 4, 30, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def two_units(sqlite_engine: Engine) -> None:
    with write_session(sqlite_engine) as s:
        s.add_all(Unit(name=name, created_at=clock.now()) for name in ("区财政局", "区住建局"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1", "COLUMNS": "300"})


def _unit_names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM units ORDER BY name")]


def test_backup_while_a_writer_holds_the_database_open(
    sqlite_engine: Engine, runner: CliRunner, tmp_path: Path
) -> None:
    # Another process is mid-transaction: it holds the write lock with an uncommitted row.
    with closing(sqlite3.connect(tmp_path / "duban.db", isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO units (name, active, created_at) VALUES ('未提交局', 1, '2026-04-15 00:00:00')"
        )
        with time_machine.travel(NOW, tick=False):
            result = runner.invoke(app, ["backup"])
        writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output

    copy = tmp_path / "var" / "backups" / "duban-20260415-123005.db"
    assert str(copy) in result.output.replace("\n", "")
    assert "完整性校验通过" in result.output
    # A consistent snapshot: what was committed, not what was in flight.
    assert _unit_names(copy) == ["区住建局", "区财政局"]
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # One self-contained file, not a WAL database needing its -wal beside it.
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_backup_while_the_service_engine_has_a_connection_open(
    sqlite_engine: Engine, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere" / "copy.db"
    with sqlite_engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM units").all()
        result = runner.invoke(app, ["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _unit_names(out) == ["区住建局", "区财政局"]
    assert f"{out.stat().st_size / 1024:.1f} KB" in result.output


def test_out_may_name_a_folder(sqlite_engine: Engine, runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "nightly"
    folder.mkdir()
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(app, ["backup", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert _unit_names(folder / "duban-20260415-123005.db") == ["区住建局", "区财政局"]


def test_an_existing_backup_is_not_overwritten(
    sqlite_engine: Engine, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "copy.db"
    out.write_bytes(b"precious")
    result = runner.invoke(app, ["backup", "--out", str(out)])
    assert result.exit_code == 2
    assert "已存在" in result.output
    assert out.read_bytes() == b"precious"


def test_missing_database_file_is_an_error_not_an_empty_backup(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, f"sqlite:///{tmp_path / 'nothing.db'}", tmp_path / "var")
    result = runner.invoke(app, ["backup"])
    assert result.exit_code == 2
    assert "数据库文件不存在" in result.output
    assert not (tmp_path / "nothing.db").exists()
    assert not (tmp_path / "var" / "backups").exists()


def test_postgresql_prints_the_pg_dump_command_without_the_password(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, "postgresql+psycopg://duban:s3cret@db.internal:5433/duban", tmp_path / "var")
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(app, ["backup"])
    assert result.exit_code == 0, result.output
    dump = tmp_path / "var" / "backups" / "duban-20260415-123005.dump"
    expected = f"pg_dump --format=custom --file={dump} --dbname=postgresql://duban@db.internal:5433/duban"
    assert expected in result.output
    assert "s3cret" not in result.output
    assert "PGPASSWORD" in result.output
    assert not (tmp_path / "var").exists()


def test_postgresql_without_a_password_needs_no_hint(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, "postgresql://root@127.0.0.1:5432/duban", tmp_path / "var")
    result = runner.invoke(app, ["backup", "--out", str(tmp_path / "x.dump")])
    assert result.exit_code == 0, result.output
    assert f"--file={tmp_path / 'x.dump'} --dbname=postgresql://root@127.0.0.1:5432/duban" in result.output
    assert "PGPASSWORD" not in result.output
