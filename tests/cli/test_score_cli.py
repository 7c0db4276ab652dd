from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from sqlalchemy import Engine
from typer.testing import CliRunner

from duban import clock
from duban.cli import app
from duban.db.models import OwnerRole, Task, TaskOwner, Unit
from duban.db.session import write_session
from duban.workflow.states import State

# 2026-04-15 12:00 in Beijing.
NOW = dt.datetime(2026, 4, 15, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1"})


def _seed(engine: Engine) -> None:
    march = dt.date(2026, 3, 10)
    with write_session(engine) as s:
        units = {name: Unit(name=name, created_at=clock.now()) for name in ("区财政局", "区住建局")}
        s.add_all(units.values())
        s.flush()

        def task(unit: str, status: State, done_at: dt.datetime | None) -> None:
            now = clock.now()
            t = Task(
                text="任务",
                status=status.value,
                deadline=march,
                done_at=done_at,
                created_at=now,
                updated_at=now,
            )
            t.owners = [TaskOwner(unit_id=units[unit].id, role=OwnerRole.LEAD.value)]
            s.add(t)

        task("区财政局", State.DONE, dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
        task("区财政局", State.DONE, dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
        task("区住建局", State.DONE, dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
        task("区住建局", State.DONE, dt.datetime(2026, 3, 13, tzinfo=dt.UTC))
        task("区住建局", State.IN_PROGRESS, None)


def test_table_ranks_units_with_the_chinese_headers(sqlite_engine: Engine, runner: CliRunner) -> None:
    _seed(sqlite_engine)
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(app, ["score", "--period", "2026Q1"])
    assert result.exit_code == 0, result.output
    out = result.output
    for header in ("排名", "单位", "到期任务", "按时办结", "逾期办结", "逾期未办", "平均逾期天数", "按时率"):
        assert header in out
    assert "2026年第一季度" in out and "截至 2026-04-15" in out
    assert out.index("区财政局") < out.index("区住建局")
    assert "100.0%" in out and "33.3%" in out


def test_json_carries_the_period_and_every_figure(sqlite_engine: Engine, runner: CliRunner) -> None:
    _seed(sqlite_engine)
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(app, ["score", "-p", "2026q1", "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {k: body[k] for k in ("period", "label", "start", "end", "as_of")} == {
        "period": "2026Q1",
        "label": "2026年第一季度",
        "start": "2026-01-01",
        "end": "2026-03-31",
        "as_of": "2026-04-15",
    }
    first, second = body["units"]
    assert first == {
        "rank": 1,
        "unit_id": first["unit_id"],
        "unit": "区财政局",
        "due": 2,
        "on_time": 2,
        "late": 0,
        "overdue": 0,
        "open": 0,
        "avg_days_late": 0.0,
        "on_time_rate": 1.0,
    }
    # 3-13 done late by 3 days; still open since 3-10: 36 days by 4-15.
    assert (second["unit"], second["rank"], second["late"], second["overdue"]) == ("区住建局", 2, 1, 1)
    assert second["avg_days_late"] == 19.5
    assert second["on_time_rate"] == 0.3333


def test_empty_period_says_so(sqlite_engine: Engine, runner: CliRunner) -> None:
    result = runner.invoke(app, ["score", "--period", "2026-03"])
    assert result.exit_code == 0, result.output
    assert "该期间没有到期任务" in result.output


def test_bad_period_is_a_readable_error(sqlite_engine: Engine, runner: CliRunner) -> None:
    result = runner.invoke(app, ["score", "--period", "2026Q7"])
    assert result.exit_code == 2
    assert "无法识别的考核期间“2026Q7”" in result.output
    assert "Traceback" not in result.output
