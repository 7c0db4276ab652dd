"""`duban score --period 2026Q1 [--format table|json]`: the unit ranking for a period."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from duban import clock
from duban.cli.common import console, domain_errors, engine
from duban.db.session import read_session
from duban.workflow.scoring import Period, UnitScore, score_units


class ScoreFormat(StrEnum):
    table = "table"
    json = "json"


def _rate(score: UnitScore) -> str:
    rate = score.on_time_rate
    return "—" if rate is None else f"{rate:.1%}"


def _json(period: Period, today: dt.date, scores: list[UnitScore]) -> dict[str, Any]:
    return {
        "period": period.key,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": today.isoformat(),
        "units": [
            {
                "rank": s.rank,
                "unit_id": s.unit_id,
                "unit": s.unit_name,
                "due": s.due,
                "on_time": s.on_time,
                "late": s.late,
                "overdue": s.overdue,
                "open": s.open,
                "avg_days_late": round(s.avg_days_late, 2),
                "on_time_rate": None if s.on_time_rate is None else round(s.on_time_rate, 4),
            }
            for s in scores
        ],
    }


def score_command(
    period: Annotated[str, typer.Option("--period", "-p", help="考核期间：2026、2026H1、2026Q1 或 2026-03")],
    format: Annotated[ScoreFormat, typer.Option("--format", "-f", help="table 或 json")] = ScoreFormat.table,
) -> None:
    """各单位按期办结情况排名（按时率、逾期数、平均逾期天数）。"""
    with domain_errors():
        parsed = Period.parse(period)
        today = clock.today()
        with read_session(engine()) as session:
            scores = score_units(session, parsed, today)
    if format is ScoreFormat.json:
        sys.stdout.write(json.dumps(_json(parsed, today, scores), ensure_ascii=False, indent=1) + "\n")
        return
    title = f"{parsed.label}（{parsed.start:%Y-%m-%d} 至 {parsed.end:%Y-%m-%d}）单位办理情况排名，截至 {today:%Y-%m-%d}"
    if not scores:
        console.print(f"{title}\n该期间没有到期任务。", highlight=False)
        return
    table = Table(title=title)
    table.add_column("排名", justify="right")
    table.add_column("单位")
    for header in ("到期任务", "按时办结", "逾期办结", "逾期未办", "平均逾期天数", "按时率"):
        table.add_column(header, justify="right")
    for s in scores:
        table.add_row(
            str(s.rank),
            s.unit_name,
            str(s.due),
            str(s.on_time),
            str(s.late),
            str(s.overdue),
            f"{s.avg_days_late:.1f}",
            _rate(s),
        )
    console.print(table)
