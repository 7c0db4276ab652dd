"""`duban tasks export` and `duban tasks import`: the ledger as an .xlsx, and an .xlsx ledger into duban.

Import checks every row first and prints the rows with errors or warnings
as a table; it writes only when every row is valid (or `--valid-only`),
exits 1 when it refuses, and `--dry-run` checks without writing (exit 1 if
the import would be refused).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from duban import clock
from duban.cli.common import UserOption, console, domain_errors, engine, err_console, iso_date, principal
from duban.config import get_settings
from duban.db.repositories import units as unit_repo
from duban.db.repositories.tasks import SortKey, TaskQuery
from duban.db.session import read_session, write_session
from duban.errors import DomainError
from duban.reports.excel_export import export_ledger
from duban.reports.ledger_import import LedgerCheck, check_file
from duban.workflow.imports import commit_import
from duban.workflow.states import State
from duban.workflow.warnings import Light

__all__ = ["export_command", "import_command"]

MAX_LISTED = 200


def export_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件，如 台账.xlsx")],
    status: Annotated[list[State] | None, typer.Option("--status", "-s", help="状态，可重复")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位名称或简称")] = None,
    light: Annotated[
        list[Light] | None, typer.Option("--light", help="预警：red/yellow/green/none，可重复")
    ] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="责任领导")] = None,
    document: Annotated[int | None, typer.Option("--document", help="来源文件编号")] = None,
    due_from: Annotated[str | None, typer.Option("--due-from", help="完成时限不早于 YYYY-MM-DD")] = None,
    due_to: Annotated[str | None, typer.Option("--due-to", help="完成时限不晚于 YYYY-MM-DD")] = None,
    text: Annotated[str | None, typer.Option("--text", "-q", help="任务内容包含")] = None,
    sort: Annotated[SortKey, typer.Option("--sort", help="排序")] = SortKey.DEADLINE,
    per_unit: Annotated[bool, typer.Option("--per-unit", help="每个牵头单位另加一个工作表")] = False,
    user: UserOption = None,
) -> None:
    """导出台账为 Excel（.xlsx），筛选条件同 tasks list。"""
    settings = get_settings()
    with domain_errors(), read_session(engine()) as session:
        who = principal(session, user)
        query = TaskQuery(
            statuses=status or (),
            unit_id=unit_repo.require(session, unit).id if unit else None,
            leader=leader,
            lights=light or (),
            document_id=document,
            due_from=iso_date(due_from, "完成时限"),
            due_to=iso_date(due_to, "完成时限"),
            text=text,
            sort=sort,
        )
        body = export_ledger(
            session, who, query, today=clock.today(), near_days=settings.near_due_workdays, per_unit=per_unit
        )
    out.write_bytes(body)
    console.print(f"已导出到 {out}（{len(body) // 1024 + 1} KB）", highlight=False)


def _problems_table(check: LedgerCheck) -> Table:
    table = Table(title=f"检查结果：{check.filename}（工作表“{check.sheet.sheet}”）")
    for column in ("行号", "列", "类别", "说明"):
        table.add_column(column, overflow="fold")
    listed = 0
    for row in check.rows:
        for kind, problems in (("[red]错误[/]", row.errors), ("[yellow]提示[/]", row.warnings)):
            for problem in problems:
                if listed >= MAX_LISTED:
                    continue
                column = check.sheet.headings.get(problem.field, "") if problem.field else "（整行）"
                table.add_row(str(row.row), column, kind, problem.message)
                listed += 1
    return table


def import_command(
    file: Annotated[Path, typer.Argument(help="台账文件（.xlsx）", exists=True, dir_okay=False)],
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="只导入无误的行（有错误的行跳过）")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查、不写入")] = False,
    user: UserOption = None,
) -> None:
    """导入 Excel 台账：逐行检查，全部无误（或 --valid-only）才写入；每项任务记入审计日志。"""
    settings = get_settings()
    data = file.read_bytes()
    if len(data) > settings.max_upload_bytes:
        err_console.print(f"[red]错误[/red]：文件超过{settings.max_upload_mb}MB上限", highlight=False)
        raise typer.Exit(code=2)
    with domain_errors(), write_session(engine()) as session:
        who = principal(session, user)
        check = check_file(session, data, file.name, max_rows=settings.import_max_rows, today=clock.today())
        if any(r.errors or r.warnings for r in check.rows):
            console.print(_problems_table(check))
        console.print(
            f"共{len(check.rows)}行：无误{len(check.valid_rows)}行，有错误{len(check.invalid_rows)}行，"
            f"有提示{check.warned_rows}行",
            highlight=False,
        )
        refused = check.prior is not None or (check.invalid_rows and not valid_only) or not check.valid_rows
        if dry_run:
            console.print("仅检查（--dry-run），未写入。" + ("按当前选项将拒绝导入。" if refused else ""))
            raise typer.Exit(code=1 if refused else 0)
        try:
            result = commit_import(session, who, check, data, settings, valid_only=valid_only)
        except DomainError as exc:
            session.rollback()
            err_console.print(f"[red]未导入[/red]：{exc.message_zh}", highlight=False)
            raise typer.Exit(code=1) from exc
    skipped = f"，跳过第{'、'.join(map(str, result.skipped_rows))}行" if result.skipped_rows else ""
    console.print(
        f"已导入{len(result.task_ids)}项任务（文件编号{result.document_id}）{skipped}", highlight=False
    )
