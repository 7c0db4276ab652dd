"""`duban search QUERY [--type T] [--unit U] [--from D] [--to D] [--limit N]` and `duban search --reindex`.

The search prints a table of hits with the matched words in bold; `--reindex`
rebuilds the full-text index from every document, task, progress report and
person (after a restore, or to be sure it matches the database).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from duban.cli.common import UserOption, console, domain_errors, engine, iso_date, principal
from duban.cli.db import ensure_schema
from duban.db.models.search import SearchKind
from duban.db.repositories import units as unit_repo
from duban.db.session import read_session, write_session
from duban.search.index import reindex_all
from duban.search.query import Filters, Hit, search


def _marked(text: str, ranges: tuple[tuple[int, int], ...]) -> Text:
    shown = Text(text)
    for start, end in ranges:
        shown.stylize("bold reverse", start, end)
    return shown


def _where(hit: Hit) -> str:
    if hit.kind is SearchKind.REPORT:
        return f"反馈 {hit.id}（任务 {hit.task_id}）"
    return f"{hit.kind.label} {hit.id}"


def search_command(
    query: Annotated[
        str | None, typer.Argument(help="检索词：多个词用空格分开，须全部出现；每个词至少两个字")
    ] = None,
    kind: Annotated[
        list[SearchKind] | None,
        typer.Option("--type", "-t", help="只检索这些类别：document/task/report/person，可重复"),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只看该单位（名称或简称）的条目")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="日期不早于 YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="日期不晚于 YYYY-MM-DD")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=200, help="最多列出条数")] = 20,
    reindex: Annotated[bool, typer.Option("--reindex", help="按数据库现有内容重建全文索引")] = False,
    user: UserOption = None,
) -> None:
    """全文检索文件、任务、进展反馈和人员；--reindex 重建索引。"""
    if reindex:
        with domain_errors():
            target = engine()
            ensure_schema(target)
            with write_session(target) as session:
                counts = reindex_all(session)
        table = Table(title="全文索引已重建")
        table.add_column("类别")
        table.add_column("条目", justify="right")
        for k, n in counts.items():
            table.add_row(k.label, str(n))
        console.print(table)
        return
    if not query or not query.strip():
        raise typer.BadParameter("请给出检索词，或用 --reindex 重建索引", param_hint="QUERY")
    with domain_errors():
        target = engine()
        ensure_schema(target)
        with read_session(target) as session:
            who = principal(session, user)
            filters = Filters(
                kinds=frozenset(kind or ()),
                unit_id=unit_repo.require(session, unit).id if unit else None,
                date_from=iso_date(date_from, "开始日期"),
                date_to=iso_date(date_to, "结束日期"),
            )
            result = search(session, who, query, filters, limit=limit)
    if result.query.too_short:
        console.print(
            f"单个汉字无法检索，已忽略：{'、'.join(result.query.too_short)}（请输入至少两个字）",
            highlight=False,
        )
    totals = "，".join(f"{k.label} {n}{'+' if k in result.capped else ''}" for k, n in result.totals.items())
    if not result.hits:
        console.print(f"没有找到与“{result.query.text}”相关的内容。（{totals}）", highlight=False)
        return
    table = Table(title=f"“{result.query.text}”的检索结果：{totals}")
    for column in ("类别", "编号", "日期", "标题", "摘要"):
        table.add_column(column, overflow="fold")
    for hit in result.hits:
        table.add_row(
            hit.kind.label,
            _where(hit),
            hit.day.isoformat() if hit.day else "",
            _marked(hit.title, hit.title_highlights),
            _marked(hit.snippet, hit.highlights),
        )
    console.print(table)
