"""The `duban` command: a thin adapter over the services (parse input → call → render)."""

from __future__ import annotations

import typer

from duban.cli.extract import extract_command

app = typer.Typer(
    help="督办 duban: 从政府文件中提取任务台账并跟踪督办。", no_args_is_help=True, add_completion=False
)
app.command("extract")(extract_command)


@app.callback()
def _root() -> None:
    """duban command line."""


def main() -> None:
    app()
