from __future__ import annotations

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from duban import accounts
from duban.cli import app
from duban.db.session import write_session
from tests.personas import add_unit


@pytest.fixture
def cli_db(sqlite_engine: Engine) -> Engine:
    with write_session(sqlite_engine) as s:
        add_unit(s, "区财政局")
    return sqlite_engine


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(app, ["users", *args])
    return result.exit_code, result.output


def test_supervisor_adds_users_and_they_act_in_their_role(cli_db: Engine) -> None:
    assert _run("add", "cz", "--role", "unit", "--unit", "财政局", "--name", "李四")[0] == 0
    assert _run("add", "ld", "--role", "leader")[0] == 0
    code, output = _run("list")
    assert code == 0 and "李四" in output and "区财政局" in output and "领导" in output
    # A unit user may not manage users.
    code, output = _run("add", "x2", "--role", "leader", "--user", "cz")
    assert code == 2 and "只有督查室" in output


def test_disabled_user_cannot_act(cli_db: Engine) -> None:
    assert _run("add", "ld", "--role", "leader")[0] == 0
    assert _run("disable", "ld")[0] == 0
    result = CliRunner().invoke(app, ["tasks", "list", "--user", "ld"])
    assert result.exit_code == 2 and "已停用" in result.output
    assert _run("enable", "ld")[0] == 0
    assert CliRunner().invoke(app, ["tasks", "list", "--user", "ld"]).exit_code == 0


def test_supervisor_changes_a_role(cli_db: Engine) -> None:
    assert _run("add", "ld", "--role", "leader")[0] == 0
    code, output = _run("role", "ld", "--role", "unit", "--unit", "区财政局")
    assert code == 0 and "责任单位" in output
    assert "区财政局" in _run("list")[1]
    code, output = _run("role", "ld", "--role", "unit")
    assert code == 2 and "须指定所属单位" in output


def test_password_is_set_from_a_prompt_and_then_logs_in(cli_db: Engine) -> None:
    assert _run("add", "ld", "--role", "leader")[0] == 0
    result = CliRunner().invoke(app, ["users", "password", "ld"], input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    with write_session(cli_db) as session:
        assert accounts.authenticate(session, "ld", "s3cret-pass") is not None
        assert accounts.authenticate(session, "ld", "wrong-pass") is None
    code, output = _run("password", "ld", "--password", "short")
    assert code == 2 and "至少需要8位" in output
