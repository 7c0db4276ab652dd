from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from duban.cli import app
from duban.db.models import Attachment, OwnerRole, Task, UserRole
from duban.db.session import read_session, write_session
from tests.personas import add_task, add_unit, add_user


@pytest.fixture
def cli_db(sqlite_engine: Engine) -> Engine:
    with write_session(sqlite_engine) as s:
        a, b = add_unit(s, "区财政局"), add_unit(s, "区住建局")
        add_user(s, "cz", UserRole.UNIT, a)
        add_user(s, "zj", UserRole.UNIT, b)
        add_user(s, "ld", UserRole.LEADER)
        add_task(s, owners=[(a.id, OwnerRole.LEAD)], text="区财政局负责拨付专项资金10万元。")
    return sqlite_engine


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(app, ["tasks", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def _task(engine: Engine) -> Task:
    with read_session(engine) as s:
        return s.scalars(select(Task)).one()


def test_a_task_goes_from_draft_to_done_on_the_command_line(cli_db: Engine, tmp_path: Path) -> None:
    evidence = tmp_path / "拨付凭证.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    steps = [
        (["assign", "1", "--lead", "财政局", "--support", "区住建局", "--deadline", "2099-06-30"], "已交办"),
        (["ack", "1", "--user", "cz"], "已签收"),
        (["progress", "1", "已拨付5万元", "--attach", str(evidence), "--user", "cz"], "附件 1 个"),
        (["extend", "1", "--to", "2099-09-30", "--reason", "资金分批到位", "--user", "cz"], "待督查室审批"),
        (["extend", "1", "--approve", "1"], "2099-09-30"),
        (["submit", "1", "已全部拨付", "--user", "cz"], "待验收"),
        (["return", "1", "--reason", "缺少银行回单"], "已退回"),
        (["submit", "1", "已补充银行回单", "--user", "cz"], "待验收"),
        (["instruct", "1", "抓紧落实", "--user", "ld"], "已批示"),
        (["accept", "1"], "已办结"),
    ]
    for args, expected in steps:
        code, output = _run(*args)
        assert code == 0, (args, output)
        assert expected in output, (args, output)
    task = _task(cli_db)
    assert (task.status, task.deadline) == ("done", dt.date(2099, 9, 30))
    with read_session(cli_db) as s:
        kept = s.scalars(select(Attachment)).one()
        assert Path(kept.stored_path).read_bytes() == b"%PDF-1.4 evidence"
    code, output = _run("show", "1")
    assert code == 0
    for text in (
        "已办结（销号）",
        "牵头单位：区财政局",
        "配合单位：区住建局",
        "拨付凭证.pdf",
        "缺少银行回单",
        "抓紧落实",
    ):
        assert text in output


def test_list_shows_lights_and_filters(cli_db: Engine) -> None:
    assert _run("assign", "1", "--deadline", "2020-01-01")[0] == 0
    code, output = _run("list", "--light", "red")
    assert code == 0 and "逾期" in output and "拨付专项资金" in output
    code, output = _run("list", "--light", "green")
    assert code == 0 and "共0项" in output
    code, output = _run("list", "--unit", "区住建局")
    assert "共0项" in output


def test_other_units_user_gets_not_found(cli_db: Engine) -> None:
    assert _run("assign", "1")[0] == 0
    code, output = _run("ack", "1", "--user", "zj")
    assert code == 2 and "不存在" in output
    code, output = _run("list", "--user", "zj")
    assert "共0项" in output
    assert _task(cli_db).status == "assigned"


def test_forbidden_and_invalid_actions_are_clear_errors(cli_db: Engine) -> None:
    code, output = _run("accept", "1")
    assert code == 2 and "不能验收办结" in output
    code, output = _run("assign", "1", "--user", "ld")
    assert code == 2 and "领导无权交办" in output
    code, output = _run("cancel", "1")
    assert code == 2 and "须填写理由" in output


def test_stale_version_is_refused(cli_db: Engine) -> None:
    assert _run("confirm", "1", "--version", "1")[0] == 0
    code, output = _run("assign", "1", "--version", "1")
    assert code == 2 and "已被他人修改" in output


def test_unknown_unit_and_bad_date_are_clear_errors(cli_db: Engine) -> None:
    code, output = _run("assign", "1", "--lead", "火星办")
    assert code == 2 and "火星办" in output
    code, output = _run("assign", "1", "--deadline", "明天")
    assert code == 2 and "YYYY-MM-DD" in output


def test_working_day_deadline_is_marked_unconfirmed_beyond_the_calendar(cli_db: Engine) -> None:
    import time_machine

    with time_machine.travel(dt.datetime(2026, 12, 30, 4, tzinfo=dt.UTC), tick=False):
        code, output = _run("assign", "1", "--workdays", "3")
    assert code == 0 and "2027-01-04" in output
    assert "待定" in _run("show", "1")[1]
