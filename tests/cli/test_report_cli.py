"""`duban report notice|circular|weekly|list`: issue on the command line, the file written where asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine
from typer.testing import CliRunner

from duban.cli import app
from duban.db.models import UserRole
from duban.db.session import write_session
from tests.personas import add_unit, add_user
from tests.reports.docx_checks import image_parts, open_docx, table_rows, texts
from tests.reports.ledger import NOW, task

D = dt.date


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"NO_COLOR": "1"})


def _seed(engine: Engine) -> dict[str, int]:
    with write_session(engine) as s:
        finance, housing = add_unit(s, "区财政局"), add_unit(s, "区住建局")
        add_user(s, "zj", UserRole.UNIT, housing)
        return {
            "open": task(s, finance.id, D(2026, 12, 31), text="区财政局完成专项资金拨付。").id,
            "late": task(s, housing.id, D(2026, 10, 20)).id,
            "done": task(s, finance.id, D(2026, 10, 10), done=D(2026, 10, 9)).id,
        }


def test_notice_is_issued_and_written_to_the_out_file(
    runner: CliRunner, sqlite_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "notice.docx"
    with time_machine.travel(NOW, tick=False):
        ids = _seed(sqlite_engine)
        result = runner.invoke(
            app, ["report", "notice", str(ids["open"]), str(ids["late"]), "--out", str(out)]
        )
    assert result.exit_code == 0, result.output
    assert "已印发 督办〔2026〕1号《督办通知书》" in result.output
    lines = texts(open_docx(out.read_bytes()))
    assert "督办〔2026〕1号" in lines and "区财政局、区住建局：" in lines


def test_circular_for_a_month_and_a_quarter(runner: CliRunner, sqlite_engine: Engine, tmp_path: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        _seed(sqlite_engine)
        month = runner.invoke(
            app, ["report", "circular", "--year", "2026", "--month", "10", "-o", str(tmp_path / "m")]
        )
        quarter = runner.invoke(
            app, ["report", "circular", "--year", "2026", "--quarter", "4", "-o", str(tmp_path / "q.docx")]
        )
    assert month.exit_code == 0 and quarter.exit_code == 0, month.output + quarter.output
    assert "督通〔2026〕1号" in month.output and "督通〔2026〕2号" in quarter.output
    document = open_docx((tmp_path / "m.docx").read_bytes())  # .docx is added when missing
    ranking = table_rows(document.tables[0])
    assert len(ranking) == 2 + 1 and ranking[1][1] == "区财政局"
    assert "关于2026年第四季度\n督办事项办理情况的通报" in texts(
        open_docx((tmp_path / "q.docx").read_bytes())
    )


def test_circular_refuses_a_quarter_and_a_month_together(runner: CliRunner, sqlite_engine: Engine) -> None:
    result = runner.invoke(app, ["report", "circular", "--year", "2026", "--quarter", "3", "--month", "10"])
    assert result.exit_code == 2 and "只能选一个" in result.output


def test_weekly_defaults_to_the_named_files_in_the_current_folder(
    runner: CliRunner, sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with time_machine.travel(NOW, tick=False):
        _seed(sqlite_engine)
        result = runner.invoke(app, ["report", "weekly", "--week", "2026-11-16"])
        listing = runner.invoke(app, ["report", "list"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "督办工作周报（2026年第47周）.docx"
    assert len(image_parts(open_docx(written.read_bytes()))) == 3
    assert listing.exit_code == 0 and "督办工作周报（2026年第47周）" in listing.output


def test_a_unit_user_cannot_issue(runner: CliRunner, sqlite_engine: Engine, tmp_path: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        ids = _seed(sqlite_engine)
        result = runner.invoke(
            app, ["report", "notice", str(ids["late"]), "--user", "zj", "-o", str(tmp_path / "x")]
        )
    assert result.exit_code == 2 and "仅督查室" in result.output
    assert not (tmp_path / "x.docx").exists()


def test_a_bad_week_date_is_refused(runner: CliRunner, sqlite_engine: Engine) -> None:
    result = runner.invoke(app, ["report", "weekly", "--week", "16/11/2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
