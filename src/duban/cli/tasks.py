"""`duban tasks list|show|confirm|assign|ack|progress|submit|accept|return|extend|cancel|remind|instruct|export|import`.

Every command is one service call in one transaction, as `--user` (a unit
user can act only on its unit's tasks, exactly as in the web app). `--version`
makes the change conditional on the version the operator last saw.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import clock
from duban.cli import tasks_excel
from duban.cli.common import UserOption, console, domain_errors, engine, iso_date, principal
from duban.config import get_settings
from duban.db.models import AuditEvent, ExtensionRequest, Instruction, OwnerRole, ProgressReport, Task
from duban.db.repositories import units as unit_repo
from duban.db.repositories.tasks import SortKey, TaskQuery, list_tasks
from duban.db.session import read_session, write_session
from duban.errors import Rejected
from duban.workflow import service
from duban.workflow.principal import Principal
from duban.workflow.service import AttachmentIn, OwnerIn, TaskChanges
from duban.workflow.states import State
from duban.workflow.warnings import Light

tasks_app = typer.Typer(
    help="任务台账：查看、交办、签收、反馈、办结、延期、撤销；导出、导入 Excel 台账。", no_args_is_help=True
)
tasks_app.command("export")(tasks_excel.export_command)
tasks_app.command("import")(tasks_excel.import_command)

T = TypeVar("T")
VersionOption = Annotated[
    int | None, typer.Option("--version", help="仅当任务版本仍为此值时才修改（防止覆盖他人修改）")
]
TaskId = Annotated[int, typer.Argument(help="任务编号")]
_LIGHT_STYLE = {Light.RED: "red", Light.YELLOW: "yellow", Light.GREEN: "green", Light.NONE: "dim"}


def _act(user: str | None, fn: Callable[[Session, Principal], T]) -> T:
    with domain_errors(), write_session(engine()) as session:
        return fn(session, principal(session, user))


def _done(task: Task, what: str) -> None:
    console.print(
        f"任务 {task.id}：{what}（状态：{State(task.status).label}，版本 {task.version}）", highlight=False
    )


@tasks_app.command("list")
def list_command(
    status: Annotated[list[State] | None, typer.Option("--status", "-s", help="状态，可重复")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="责任单位名称或简称")] = None,
    light: Annotated[
        list[Light] | None, typer.Option("--light", help="预警：red/yellow/green/none，可重复")
    ] = None,
    document: Annotated[int | None, typer.Option("--document", help="来源文件编号")] = None,
    due_before: Annotated[str | None, typer.Option("--due-before", help="截止日期不晚于 YYYY-MM-DD")] = None,
    text: Annotated[str | None, typer.Option("--text", "-q", help="任务内容包含")] = None,
    sort: Annotated[SortKey, typer.Option("--sort", help="排序")] = SortKey.DEADLINE,
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=500)] = 50,
    user: UserOption = None,
) -> None:
    """列出台账中的任务，附红黄绿预警。"""
    today = clock.today()
    with domain_errors(), read_session(engine()) as session:
        who = principal(session, user)
        query = TaskQuery(
            statuses=status or (),
            unit_id=unit_repo.require(session, unit).id if unit else None,
            lights=light or (),
            document_id=document,
            due_to=iso_date(due_before, "截止日期"),
            text=text,
            sort=sort,
            page=page,
            per_page=per_page,
        )
        result = list_tasks(session, who, query, today, get_settings().near_due_workdays)
    table = Table(title=f"任务台账（共{result.total}项，第{result.page}/{result.pages}页）")
    for column in ("编号", "预警", "状态", "完成时限", "牵头单位", "责任单位", "任务内容"):
        table.add_column(column, overflow="fold")
    for row in result.rows:
        t = row.task
        deadline = (
            "—"
            if t.deadline is None
            else t.deadline.isoformat() + ("" if t.deadline_confirmed else "（待定）")
        )
        table.add_row(
            str(t.id),
            f"[{_LIGHT_STYLE[row.light]}]{row.light.label}[/]",
            State(t.status).label,
            deadline,
            row.lead or "—",
            "、".join(row.units) or "—",
            t.text if len(t.text) <= 80 else t.text[:79] + "…",
        )
    console.print(table)


@tasks_app.command("show")
def show_command(task_id: TaskId, user: UserOption = None) -> None:
    """显示一项任务：来源原文、责任单位、时限、进展、延期申请、批示和操作记录。"""
    with domain_errors(), read_session(engine()) as session:
        who = principal(session, user)
        task = service.load_task(session, who, task_id)
        names = {o.unit_id: o.unit.name for o in task.owners}
        console.rule(f"任务 {task.id}（{State(task.status).label}，版本 {task.version}）")
        console.print(task.text, highlight=False, markup=False)
        for role in OwnerRole:
            owners = [names[i] for i in task.unit_ids(role)]
            if owners:
                console.print(f"{role.label}：{'、'.join(owners)}", highlight=False)
        if task.leader_name:
            console.print(f"责任领导：{task.leader_name}", highlight=False)
        if task.deadline:
            note = "" if task.deadline_confirmed else "（节假日安排未公布，按周一至周五推算，待定）"
            console.print(f"完成时限：{task.deadline.isoformat()}{note}", highlight=False)
        for m in task.milestones:
            console.print(f"时间节点：{m.due.isoformat()} {m.text}", highlight=False, markup=False)
        _show_history(session, task.id)
        actions = service.available_actions(task, who)
        console.print("可执行操作：" + ("、".join(a.label for a in actions) or "无"), highlight=False)


def _show_history(session: Session, task_id: int) -> None:
    for report in session.scalars(select(ProgressReport).where(ProgressReport.task_id == task_id)):
        files = "".join(f" [附件：{a.filename}]" for a in report.attachments)
        kind = "办结报告" if report.is_completion else "进展"
        when = clock.to_local(report.created_at).strftime("%Y-%m-%d %H:%M")
        console.print(f"{kind} {when}：{report.text}{files}", highlight=False, markup=False)
    for ext in session.scalars(select(ExtensionRequest).where(ExtensionRequest.task_id == task_id)):
        console.print(
            f"延期申请 {ext.id}：至 {ext.new_deadline.isoformat()}，{ext.reason}（{ext.state}）",
            highlight=False,
            markup=False,
        )
    for ins in session.scalars(select(Instruction).where(Instruction.task_id == task_id)):
        console.print(f"批示：{ins.text}", highlight=False, markup=False)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "task", AuditEvent.entity_id == task_id)
        .order_by(AuditEvent.seq)
    )
    for event in events:
        when = clock.to_local(event.at).strftime("%Y-%m-%d %H:%M")
        why = f"，理由：{event.reason}" if event.reason else ""
        console.print(f"记录 {when} {event.actor} {event.action}{why}", highlight=False, markup=False)


@tasks_app.command("confirm")
def confirm_command(task_id: TaskId, version: VersionOption = None, user: UserOption = None) -> None:
    """确认一项草稿任务（已与原文核对）。"""
    _done(_act(user, lambda s, p: service.confirm(s, p, task_id, expected_version=version)), "已确认")


def _owners(session: Session, lead: str | None, units: list[str], support: list[str]) -> list[OwnerIn] | None:
    if not (lead or units or support):
        return None
    named = [(lead, OwnerRole.LEAD)] if lead else []
    named += [(n, OwnerRole.RESPONSIBLE) for n in units] + [(n, OwnerRole.SUPPORTING) for n in support]
    return [OwnerIn(unit_repo.require(session, name).id, role) for name, role in named]


@tasks_app.command("assign")
def assign_command(
    task_id: TaskId,
    lead: Annotated[str | None, typer.Option("--lead", help="牵头单位")] = None,
    unit: Annotated[list[str] | None, typer.Option("--unit", help="责任单位，可重复")] = None,
    support: Annotated[list[str] | None, typer.Option("--support", help="配合单位，可重复")] = None,
    deadline: Annotated[str | None, typer.Option("--deadline", help="完成时限 YYYY-MM-DD")] = None,
    workdays: Annotated[int | None, typer.Option("--workdays", min=1, help="自今日起N个工作日内完成")] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="责任领导")] = None,
    version: VersionOption = None,
    user: UserOption = None,
) -> None:
    """交办：指定单位和时限（不指定则沿用草稿中的），通知责任单位签收。"""

    def run(s: Session, p: Principal) -> Task:
        changes = TaskChanges(
            owners=_owners(s, lead, unit or [], support or []),
            deadline=iso_date(deadline, "完成时限"),
            deadline_workdays=workdays,
            leader_name=leader,
        )
        return service.assign(s, p, task_id, changes, expected_version=version)

    task = _act(user, run)
    _done(task, f"已交办，完成时限 {task.deadline.isoformat() if task.deadline else '未定'}")


@tasks_app.command("ack")
def ack_command(task_id: TaskId, version: VersionOption = None, user: UserOption = None) -> None:
    """签收。"""
    _done(_act(user, lambda s, p: service.acknowledge(s, p, task_id, expected_version=version)), "已签收")


def _attachments(paths: list[Path]) -> list[AttachmentIn]:
    files = []
    for path in paths:
        if not path.is_file():
            raise Rejected(f"附件不存在：{path}", f"no such file {path}")
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files.append(AttachmentIn(path.name, path.read_bytes(), media))
    return files


AttachOption = Annotated[list[Path] | None, typer.Option("--attach", "-a", help="附件文件，可重复")]


@tasks_app.command("progress")
def progress_command(
    task_id: TaskId,
    text: Annotated[str, typer.Argument(help="进展情况")],
    attach: AttachOption = None,
    version: VersionOption = None,
    user: UserOption = None,
) -> None:
    """反馈进展，可附文件。"""
    folder = get_settings().attachments_dir

    def run(s: Session, p: Principal) -> ProgressReport:
        files = _attachments(attach or [])
        return service.report_progress(
            s, p, task_id, text, files, attachments_dir=folder, expected_version=version
        )

    report = _act(user, run)
    console.print(f"任务 {task_id}：已反馈进展（第 {report.id} 号报告，附件 {len(report.attachments)} 个）")


@tasks_app.command("submit")
def submit_command(
    task_id: TaskId,
    text: Annotated[str, typer.Argument(help="完成情况")],
    attach: AttachOption = None,
    version: VersionOption = None,
    user: UserOption = None,
) -> None:
    """申请办结。"""
    folder = get_settings().attachments_dir

    def run(s: Session, p: Principal) -> Task:
        files = _attachments(attach or [])
        return service.submit(s, p, task_id, text, files, attachments_dir=folder, expected_version=version)

    _done(_act(user, run), "已申请办结，待验收")


@tasks_app.command("accept")
def accept_command(task_id: TaskId, version: VersionOption = None, user: UserOption = None) -> None:
    """验收办结（销号）。"""
    _done(_act(user, lambda s, p: service.accept(s, p, task_id, expected_version=version)), "已验收办结")


ReasonOption = Annotated[str | None, typer.Option("--reason", "-r", help="理由")]


@tasks_app.command("return")
def return_command(
    task_id: TaskId, reason: ReasonOption = None, version: VersionOption = None, user: UserOption = None
) -> None:
    """退回办结申请（须写明理由）。"""
    _done(
        _act(user, lambda s, p: service.return_task(s, p, task_id, reason, expected_version=version)),
        "已退回",
    )


@tasks_app.command("extend")
def extend_command(
    task_id: TaskId,
    to: Annotated[str | None, typer.Option("--to", help="申请延期至 YYYY-MM-DD（责任单位）")] = None,
    approve: Annotated[int | None, typer.Option("--approve", help="批准该编号的延期申请（督查室）")] = None,
    refuse: Annotated[
        int | None, typer.Option("--refuse", help="不批准该编号的延期申请（督查室，须写理由）")
    ] = None,
    reason: ReasonOption = None,
    version: VersionOption = None,
    user: UserOption = None,
) -> None:
    """申请延期（--to），或审批延期申请（--approve / --refuse）。"""
    if sum(x is not None for x in (to, approve, refuse)) != 1:
        raise typer.BadParameter("--to、--approve、--refuse 须且只能用一个")
    if to is not None:
        new_deadline = to

        def request(s: Session, p: Principal) -> ExtensionRequest:
            wanted = iso_date(new_deadline, "延期日期")
            assert wanted is not None
            return service.request_extension(s, p, task_id, wanted, reason, expected_version=version)

        ext = _act(user, request)
        console.print(f"任务 {task_id}：已提交延期申请（编号 {ext.id}），待督查室审批", highlight=False)
        return
    request_id = approve if approve is not None else refuse
    assert request_id is not None

    def decide(s: Session, p: Principal) -> ExtensionRequest:
        ext = s.get(ExtensionRequest, request_id)
        if ext is None or ext.task_id != task_id:
            raise Rejected(f"任务 {task_id} 没有编号为 {request_id} 的延期申请", "no such extension request")
        return service.decide_extension(
            s, p, request_id, approve is not None, reason, expected_version=version
        )

    ext = _act(user, decide)
    verdict = f"已批准，完成时限调整为 {ext.new_deadline.isoformat()}" if approve is not None else "未批准"
    console.print(f"任务 {task_id}：延期申请 {ext.id} {verdict}", highlight=False)


@tasks_app.command("cancel")
def cancel_command(
    task_id: TaskId, reason: ReasonOption = None, version: VersionOption = None, user: UserOption = None
) -> None:
    """撤销任务（须写明理由）。"""
    _done(_act(user, lambda s, p: service.cancel(s, p, task_id, reason, expected_version=version)), "已撤销")


@tasks_app.command("remind")
def remind_command(
    task_id: TaskId,
    message: Annotated[str | None, typer.Option("--message", "-m", help="催办内容")] = None,
    user: UserOption = None,
) -> None:
    """催办（每项任务每天一次）。"""
    _act(user, lambda s, p: service.remind(s, p, task_id, message))
    console.print(f"任务 {task_id}：已催办")


@tasks_app.command("instruct")
def instruct_command(
    task_id: TaskId, text: Annotated[str, typer.Argument(help="批示内容")], user: UserOption = None
) -> None:
    """领导批示。"""
    _act(user, lambda s, p: service.instruct(s, p, task_id, text))
    console.print(f"任务 {task_id}：已批示")
