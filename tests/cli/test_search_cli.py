"""`duban search`: a table of hits with the matched words marked, filters, `--user`, and `--reindex`."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from duban import clock
from duban.cli import app
from duban.db.models import OwnerRole, Person, ProgressReport, Task, TaskOwner, Unit, User
from duban.db.session import write_session


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1"})


def _seed(engine: Engine) -> dict[str, int]:
    """Rows written directly, as a restored backup would have them: not yet in the index."""
    with write_session(engine) as s:
        a, b = Unit(name="区财政局", created_at=clock.now()), Unit(name="区住建局", created_at=clock.now())
        s.add_all([a, b, Person(name="张明华", created_at=clock.now())])
        s.flush()
        s.add(
            User(username="cz", display_name="财政局用户", role="unit", unit_id=a.id, created_at=clock.now())
        )
        ids = {}
        for name, unit in (("拨付5G基站建设资金。", a), ("完成5G基站选址。", b)):
            now = clock.now()
            task = Task(text=name, status="in_progress", created_at=now, updated_at=now)
            task.owners = [TaskOwner(unit_id=unit.id, role=OwnerRole.LEAD.value)]
            s.add(task)
            s.flush()
            ids[unit.name] = task.id
        s.add(
            ProgressReport(
                task_id=ids["区财政局"], unit_id=a.id, text="5G基站资金已拨付。", created_at=clock.now()
            )
        )
    return ids


def _rows(output: str) -> list[list[str]]:
    """The cells of a Rich table's body rows."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def test_reindex_then_search_prints_marked_hits(runner: CliRunner, sqlite_engine: Engine) -> None:
    ids = _seed(sqlite_engine)
    assert "没有找到" in runner.invoke(app, ["search", "5G基站"]).output
    rebuilt = runner.invoke(app, ["search", "--reindex"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "全文索引已重建" in rebuilt.output
    assert _rows(rebuilt.output) == [["文件", "0"], ["任务", "2"], ["进展反馈", "1"], ["人员", "1"]]
    found = runner.invoke(app, ["search", "5G基站"])
    assert found.exit_code == 0, found.output
    where = sorted(row[1] for row in _rows(found.output))
    assert where == sorted(
        [f"任务 {ids['区财政局']}", f"任务 {ids['区住建局']}", f"反馈 1（任务 {ids['区财政局']}）"]
    )


def test_search_filters_by_type_and_unit_and_acts_as_a_user(runner: CliRunner, sqlite_engine: Engine) -> None:
    ids = _seed(sqlite_engine)
    runner.invoke(app, ["search", "--reindex"])
    tasks_of_b = runner.invoke(app, ["search", "5G基站", "--type", "task", "--unit", "区住建局"]).output
    assert [row[1] for row in _rows(tasks_of_b)] == [f"任务 {ids['区住建局']}"]
    as_unit = runner.invoke(app, ["search", "选址", "--user", "cz"]).output
    assert "没有找到" in as_unit
    person = runner.invoke(app, ["search", "张明", "-t", "person"]).output
    assert "张明华" in person


def test_search_needs_a_query_and_valid_dates(runner: CliRunner, sqlite_engine: Engine) -> None:
    assert runner.invoke(app, ["search"]).exit_code == 2
    bad = runner.invoke(app, ["search", "资金", "--from", "2026-13-01"])
    assert bad.exit_code == 2 and "开始日期格式应为" in bad.output
    short = runner.invoke(app, ["search", "局"])
    assert "单个汉字无法检索" in short.output
