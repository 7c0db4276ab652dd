"""`duban ingest PATH...`: keep files, parse them and draft their tasks into the ledger.

Folders are walked recursively (hidden files and unsupported types skipped);
files named on the command line are always tried. Each file is its own
transaction, so a file that fails leaves the others stored. A file no reader
can parse is still kept, marked failed: the command lists those and exits 0.
The schema must be current (see `duban.cli.db.ensure_schema`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from duban.cli.common import UserOption, console, domain_errors, engine, err_console, principal
from duban.cli.db import ensure_schema
from duban.config import get_settings
from duban.db.models import UserRole
from duban.db.session import read_session, write_session
from duban.errors import DomainError, Forbidden, NotFound
from duban.ingest.read import supported_suffixes
from duban.ingest.store import IngestResult, Outcome, ingest_file
from duban.ingest.types import Source
from duban.workflow.audit import Actor

log = logging.getLogger(__name__)

_STYLES = {
    Outcome.NEW: "green",
    Outcome.NEW_VERSION: "cyan",
    Outcome.UNCHANGED: "dim",
    Outcome.FAILED: "red",
}


@dataclass(frozen=True)
class _Line:
    path: Path
    outcome: Outcome
    result: IngestResult | None = None
    error: str | None = None


def collect_files(paths: list[Path]) -> list[Path]:
    """Files named, and supported files under folders named (recursively), each once, in order."""
    suffixes = set(supported_suffixes())
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_file():
            found.setdefault(path, None)
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in suffixes:
                    found.setdefault(child, None)
        else:
            raise NotFound(f"找不到文件或文件夹“{path}”。", f"no such file or folder: {path}")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _ingest_one(path: Path, actor: Actor) -> _Line:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _Line(path, Outcome.FAILED, error=f"无法读取文件：{exc.strerror or exc}")
    settings = get_settings()
    try:
        with write_session(engine()) as session:
            result = ingest_file(session, Source(path.name, data, path), actor, settings)
    except DomainError as exc:
        return _Line(path, Outcome.FAILED, error=exc.message_zh)
    except Exception as exc:
        # One broken file must not stop a batch of thousands; it was rolled back and is listed.
        log.warning("ingest of %s failed", path, exc_info=True)
        return _Line(path, Outcome.FAILED, error=f"导入时出错，未保存：{type(exc).__name__}: {exc}")
    return _Line(path, result.outcome, result=result, error=result.error)


def _summary(lines: list[_Line]) -> None:
    table = Table("文件", "结果", "版本", "分节", "任务", "说明", expand=True)
    for line in lines:
        result = line.result
        style = _STYLES[line.outcome]
        table.add_row(
            str(line.path),
            f"[{style}]{line.outcome.label}[/]",
            str(result.version) if result else "",
            str(result.sections) if result and result.outcome is not Outcome.UNCHANGED else "",
            str(result.tasks) if result and result.outcome is not Outcome.UNCHANGED else "",
            line.error or "",
        )
    console.print(table)
    counts = Counter(line.outcome for line in lines)
    console.print(
        "，".join(f"{outcome.label} {counts[outcome]}" for outcome in Outcome)
        + f"（共 {len(lines)} 个文件）",
        highlight=False,
        soft_wrap=True,
    )


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="要导入的文件或文件夹（文件夹递归导入）")],
    user: UserOption = None,
) -> None:
    """导入文件：保存原件、解析并生成待确认的任务草稿；同一文件重复导入不会重复入库。"""
    with domain_errors():
        files = collect_files(paths)
        target = engine()
        ensure_schema(target)
        with read_session(target) as session:
            acting = principal(session, user)
        if acting.role is not UserRole.SUPERVISOR:
            raise Forbidden("只有督查室用户可以导入文件。", "only supervisors may ingest files")
    if not files:
        console.print("没有找到可导入的文件。")
        return
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
    )
    lines: list[_Line] = []
    with progress:
        bar = progress.add_task("导入", total=len(files))
        for path in files:
            progress.update(bar, description=path.name)
            lines.append(_ingest_one(path, acting.actor))
            progress.advance(bar)
    _summary(lines)
    failed = [line for line in lines if line.outcome is Outcome.FAILED]
    if failed:
        err_console.print(
            f"[red]{len(failed)} 个文件解析失败[/red]（原件已保存的可在修复后重新上传）：", highlight=False
        )
        for line in failed:
            err_console.print(f"  ✗ {line.path}：{line.error}", highlight=False, soft_wrap=True)
