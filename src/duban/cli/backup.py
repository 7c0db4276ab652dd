"""`duban backup [--out PATH]`: an online SQLite backup, or the pg_dump command for PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from duban import clock
from duban.cli.common import console, domain_errors, err_console
from duban.config import get_settings
from duban.db.backup import backup_sqlite, pg_dump_command
from duban.db.session import database_url
from duban.errors import Conflict, NotFound, Rejected


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _target(out: Path | None, default_dir: Path, name: str) -> Path:
    if out is None:
        return default_dir / name
    return out / name if out.is_dir() else out


def backup_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="备份文件路径或目录（默认 <数据目录>/backups/duban-时间.db）"),
    ] = None,
) -> None:
    """备份数据库：SQLite 在线备份并校验；PostgreSQL 打印对应的 pg_dump 命令。"""
    settings = get_settings()
    stamp = f"{clock.to_local(clock.now()):%Y%m%d-%H%M%S}"
    backups = settings.data_dir / "backups"
    with domain_errors():
        url = make_url(database_url(settings))
        backend = url.get_backend_name()
        if backend == "postgresql":
            command, had_password = pg_dump_command(url, _target(out, backups, f"duban-{stamp}.dump"))
            console.print("PostgreSQL 数据库请用 pg_dump 备份，命令如下：", highlight=False)
            console.print(command, highlight=False, soft_wrap=True, markup=False)
            if had_password:
                console.print(
                    "（密码未显示：运行前请设置环境变量 PGPASSWORD 或使用 ~/.pgpass）", highlight=False
                )
            return
        if backend != "sqlite":
            raise Rejected(f"不支持备份 {backend} 数据库", f"cannot back up a {backend} database")
        if not url.database or url.database == ":memory:":
            raise Rejected("内存数据库无法备份", "an in-memory database cannot be backed up")
        source = Path(url.database)
        if not source.is_file():
            raise NotFound(f"数据库文件不存在：{source}", f"no database file at {source}")
        target = _target(out, backups, f"duban-{stamp}.db")
        if target.exists():
            raise Conflict(f"备份文件已存在，不会覆盖：{target}", f"{target} exists; not overwriting it")
        target.parent.mkdir(parents=True, exist_ok=True)
        result = backup_sqlite(source, target)
    if not result.ok:
        err_console.print(
            f"[red]备份文件校验失败[/red]：{result.path}\nintegrity_check: {result.integrity}",
            highlight=False,
        )
        raise typer.Exit(code=1)
    console.print(
        f"已备份到 {result.path}（{_size(result.size_bytes)}），完整性校验通过",
        highlight=False,
        soft_wrap=True,
    )
