"""`duban worker`: run the background job consumer (document processing, 催办 scans, recurring tasks)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer

from duban.config import get_settings
from duban.worker import DEFAULT_WORKERS, run


def worker_command(
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="并行执行任务的线程数")
    ] = DEFAULT_WORKERS,
    periodic: Annotated[
        bool,
        typer.Option("--periodic/--no-periodic", help="是否按计划执行定时任务（催办扫描、周期任务生成）"),
    ] = True,
) -> None:
    """启动后台任务进程（文件解析、催办扫描、周期任务生成），收到 SIGTERM 或 Ctrl-C 后平稳退出。"""
    settings = get_settings()
    if settings.redis_url:
        # Host, port and database only: the URL may carry a password.
        url = urlsplit(settings.redis_url)
        queue = f"Redis {url.hostname}:{url.port or 6379}{url.path}"
    else:
        queue = f"SQLite {settings.data_dir / 'queue.db'}"
    typer.echo(f"后台任务进程启动：{workers} 个线程，队列 {queue}", err=True)
    run(workers, periodic=periodic)
