"""`duban report notice|circular|weekly|list`: issue the Word documents and write them to a file.

Each issue is one transaction: the number, the kept copy under
`data_dir/reports`, the record and its audit event; `--out` (default: the
document's own name in the current folder) gets the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from duban import clock
from duban.cli.common import UserOption, console, domain_errors, engine, principal
from duban.config import get_settings
from duban.db.models import IssuedReport
from duban.db.models.reports import ReportKind
from duban.db.repositories.issued_reports import list_reports
from duban.db.session import read_session, write_session
from duban.errors import Rejected
from duban.reports.issue import issue_circular, issue_notice, issue_weekly, read_report_file
from duban.workflow.principal import Principal
from duban.workflow.scoring import Period

report_app = typer.Typer(
    help="印发督办通知书、督查通报和周报（Word，GB/T 9704 公文格式）。", no_args_is_help=True
)

OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="写入的 .docx 文件（默认：当前目录下以文号和标题命名）")
]


def _issue(user: str | None, out: Path | None, make: Callable[[Session, Principal], IssuedReport]) -> None:
    settings = get_settings()
    with domain_errors():
        with write_session(engine()) as session:
            report = make(session, principal(session, user))
            content = read_report_file(settings, report)
            number, title, filename = report.doc_number, report.title, report.filename
        target = out or Path(filename)
        if target.suffix.lower() != ".docx":
            target = target.with_name(target.name + ".docx")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    console.print(f"已印发 {number or ''}《{title}》→ {target}", highlight=False)


@report_app.command("notice")
def notice_command(
    task_ids: Annotated[list[int], typer.Argument(help="任务编号（已交办、未办结），可多个")],
    out: OutOption = None,
    user: UserOption = None,
) -> None:
    """为一项或多项任务印发督办通知书（主送牵头、责任单位，编号 督办〔年〕N号）。"""
    _issue(user, out, lambda s, p: issue_notice(s, p, get_settings(), task_ids))


def _period(year: int, quarter: int | None, month: int | None) -> Period:
    if quarter is not None and month is not None:
        raise Rejected("--quarter 和 --month 只能选一个", "give --quarter or --month, not both")
    if quarter is not None:
        return Period.parse(f"{year}Q{quarter}")
    if month is not None:
        return Period.parse(f"{year}-{month:02d}")
    return Period.parse(str(year))


@report_app.command("circular")
def circular_command(
    year: Annotated[int, typer.Option("--year", "-y", help="年度，如 2026")],
    quarter: Annotated[int | None, typer.Option("--quarter", "-q", min=1, max=4, help="季度 1–4")] = None,
    month: Annotated[int | None, typer.Option("--month", "-m", min=1, max=12, help="月份 1–12")] = None,
    out: OutOption = None,
    user: UserOption = None,
) -> None:
    """印发一个年度、季度或月份的督查通报（排名、逾期事项、通报表扬和批评）。"""

    def make(session: Session, who: Principal) -> IssuedReport:
        return issue_circular(session, who, get_settings(), _period(year, quarter, month))

    _issue(user, out, make)


@report_app.command("weekly")
def weekly_command(
    week: Annotated[
        str | None, typer.Option("--week", "-w", help="该周任一天 YYYY-MM-DD（默认本周）")
    ] = None,
    out: OutOption = None,
    user: UserOption = None,
) -> None:
    """生成一周的督办工作周报（含图表）。"""

    def make(session: Session, who: Principal) -> IssuedReport:
        try:
            day = dt.date.fromisoformat(week) if week else clock.today()
        except ValueError:
            raise Rejected(f"日期格式应为 YYYY-MM-DD：{week}", f"bad date {week!r}") from None
        return issue_weekly(session, who, get_settings(), day)

    _issue(user, out, make)


@report_app.command("list")
def list_command(
    kind: Annotated[
        ReportKind | None, typer.Option("--kind", "-k", help="notice / circular / weekly")
    ] = None,
    user: UserOption = None,
) -> None:
    """列出已印发的文件（最新在前）。"""
    with domain_errors(), read_session(engine()) as session:
        listing = list_reports(session, principal(session, user), kind=kind, per_page=200)
        table = Table(title=f"已印发文件（共 {listing.total} 份）")
        for header in ("编号", "文号", "标题", "类型", "主送/抄送", "印发人", "印发时间"):
            table.add_column(header)
        for r in listing.rows:
            table.add_row(
                str(r.id),
                r.doc_number or "—",
                r.title,
                ReportKind(r.kind).label,
                "、".join(rec.unit.name for rec in r.recipients) or "—",
                r.created_by,
                clock.to_local(r.created_at).strftime("%Y-%m-%d %H:%M"),
            )
    console.print(table)
