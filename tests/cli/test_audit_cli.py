from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, update
from typer.testing import CliRunner

from duban.cli import app
from duban.db.models import AuditEvent
from duban.db.session import write_session
from duban.workflow.audit import Actor, record

CLERK = Actor("督查室 张三")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1"})


def _write_events(engine: Engine) -> None:
    with write_session(engine) as s:
        record(s, CLERK, "assign", "task", 1, before={"status": "draft"}, after={"status": "assigned"})
        record(s, CLERK, "edit", "task", 2, after={"deadline": "2026-03-31"}, reason="会议调整")
        record(s, CLERK, "create", "unit", 1, after={"name": "区财政局"})
        record(s, CLERK, "accept", "task", 1, before={"status": "submitted"}, after={"status": "done"})


def test_verify_an_intact_chain_exits_0_with_the_count(sqlite_engine: Engine, runner: CliRunner) -> None:
    _write_events(sqlite_engine)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "审计链完整：共4条" in result.output


def test_verify_an_empty_log(sqlite_engine: Engine, runner: CliRunner) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "审计链完整：共0条" in result.output


def test_verify_a_tampered_row_exits_1_naming_its_seq(sqlite_engine: Engine, runner: CliRunner) -> None:
    _write_events(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(after={"deadline": "2026-06-30"}))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "审计链断裂" in result.output
    assert "第2条" in result.output
    assert "changed after it was written" in result.output


def test_verify_deleted_newest_rows_exits_1(sqlite_engine: Engine, runner: CliRunner) -> None:
    _write_events(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == 4))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "第4条" in result.output


def test_log_lists_newest_first(sqlite_engine: Engine, runner: CliRunner) -> None:
    _write_events(sqlite_engine)
    result = runner.invoke(app, ["audit", "log"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("accept") < out.index("create") < out.index("edit") < out.index("assign")
    assert "task#2" in out and "会议调整" in out and "督查室 张三" in out


def test_log_filters_by_entity_and_id_and_limits(sqlite_engine: Engine, runner: CliRunner) -> None:
    _write_events(sqlite_engine)
    result = runner.invoke(app, ["audit", "log", "--entity", "task", "--id", "1"])
    assert result.exit_code == 0, result.output
    assert "assign" in result.output and "accept" in result.output
    assert "edit" not in result.output and "unit#1" not in result.output

    result = runner.invoke(app, ["audit", "log", "--entity", "task", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "accept" in result.output and "assign" not in result.output


def test_log_with_nothing_to_show(sqlite_engine: Engine, runner: CliRunner) -> None:
    result = runner.invoke(app, ["audit", "log", "--entity", "document"])
    assert result.exit_code == 0, result.output
    assert "没有符合条件的审计记录" in result.output


def test_log_id_without_entity_is_rejected(sqlite_engine: Engine, runner: CliRunner) -> None:
    result = runner.invoke(app, ["audit", "log", "--id", "3"])
    assert result.exit_code == 2
    assert "--entity" in result.output
