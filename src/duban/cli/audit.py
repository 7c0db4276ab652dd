"""`duban audit verify` checks the hash chain; `duban audit log` lists the newest events."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from duban import clock
from duban.cli.common import console, domain_errors, engine, err_console
from duban.db.repositories.audit import list_events
from duban.db.session import read_session
from duban.errors import Rejected
from duban.workflow.audit import verify

audit_app = typer.Typer(help="审计日志：校验哈希链、查看操作记录。", no_args_is_help=True)


@audit_app.command("verify")
def verify_command() -> None:
    """校验审计日志的哈希链：完整时退出码 0，发现篡改时指出第一处断裂并以退出码 1 退出。"""
    with domain_errors(), read_session(engine()) as session:
        report = verify(session)
    if report.ok:
        console.print(f"审计链完整：共{report.checked}条", highlight=False)
        return
    err_console.print(
        f"[red]审计链断裂[/red]：第{report.broken_seq}条（seq {report.broken_seq}），"
        f"此前 {report.checked} 条完好。问题：{report.problem}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(code=1)


# Payloads can hold a whole task text; a log line shows their start (the full record stays in the table).
_PAYLOAD_CHARS = 60


def _brief(doc: Any) -> str:
    if doc is None:
        return ""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _PAYLOAD_CHARS else text[: _PAYLOAD_CHARS - 1] + "…"


@audit_app.command("log")
def log_command(
    entity: Annotated[
        str | None, typer.Option("--entity", "-e", help="对象类型，如 task、document、unit")
    ] = None,
    entity_id: Annotated[int | None, typer.Option("--id", help="对象编号（需同时给出 --entity）")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="最多显示的条数（最新的在前）")] = 50,
) -> None:
    """列出审计日志（最新的在前）。"""
    with domain_errors():
        if entity_id is not None and entity is None:
            raise Rejected("按编号查询时须同时指定 --entity", "--id needs --entity")
        with read_session(engine()) as session:
            events = list_events(session, entity=entity, entity_id=entity_id, limit=limit)
            rows = [
                (
                    str(event.seq),
                    f"{clock.to_local(event.at):%Y-%m-%d %H:%M:%S}",
                    event.actor,
                    event.action,
                    f"{event.entity}#{event.entity_id}" if event.entity_id is not None else event.entity,
                    _brief(event.before),
                    _brief(event.after),
                    event.reason or "",
                )
                for event in events
            ]
    if not rows:
        console.print("没有符合条件的审计记录。")
        return
    table = Table()
    for header in ("序号", "时间", "操作人", "操作", "对象", "变更前", "变更后", "理由"):
        table.add_column(
            header,
            no_wrap=header in ("序号", "时间"),
            overflow="fold",
            min_width=12 if header == "对象" else None,
        )
    for row in rows:
        table.add_row(*row)
    console.print(table)
