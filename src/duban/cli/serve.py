"""`duban serve`: the web app and REST API (uvicorn), with an in-process job worker unless told otherwise."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn
from rich.table import Table

from duban.cli.common import console, engine
from duban.config import get_settings
from duban.db.migrate import current_revision, head_revision
from duban.db.session import write_session
from duban.demo import ensure_demo_users


def _print_demo_logins(url: str) -> None:
    with write_session(engine()) as session:
        logins = ensure_demo_users(session)
    table = Table(title="演示账号（仅用于演示，请勿在生产环境使用 --demo）")
    for column in ("角色", "用户名", "密码", "姓名", "所属单位"):
        table.add_column(column)
    for login in logins:
        table.add_row(
            login.role.label, login.username, login.password, login.display_name, login.unit_name or "—"
        )
    console.print(table)
    console.print(f"在浏览器中打开 [bold]{url}[/bold] 并用上面的账号登录。按 Ctrl-C 停止。")


def serve_command(
    host: Annotated[str, typer.Option(help="监听地址；对局域网开放用 0.0.0.0")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口")] = 8000,
    workers: Annotated[int, typer.Option(help="Web 进程数（生产环境配合 PostgreSQL 使用多个）", min=1)] = 1,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="在本进程内运行后台任务（文件解析、催办扫描）；生产环境另起 duban worker",
        ),
    ] = True,
    demo: Annotated[bool, typer.Option("--demo", help="创建并打印演示账号（每种角色一个）")] = False,
) -> None:
    """启动 Web 界面和 REST 接口。"""
    if current_revision(engine()) != head_revision():
        console.print("[red]数据库尚未升级到最新结构，请先运行 duban db upgrade[/red]")
        raise typer.Exit(code=1)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if demo:
        _print_demo_logins(url)
    consumer = None
    if worker and not get_settings().queue_immediate:
        from duban.worker import create_consumer

        consumer = create_consumer(workers=1)
        consumer.start()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        uvicorn.run(
            "duban.server.asgi:app",
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            server_header=False,
            log_level="info",
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
