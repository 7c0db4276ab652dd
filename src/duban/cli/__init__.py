"""The `duban` command: a thin adapter over the services (parse input → call → render)."""

from __future__ import annotations

import typer

from duban.cli.audit import audit_app
from duban.cli.backup import backup_command
from duban.cli.db import db_app
from duban.cli.extract import extract_command
from duban.cli.ingest import ingest_command
from duban.cli.notify import notify_app
from duban.cli.report import report_app
from duban.cli.score import score_command
from duban.cli.search import search_command
from duban.cli.serve import serve_command
from duban.cli.tasks import tasks_app
from duban.cli.units import units_app
from duban.cli.users import users_app
from duban.cli.worker import worker_command

app = typer.Typer(
    help="督办 duban: 从政府文件中提取任务台账并跟踪督办。", no_args_is_help=True, add_completion=False
)
app.command("extract")(extract_command)
app.command("ingest")(ingest_command)
app.add_typer(db_app, name="db")
app.add_typer(units_app, name="units")
app.add_typer(tasks_app, name="tasks")
app.add_typer(users_app, name="users")
app.command("score")(score_command)
app.command("search")(search_command)
app.add_typer(report_app, name="report")
app.add_typer(audit_app, name="audit")
app.add_typer(notify_app, name="notify")
app.command("backup")(backup_command)
app.command("worker")(worker_command)
app.command("serve")(serve_command)


@app.callback()
def _root() -> None:
    """duban command line."""


def main() -> None:
    app()
