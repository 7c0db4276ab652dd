"""`duban units list | alias UNIT ALIAS | merge FROM INTO`: the organisation registry users edit.

Names on the command line resolve like names in documents (区/市 prefix ignored,
unique short forms accepted). Changing units is for supervisors (督查室).
The schema must be current (see `duban.cli.db.ensure_schema`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from duban.cli.common import UserOption, console, domain_errors, engine, principal
from duban.cli.db import ensure_schema
from duban.db.models import UserRole
from duban.db.repositories import units as unit_repo
from duban.db.session import read_session, write_session
from duban.errors import Forbidden
from duban.workflow.audit import Actor

units_app = typer.Typer(help="单位管理：查看单位、添加别名、合并单位。", no_args_is_help=True)


def _supervisor(session: Session, user: str | None) -> Actor:
    acting = principal(session, user)
    if acting.role is not UserRole.SUPERVISOR:
        raise Forbidden("只有督查室用户可以修改单位。", "only supervisors may change units")
    return acting.actor


@units_app.command("list")
def list_command(
    include_inactive: Annotated[bool, typer.Option("--all", "-a", help="同时列出已合并或停用的单位")] = False,
) -> None:
    """列出单位、别名和任务数（办理中：已交办至待验收；草稿：待确认）。"""
    with domain_errors():
        target = engine()
        ensure_schema(target)
        with read_session(target) as session:
            summaries = unit_repo.list_units(session, include_inactive=include_inactive)
    if not summaries:
        console.print("还没有单位。导入文件后会自动建立，也可用 duban units alias 维护别名。")
        return
    table = Table("编号", "单位", "别名", "办理中", "草稿", "状态")
    for unit in summaries:
        state = "正常" if unit.active else (f"已并入{unit.merged_into}" if unit.merged_into else "停用")
        table.add_row(
            str(unit.id),
            unit.name,
            "、".join(unit.aliases),
            str(unit.open_tasks),
            str(unit.draft_tasks),
            state,
        )
    console.print(table)


@units_app.command("alias")
def alias_command(
    unit: Annotated[str, typer.Argument(help="单位名称（或已有别名）")],
    alias: Annotated[str, typer.Argument(help="要添加的别名，如 区财政局")],
    user: UserOption = None,
) -> None:
    """给单位添加别名；别名已属于其他单位时报错。"""
    with domain_errors():
        target = engine()
        ensure_schema(target)
        with write_session(target) as session:
            actor = _supervisor(session, user)
            found = unit_repo.add_alias(session, unit, alias, actor)
            aliases = [a.alias for a in found.aliases]
            name = found.name
    console.print(f"单位“{name}”的别名：{'、'.join(aliases) or '（无）'}", highlight=False, soft_wrap=True)


@units_app.command("merge")
def merge_command(
    source: Annotated[str, typer.Argument(metavar="FROM", help="被合并（将停用）的单位")],
    into: Annotated[str, typer.Argument(metavar="INTO", help="保留的单位")],
    user: UserOption = None,
) -> None:
    """把单位 FROM 合并进 INTO：任务、别名、用户和指标都转给 INTO，FROM 停用并成为 INTO 的别名。"""
    with domain_errors():
        target = engine()
        ensure_schema(target)
        with write_session(target) as session:
            actor = _supervisor(session, user)
            result = unit_repo.merge(session, source, into, actor)
            source_name, target_name = result.source.name, result.target.name
    console.print(
        f"已将“{source_name}”合并进“{target_name}”：转移任务 {result.tasks_moved} 项"
        f"（另有 {result.tasks_deduplicated} 项原已由“{target_name}”承办，已去重），"
        f"别名 {len(result.aliases_moved)} 个，用户 {result.users_moved} 个，指标 {result.targets_moved} 项。",
        highlight=False,
        soft_wrap=True,
    )
