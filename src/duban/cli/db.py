"""`duban db upgrade` and `duban db current`; `ensure_schema` for the commands that use the database.

Schema policy: the embedded default — no `DUBAN_DATABASE_URL`, so the SQLite
file in the data folder — is brought to the newest schema automatically, so
that one command starts duban on a fresh machine. A configured database
(PostgreSQL in production, or any explicit URL) is never migrated behind the
operator's back: the command stops with a message telling them to run
`duban db upgrade`.
"""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from duban.cli.common import console, domain_errors, engine
from duban.config import get_settings
from duban.db.migrate import current_revision, head_revision, upgrade
from duban.errors import Conflict

db_app = typer.Typer(help="数据库结构：升级到最新版本、查看当前版本。", no_args_is_help=True)


def ensure_schema(engine: Engine) -> None:
    """Return when the schema is at head; upgrade the embedded default; otherwise raise Conflict."""
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return
    if not get_settings().database_url and engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    if current is None:
        raise Conflict(
            "数据库尚未初始化（没有表结构）。请先运行：duban db upgrade",
            "the database has no schema yet; run `duban db upgrade`",
        )
    raise Conflict(
        f"数据库结构版本（{current}）与程序要求的版本（{head}）不一致。请先运行：duban db upgrade",
        f"the database schema is at {current}, the code needs {head}; run `duban db upgrade`",
    )


@db_app.command("upgrade")
def upgrade_command() -> None:
    """把数据库结构升级到最新版本（可重复运行；已是最新时不做任何改动）。"""
    with domain_errors():
        target = engine()
        before = current_revision(target)
        upgrade(target)
        after = current_revision(target)
    if before == after:
        console.print(f"数据库结构已是最新版本：{after}", highlight=False)
    else:
        console.print(f"数据库结构已升级：{before or '（空库）'} → {after}", highlight=False)


@db_app.command("current")
def current_command() -> None:
    """显示数据库当前的结构版本和程序要求的最新版本；需要升级时退出码为 1。"""
    with domain_errors():
        current = current_revision(engine())
    head = head_revision()
    console.print(f"当前版本：{current or '（未初始化）'}", highlight=False)
    console.print(f"最新版本：{head}", highlight=False)
    if current == head:
        console.print("数据库结构是最新的。")
        return
    console.print("需要升级：请运行 duban db upgrade", highlight=False)
    raise typer.Exit(code=1)
