"""Issuing the Word documents: number, build, keep the file, record it, audit it — in the caller's transaction.

Only the 督查室 issues. Each issued document is kept under
`data_dir/reports/<year>/` and recorded in `issued_reports` with what it was
made from, so it can be downloaded again byte for byte (its SHA-256 is
checked on the way out). The number is allocated in the same transaction
as the record, so a failed issue gives its number back; the file is
written before the commit, so a failed commit can leave an unreferenced
file behind, never a record without its file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import IssuedReport, ReportRecipient, UserRole
from duban.db.models.reports import ReportKind
from duban.errors import DomainError, Forbidden, NotFound, Rejected
from duban.reports import queries
from duban.reports.numbering import allocate, doc_number
from duban.reports.rules import evaluate, load_rules
from duban.reports.word.circular import CircularData, build_circular, circular_title
from duban.reports.word.layout import Issuer
from duban.reports.word.notice import NOTICE_TITLE, addressees, build_notice
from duban.reports.word.weekly import WeeklyData, build_weekly, weekly_title
from duban.storage import write_atomic
from duban.workflow.audit import record
from duban.workflow.principal import Principal
from duban.workflow.scoring import Period, score_units
from duban.workflow.states import State

__all__ = [
    "DOCX_MEDIA_TYPE",
    "MAX_NOTICE_TASKS",
    "issue_circular",
    "issue_notice",
    "issue_weekly",
    "issuer_of",
    "read_report_file",
    "reports_dir",
]

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_NOTICE_TASKS = 50
OVERDUE_LISTED = 200


class ReportFileDamaged(DomainError):
    status = 500
    code = "report_file_damaged"


def reports_dir(settings: Settings) -> Path:
    return settings.data_dir / "reports"


def issuer_of(settings: Settings) -> Issuer:
    return Issuer(
        org=settings.org_name,
        signoff=settings.report_signoff or settings.org_name,
        contact=settings.report_contact,
    )


def _require_supervisor(principal: Principal) -> None:
    if principal.role is not UserRole.SUPERVISOR:
        raise Forbidden("仅督查室可以印发督办通知书、督查通报和周报", "only supervisors issue documents")


def _keep(settings: Settings, relative: str, content: bytes) -> None:
    """Write atomically (temp file + rename): a download never sees half a file."""
    write_atomic(reports_dir(settings) / relative, content)


@dataclass(frozen=True)
class _Made:
    kind: ReportKind
    title: str
    content: bytes
    year: int
    series: str | None = None
    number: int | None = None
    doc_number: str | None = None
    params: dict[str, Any] | None = None
    task_ids: Sequence[int] = ()
    recipient_ids: Sequence[int] = ()


def _record(
    session: Session, principal: Principal, settings: Settings, made: _Made, now: dt.datetime
) -> IssuedReport:
    digest = hashlib.sha256(made.content).hexdigest()
    stem = f"{made.kind.value}-{made.number:04d}" if made.number is not None else made.kind.value
    relative = f"{made.year}/{stem}-{now:%Y%m%d%H%M%S}-{digest[:12]}.docx"
    _keep(settings, relative, made.content)
    report = IssuedReport(
        kind=made.kind.value,
        series=made.series,
        year=made.year,
        number=made.number,
        doc_number=made.doc_number,
        title=made.title,
        params=made.params or {},
        task_ids=list(made.task_ids),
        filename=f"{made.doc_number or ''}{made.title}.docx",
        stored_path=relative,
        sha256=digest,
        size_bytes=len(made.content),
        created_by_id=principal.user_id,
        created_by=principal.name,
        created_at=now,
        recipients=[ReportRecipient(unit_id=uid, position=i) for i, uid in enumerate(made.recipient_ids)],
    )
    session.add(report)
    session.flush()
    record(
        session,
        principal.actor,
        "issue",
        "report",
        report.id,
        after={
            "kind": made.kind.value,
            "doc_number": made.doc_number,
            "title": made.title,
            "task_ids": list(made.task_ids),
            "recipients": list(made.recipient_ids),
            "sha256": digest,
        },
    )
    return report


# --- 督办通知书 -----------------------------------------------------------------------------------


def _check_notice_tasks(task_ids: Sequence[int], found: Sequence[queries.NoticeTask]) -> None:
    present = {t.task.id for t in found}
    missing = [i for i in task_ids if i not in present]
    if missing:
        raise NotFound(f"任务 {'、'.join(map(str, missing))} 不存在", f"no tasks {missing}")
    problems = []
    for item in found:
        task = item.task
        if task.status not in queries.HANDED_OUT:
            problems.append(
                f"任务 {task.id} 状态为“{State(task.status).label}”，只有已交办、未办结的任务可以督办"
            )
        elif task.deadline is None:
            problems.append(f"任务 {task.id} 没有完成时限")
        elif not task.owners:
            problems.append(f"任务 {task.id} 没有责任单位")
    if problems:
        raise Rejected("；".join(problems), "some tasks cannot be put under a notice")


def issue_notice(
    session: Session, principal: Principal, settings: Settings, task_ids: Sequence[int]
) -> IssuedReport:
    """A numbered 督办通知书 for the tasks (handed out, not done), addressed to their owner units."""
    _require_supervisor(principal)
    ids = list(dict.fromkeys(task_ids))
    if not ids:
        raise Rejected("请选择要督办的任务", "no tasks given")
    if len(ids) > MAX_NOTICE_TASKS:
        raise Rejected(
            f"一份督办通知书最多包含 {MAX_NOTICE_TASKS} 项任务", f"at most {MAX_NOTICE_TASKS} tasks"
        )
    found = queries.notice_tasks(session, ids)
    _check_notice_tasks(ids, found)
    now, today = clock.now(), clock.today()
    deadlines = [t.task.deadline for t in found if t.task.deadline is not None and t.task.deadline > today]
    feedback_by = min([clock.add_workdays(today, settings.notice_feedback_workdays).date, *deadlines])
    series = settings.notice_number_prefix
    number = allocate(session, series, today.year)
    numbered = doc_number(series, today.year, number)
    content = build_notice(
        doc_number=numbered,
        tasks=found,
        issuer=issuer_of(settings),
        day=today,
        feedback_by=feedback_by,
        created=now,
    )
    made = _Made(
        kind=ReportKind.NOTICE,
        title=NOTICE_TITLE,
        content=content,
        year=today.year,
        series=series,
        number=number,
        doc_number=numbered,
        params={"feedback_by": feedback_by.isoformat()},
        task_ids=ids,
        recipient_ids=addressees(found).unit_ids,
    )
    return _record(session, principal, settings, made, now)


# --- 督查通报 -------------------------------------------------------------------------------------


def issue_circular(
    session: Session, principal: Principal, settings: Settings, period: Period
) -> IssuedReport:
    """A numbered 督查通报 for the period, as of today, with praise and criticism by the configured rules."""
    _require_supervisor(principal)
    now, today = clock.now(), clock.today()
    if period.start > today:
        raise Rejected(f"{period.label}尚未开始，不能通报", f"period {period.key} has not started")
    rules = load_rules(settings.report_rules_file)
    overdue, overdue_total = queries.overdue_in_period(session, period, today, OVERDUE_LISTED)
    verdicts = evaluate(session, rules, period, today)
    data = CircularData(
        period=period,
        as_of=today,
        summary=queries.period_summary(session, period, today),
        scores=score_units(session, period, today),
        overdue=overdue,
        overdue_total=overdue_total,
        verdicts=verdicts,
        rules=rules,
    )
    series = settings.circular_number_prefix
    number = allocate(session, series, today.year)
    numbered = doc_number(series, today.year, number)
    content = build_circular(
        doc_number=numbered, data=data, issuer=issuer_of(settings), day=today, created=now
    )
    made = _Made(
        kind=ReportKind.CIRCULAR,
        title=circular_title(period),
        content=content,
        year=today.year,
        series=series,
        number=number,
        doc_number=numbered,
        params={
            "period": period.key,
            "as_of": today.isoformat(),
            "rules": rules.describe(),
            "praised": [v.unit_name for v in verdicts.praise],
            "criticised": [v.unit_name for v in verdicts.criticism],
        },
        task_ids=[item.task_id for item in overdue],
    )
    return _record(session, principal, settings, made, now)


# --- 周报 ------------------------------------------------------------------------------------------


def issue_weekly(
    session: Session, principal: Principal, settings: Settings, week_of: dt.date
) -> IssuedReport:
    """The 周报 of the week (Monday to Sunday) that holds `week_of`, as of today or the week's end."""
    _require_supervisor(principal)
    now, today = clock.now(), clock.today()
    monday = queries.monday_of(week_of)
    if monday > today:
        raise Rejected("不能生成尚未开始的一周的周报", f"week of {monday} has not started")
    sunday = monday + dt.timedelta(days=6)
    as_of = min(sunday, today)
    data = WeeklyData(
        week=queries.week_counts(session, monday, today),
        as_of=as_of,
        trend=queries.weekly_trend(session, monday, today),
        statuses=queries.status_counts(session),
        units=queries.unit_status(session, today),
        overdue_this_week=queries.due_between(session, monday, sunday, today, overdue_only=True),
        due_next_week=queries.due_between(
            session, sunday + dt.timedelta(days=1), sunday + dt.timedelta(days=7), today, overdue_only=False
        ),
    )
    content = build_weekly(data=data, issuer=issuer_of(settings), day=today, created=now)
    made = _Made(
        kind=ReportKind.WEEKLY,
        title=weekly_title(monday),
        content=content,
        year=monday.isocalendar()[0],
        params={"week_of": monday.isoformat(), "as_of": as_of.isoformat()},
    )
    return _record(session, principal, settings, made, now)


# --- downloads ---------------------------------------------------------------------------------------


def read_report_file(settings: Settings, report: IssuedReport) -> bytes:
    """The kept file, exactly as issued; an error if it is gone or no longer matches its hash."""
    path = reports_dir(settings) / report.stored_path
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(
            f"“{report.filename}”的文件已丢失，请联系督查室", f"report file missing: {path}"
        ) from None
    if hashlib.sha256(content).hexdigest() != report.sha256:
        raise ReportFileDamaged(
            f"“{report.filename}”的文件已被改动，与印发时不一致，请联系督查室", f"report file changed: {path}"
        )
    return content
