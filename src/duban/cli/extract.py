"""`duban extract FILE... --format json|table --out DIR`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from duban.config import get_settings
from duban.errors import DomainError
from duban.ingest.extract.units import UnitRegistry
from duban.ingest.output import extraction_json
from duban.ingest.pipeline import run
from duban.ingest.types import Extraction, Source


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


def _registry() -> UnitRegistry:
    registry = UnitRegistry()
    aliases = get_settings().unit_aliases_file
    if aliases and aliases.exists():
        registry.load_alias_file(aliases)
    return registry


def _table(console: Console, extraction: Extraction) -> None:
    for doc in extraction.documents:
        h = doc.header
        console.rule(
            f"[bold]{h.title or '（无标题）'}[/]  {h.doc_type}  {h.doc_number or ''}  {h.date or ''}"
        )
        if doc.tasks:
            t = Table("任务", "责任单位", "牵头", "期限", "金额(元)", show_lines=False, expand=True)
            for task in doc.tasks:
                t.add_row(
                    task.text[:80],
                    "、".join(task.owners),
                    task.lead or "",
                    str(task.deadline or task.recurrence or ""),
                    f"{task.amount_yuan:,.0f}" if task.amount_yuan else "",
                )
            console.print(t)
        if doc.targets:
            t = Table("指标", "数值", "单位", "限定", "类型", "年度", expand=True)
            for tg in doc.targets:
                value = f"{tg.value:g}" + (f"–{tg.value_max:g}" if tg.value_max is not None else "")
                t.add_row(tg.indicator, value, tg.unit, tg.qualifier, tg.kind, str(tg.year or ""))
            console.print(t)
        if doc.people:
            console.print("人员：" + "；".join(f"{p.name}（{'、'.join(p.titles)}）" for p in doc.people))


def extract_command(
    files: Annotated[list[Path], typer.Argument(help="Files to read: .txt .docx .pdf .png .jpg …")],
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="json (the contract) or table")
    ] = OutputFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write one <stem>.json per file here")
    ] = None,
) -> None:
    """Extract documents, tasks, targets, money, people and groups from files."""
    Console(stderr=out is None and format is OutputFormat.json)
    err = Console(stderr=True)
    registry = _registry()
    failed: list[tuple[Path, str]] = []
    if out:
        out.mkdir(parents=True, exist_ok=True)
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=len(files) < 2 or not err.is_terminal,
    )
    results: list[dict[str, object]] = []
    with progress:
        bar = progress.add_task("提取 extracting", total=len(files))
        for path in files:
            progress.update(bar, description=path.name)
            try:
                data = path.read_bytes()
                extraction = run(Source(path.name, data, path), registry=registry)
            except DomainError as exc:
                failed.append((path, str(exc)))
                err.print(f"[red]✗ {path}[/]: {exc}")
                progress.advance(bar)
                continue
            except OSError as exc:
                failed.append((path, str(exc)))
                err.print(f"[red]✗ {path}[/]: 无法读取文件 (cannot read file): {exc.strerror or exc}")
                progress.advance(bar)
                continue
            if format is OutputFormat.json:
                payload = extraction_json(extraction)
                if out:
                    (out / f"{path.stem}.json").write_text(
                        json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8"
                    )
                else:
                    results.append(payload)
            else:
                if out:
                    (out / f"{path.stem}.json").write_text(
                        json.dumps(extraction_json(extraction), ensure_ascii=False, indent=1),
                        encoding="utf-8",
                    )
                _table(Console(), extraction)
            progress.advance(bar)
    if results:
        body = results[0] if len(results) == 1 else results
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=1) + "\n")
    if failed:
        err.print(f"[red]{len(failed)} 个文件失败 ({len(failed)} file(s) failed)[/]")
        raise typer.Exit(code=1)
