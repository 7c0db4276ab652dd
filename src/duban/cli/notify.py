"""`duban notify deliver | channels list|add|enable|disable|remove | test ID | deliveries | retry`.

Notifications are written to the outbox by the workflow and shown in each
user's inbox at once; the worker pushes them to the units' WeCom/DingTalk
robots and mailboxes every minute. These commands are the operator's view
of that: run a pass by hand, configure channels, check and retry failures.
Configuring is for supervisors (the default operator is one).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from duban.cli.common import UserOption, console, domain_errors, engine, principal
from duban.cli.db import ensure_schema
from duban.clock import to_local
from duban.config import get_settings
from duban.db.models import UserRole
from duban.db.repositories import notify as notify_repo
from duban.db.repositories import units as unit_repo
from duban.db.session import read_session, write_session
from duban.errors import Forbidden, Rejected
from duban.integrations.channel import ChannelKind
from duban.workflow import channels as channel_service
from duban.workflow import delivery
from duban.workflow.audit import Actor

notify_app = typer.Typer(
    help="通知：推送到企业微信群、钉钉群和邮箱；通道配置、发送情况与重试。", no_args_is_help=True
)
channels_app = typer.Typer(help="通知通道：每个单位（或督查室）的群机器人和收件邮箱。", no_args_is_help=True)
notify_app.add_typer(channels_app, name="channels")

ChannelId = Annotated[int, typer.Argument(help="通道编号（见 duban notify channels list）")]
_STATUS = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}


def _supervisor(session: Session, user: str | None) -> Actor:
    acting = principal(session, user)
    if acting.role is not UserRole.SUPERVISOR:
        raise Forbidden("只有督查室用户可以配置通知。", "only supervisors configure notifications")
    return acting.actor


def _time(value: object) -> str:
    return f"{to_local(value):%Y-%m-%d %H:%M}" if value is not None else "—"  # type: ignore[arg-type]


@notify_app.command("deliver")
def deliver_command() -> None:
    """推送一轮：把待发的消息分发到各通道并发送到期的，打印计数（后台每分钟自动执行）。"""
    with domain_errors():
        target = engine()
        ensure_schema(target)
        result = delivery.deliver(lambda: write_session(target), delivery.options_from(get_settings()))
    counts = result.summary()
    console.print(
        f"分发消息 {counts['dispatched']} 条，生成发送任务 {counts['queued']} 条；"
        f"发送成功 {counts['sent']}，稍后重试 {counts['retrying']}，失败 {counts['failed']}，"
        f"顺延 {counts['deferred']}。",
        highlight=False,
    )
    if counts["failed"]:
        raise typer.Exit(code=1)


@channels_app.command("list")
def channels_list(
    unit: Annotated[str | None, typer.Option("--unit", help="只看该单位的通道")] = None,
) -> None:
    """列出通知通道：单位、类型、地址（密钥只显示前 4 位）、状态、最近一次发送结果。"""
    with domain_errors():
        target = engine()
        ensure_schema(target)
        with read_session(target) as session:
            unit_id = unit_repo.require(session, unit).id if unit else None
            found = [channel_service.view(c) for c in notify_repo.list_channels(session, unit_id=unit_id)]
            counts = notify_repo.open_deliveries_by_channel(session)
    if not found:
        console.print("还没有通知通道。用 duban notify channels add 添加。")
        return
    table = Table("编号", "单位", "名称", "类型", "地址", "状态", "最近结果", "失败/待发")
    for c in found:
        last = (
            f"[red]{_time(c.last_failure_at)} 失败：{c.last_error}[/red]"
            if c.failing
            else (f"{_time(c.last_success_at)} 成功" if c.last_success_at else "尚未发送")
        )
        open_ = counts.get(c.id, {"failed": 0, "pending": 0})
        table.add_row(
            str(c.id),
            c.unit_name,
            c.name,
            c.kind_label,
            c.target + (" (加签)" if c.secret_set else ""),
            "启用" if c.enabled else "停用",
            last,
            f"{open_['failed']}/{open_['pending']}",
        )
    console.print(table)


@channels_app.command("add")
def channels_add(
    kind: Annotated[ChannelKind, typer.Option("--kind", help="wecom 企业微信 / dingtalk 钉钉 / email 邮件")],
    target: Annotated[str, typer.Option("--target", help="机器人 Webhook 地址，或收件邮箱（逗号分隔）")],
    unit: Annotated[str | None, typer.Option("--unit", help="所属单位；不填须给 --office")] = None,
    office: Annotated[
        bool, typer.Option("--office", help="督查室本身的通道（待验收、延期申请、批示）")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="通道名称，默认“单位+类型”")] = None,
    secret: Annotated[str | None, typer.Option("--secret", help="钉钉加签密钥（SEC 开头）")] = None,
    user: UserOption = None,
) -> None:
    """为单位（或督查室）添加一个通知通道。"""
    with domain_errors():
        if office == (unit is not None):
            raise Rejected(
                "请用 --unit 指定单位，或用 --office 表示督查室（二选一）", "give --unit or --office"
            )
        target_db = engine()
        ensure_schema(target_db)
        with write_session(target_db) as session:
            actor = _supervisor(session, user)
            found = unit_repo.require(session, unit) if unit else None
            label = name or f"{found.name if found else notify_repo.OFFICE}{kind.label}"
            data = channel_service.ChannelIn(found.id if found else None, kind.value, label, target, secret)
            added = channel_service.view(channel_service.add_channel(session, actor, data))
    console.print(
        f"已添加通道 {added.id}：{added.unit_name} · {added.name}（{added.kind_label}）。"
        f"可用 duban notify test {added.id} 发送测试消息。",
        highlight=False,
    )


def _switch(channel_id: int, enabled: bool, user: str | None) -> None:
    with domain_errors(), write_session(engine()) as session:
        channel = channel_service.set_enabled(session, _supervisor(session, user), channel_id, enabled)
        name = channel.name
    console.print(f"已{'启用' if enabled else '停用'}通道 {channel_id}（{name}）。", highlight=False)


@channels_app.command("enable")
def channels_enable(channel_id: ChannelId, user: UserOption = None) -> None:
    """启用通道。"""
    _switch(channel_id, True, user)


@channels_app.command("disable")
def channels_disable(channel_id: ChannelId, user: UserOption = None) -> None:
    """停用通道：不再分发新消息，已待发的暂停发送。"""
    _switch(channel_id, False, user)


@channels_app.command("remove")
def channels_remove(channel_id: ChannelId, user: UserOption = None) -> None:
    """删除通道及其发送记录（配置变更留在审计日志中）。"""
    with domain_errors(), write_session(engine()) as session:
        name = channel_service.delete_channel(session, _supervisor(session, user), channel_id)
    console.print(f"已删除通道 {channel_id}（{name}）。", highlight=False)


@notify_app.command("test")
def test_command(channel_id: ChannelId, user: UserOption = None) -> None:
    """立即向通道发送一条测试消息，打印结果（失败时退出码 1）。"""
    with domain_errors():
        target = engine()
        with read_session(target) as session:
            actor = _supervisor(session, user)
        options = delivery.options_from(get_settings()).channel
        outcome = channel_service.send_test(lambda: write_session(target), actor, channel_id, options)
    if not outcome.ok:
        console.print(f"[red]发送失败[/red]：{outcome.error}", highlight=False)
        raise typer.Exit(code=1)
    console.print(
        f"测试消息已发往通道 {channel_id}（{outcome.channel_name}），请到群里或邮箱确认。", highlight=False
    )


@notify_app.command("deliveries")
def deliveries_command(
    status: Annotated[str, typer.Option("--status", help="failed / pending / sent")] = "failed",
    limit: Annotated[int, typer.Option("--limit", min=1, max=200)] = 50,
) -> None:
    """列出发送记录（默认：发送失败的），含失败原因、已试次数和下次尝试时间。"""
    if status not in _STATUS:
        raise typer.BadParameter("须是 failed、pending 或 sent", param_hint="--status")
    with domain_errors(), read_session(engine()) as session:
        page = notify_repo.list_deliveries(session, (status,), per_page=limit)
    if not page.rows:
        console.print(f"没有{_STATUS[status]}的通知。")
        return
    table = Table("编号", "消息", "单位 · 通道", "状态", "已试", "下次尝试", "原因")
    for d in page.rows:
        table.add_row(
            str(d.id),
            d.title,
            f"{d.unit_name} · {d.channel_name}",
            _STATUS.get(d.status, d.status),
            str(d.attempts),
            _time(d.next_attempt_at) if d.status == "pending" else "—",
            d.last_error or "",
        )
    console.print(table)
    if page.total > len(page.rows):
        console.print(f"（共 {page.total} 条，只列出前 {len(page.rows)} 条）")


@notify_app.command("retry")
def retry_command(
    delivery_id: Annotated[int | None, typer.Argument(help="发送记录编号；不填须给 --all")] = None,
    all_failed: Annotated[bool, typer.Option("--all", help="所有发送失败的")] = False,
    user: UserOption = None,
) -> None:
    """把发送失败的通知重新排入发送（下一轮推送时发出；可接着运行 duban notify deliver）。"""
    with domain_errors():
        if all_failed == (delivery_id is not None):
            raise Rejected("请给出发送记录编号，或用 --all（二选一）", "give an id or --all")
        with write_session(engine()) as session:
            actor = _supervisor(session, user)
            if delivery_id is not None:
                channel_service.retry(session, actor, delivery_id)
                count = 1
            else:
                count = channel_service.retry_failed(session, actor)
    console.print(f"已重新排入发送 {count} 条。", highlight=False)
