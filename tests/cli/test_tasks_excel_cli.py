"""`duban tasks export` and `duban tasks import` on a SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from duban.cli import app
from duban.db.models import OwnerRole, Task, UserRole
from duban.db.session import read_session, write_session
from tests.personas import add_task, add_unit, add_user
from tests.reports.excel_ledger import HEADER, workbook

GOOD = [
    [
        "1",
        "第5次会议纪要",
        "完成老旧小区改造。",
        "区财政局",
        "区住建局",
        "李区长",
        "2026-12-31",
        "",
        "办理中",
        "",
    ],
    ["2", "", "报送资金使用情况。", "区住建局", "", "", "2026-10-31", "", "", ""],
]
BAD = [*GOOD, ["3", "", "推进项目。", "区财政厅", "", "", "尽快", "", "", ""]]


@pytest.fixture
def cli_db(sqlite_engine: Engine) -> Engine:
    with write_session(sqlite_engine) as s:
        a, b = add_unit(s, "区财政局"), add_unit(s, "区住建局")
        add_user(s, "cz", UserRole.UNIT, a)
        add_task(s, status="in_progress", owners=[(a.id, OwnerRole.LEAD)], text="区财政局负责拨付专项资金。")
        add_task(s, status="assigned", owners=[(b.id, OwnerRole.LEAD)], text="区住建局负责老旧小区改造。")
    return sqlite_engine


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(app, ["tasks", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def _tasks(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Task)) or 0


def test_export_writes_the_filtered_ledger_with_one_sheet_per_unit(cli_db: Engine, tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    code, output = _run("export", "--out", str(out), "--status", "in_progress", "--per-unit")
    assert code == 0 and "已导出" in output
    book = load_workbook(out)
    assert book.sheetnames == ["督办台账", "区财政局"]
    ws = book.worksheets[0]
    assert [c.value for c in ws[3]] == HEADER
    assert [r[2] for r in ws.iter_rows(min_row=4, values_only=True)] == ["区财政局负责拨付专项资金。"]


def test_a_unit_user_exports_only_their_tasks(cli_db: Engine, tmp_path: Path) -> None:
    out = tmp_path / "mine.xlsx"
    assert _run("export", "-o", str(out), "--user", "cz")[0] == 0
    rows = list(load_workbook(out).worksheets[0].iter_rows(min_row=4, values_only=True))
    assert [r[2] for r in rows] == ["区财政局负责拨付专项资金。"]


def test_import_of_a_valid_ledger_writes_every_row(cli_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(GOOD))
    code, output = _run("import", str(path))
    assert code == 0 and "已导入2项任务" in output
    assert _tasks(cli_db) == 4
    code, output = _run("import", str(path))
    assert code == 1 and "不能重复导入" in output and _tasks(cli_db) == 4


def test_import_with_bad_rows_prints_them_and_refuses(cli_db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(BAD))
    code, output = _run("import", str(path))
    assert code == 1 and "未导入" in output and _tasks(cli_db) == 2
    assert "区财政厅" in output and "无法识别的日期" in output and "│ 5 " in output
    code, output = _run("import", str(path), "--dry-run", "--valid-only")
    assert code == 0 and "未写入" in output and _tasks(cli_db) == 2
    code, output = _run("import", str(path), "--valid-only")
    assert code == 0 and "已导入2项任务" in output and "跳过第5行" in output and _tasks(cli_db) == 4


def test_import_refuses_a_file_that_is_no_ledger_and_unit_users(cli_db: Engine, tmp_path: Path) -> None:
    fake = tmp_path / "伪装.xlsx"
    fake.write_bytes(b"not a workbook")
    code, output = _run("import", str(fake))
    assert code == 2 and "不是有效的" in output and "Traceback" not in output
    real = tmp_path / "台账.xlsx"
    real.write_bytes(workbook(GOOD))
    code, output = _run("import", str(real), "--user", "cz")
    assert code == 1 and "只有督查室可以导入台账" in output and _tasks(cli_db) == 2
