"""The supervisor's side of notifications: channels (per unit, or the 督查室's own) added, changed,
switched, removed and tested; failed deliveries retried.

Every change is audited. The log shows a webhook's address with its key
cut short and never a secret (only whether one is set): the audit log is
readable by every supervisor, the robot key is enough to post into a group.

`send_test` talks to the far side: it reads the configuration in one short
transaction, sends outside any transaction (a slow robot must not hold the
SQLite write lock), and records the outcome in another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import Delivery, NotifyChannel, Unit
from duban.db.repositories.notify import OFFICE, get_channel
from duban.errors import Conflict, NotFound, Rejected
from duban.integrations.channel import ChannelKind, ChannelOptions, Notice
from duban.integrations.registry import check_target, connect, display_target, kind_of
from duban.workflow import audit
from duban.workflow.audit import Actor
from duban.workflow.delivery import Connector, UnitOfWork, attempt, record_outcome

__all__ = [
    "ChannelChanges",
    "ChannelIn",
    "ChannelView",
    "TestOutcome",
    "add_channel",
    "delete_channel",
    "describe",
    "retry",
    "retry_failed",
    "send_test",
    "set_enabled",
    "update_channel",
    "view",
]

MAX_NAME = 100
MAX_SECRET = 200
ENTITY = "notify_channel"


@dataclass(frozen=True)
class ChannelIn:
    unit_id: int | None  # None: the 督查室's own channel
    kind: str
    name: str
    target: str
    secret: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class ChannelChanges:
    """None leaves a field as it is; `clear_secret` removes the DingTalk secret."""

    name: str | None = None
    target: str | None = None
    secret: str | None = None
    clear_secret: bool = False
    enabled: bool | None = None


def describe(channel: NotifyChannel) -> dict[str, Any]:
    """What the audit log keeps of a channel's configuration."""
    return {
        "unit_id": channel.unit_id,
        "kind": channel.kind,
        "name": channel.name,
        "target": display_target(ChannelKind(channel.kind), channel.target),
        "secret_set": bool(channel.secret),
        "enabled": channel.enabled,
    }


@dataclass(frozen=True)
class ChannelView:
    """A channel as pages, the API and the CLI show it: the webhook key cut short, the secret never."""

    id: int
    unit_id: int | None
    unit_name: str
    kind: ChannelKind
    name: str
    target: str
    secret_set: bool
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    last_error: str | None

    @property
    def kind_label(self) -> str:
        return self.kind.label

    @property
    def failing(self) -> bool:
        """The last thing that happened on this channel was a failure."""
        return self.last_failure_at is not None and (
            self.last_success_at is None or self.last_failure_at > self.last_success_at
        )


def view(channel: NotifyChannel) -> ChannelView:
    kind = ChannelKind(channel.kind)
    return ChannelView(
        id=channel.id,
        unit_id=channel.unit_id,
        unit_name=channel.unit.name if channel.unit else OFFICE,
        kind=kind,
        name=channel.name,
        target=display_target(kind, channel.target),
        secret_set=bool(channel.secret),
        enabled=channel.enabled,
        created_at=channel.created_at,
        updated_at=channel.updated_at,
        last_success_at=channel.last_success_at,
        last_failure_at=channel.last_failure_at,
        last_error=channel.last_error,
    )


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise Rejected("请填写通道名称", "channel name is empty")
    if len(name) > MAX_NAME:
        raise Rejected(f"通道名称不超过{MAX_NAME}字", "channel name too long")
    return name


def _secret(kind: ChannelKind, value: str | None) -> str | None:
    secret = (value or "").strip() or None
    if secret and kind is not ChannelKind.DINGTALK:
        raise Rejected("只有钉钉机器人需要加签密钥", "only DingTalk robots take a secret")
    if secret and len(secret) > MAX_SECRET:
        raise Rejected("加签密钥过长", "secret too long")
    return secret


def add_channel(session: Session, actor: Actor, data: ChannelIn) -> NotifyChannel:
    kind = kind_of(data.kind)
    if data.unit_id is not None and session.get(Unit, data.unit_id) is None:
        raise NotFound(f"单位 {data.unit_id} 不存在", f"unit {data.unit_id} not found")
    now = clock.now()
    channel = NotifyChannel(
        unit_id=data.unit_id,
        kind=kind.value,
        name=_name(data.name),
        target=check_target(kind, data.target),
        secret=_secret(kind, data.secret),
        enabled=data.enabled,
        created_at=now,
        updated_at=now,
    )
    session.add(channel)
    session.flush()
    audit.record(session, actor, "create", ENTITY, channel.id, after=describe(channel))
    return channel


def update_channel(session: Session, actor: Actor, channel_id: int, changes: ChannelChanges) -> NotifyChannel:
    channel = get_channel(session, channel_id)
    kind = ChannelKind(channel.kind)
    before = describe(channel)
    if changes.name is not None:
        channel.name = _name(changes.name)
    if changes.target is not None and changes.target.strip():
        channel.target = check_target(kind, changes.target)
    if changes.clear_secret:
        channel.secret = None
    elif changes.secret is not None and changes.secret.strip():
        channel.secret = _secret(kind, changes.secret)
    if changes.enabled is not None:
        channel.enabled = changes.enabled
    after = describe(channel)
    keys = [k for k in after if after[k] != before[k]]
    if changes.target is not None and changes.target.strip() and "target" not in keys:
        keys.append("target")  # a new key with the same first characters is still a change
    if changes.secret and not changes.clear_secret:
        keys.append("secret_set")
    if not keys:
        return channel
    channel.updated_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        ENTITY,
        channel.id,
        before={k: before[k] for k in keys},
        after={k: after[k] for k in keys},
    )
    return channel


def set_enabled(session: Session, actor: Actor, channel_id: int, enabled: bool) -> NotifyChannel:
    return update_channel(session, actor, channel_id, ChannelChanges(enabled=enabled))


def delete_channel(session: Session, actor: Actor, channel_id: int) -> str:
    """Remove a channel and its delivery records; returns its name."""
    channel = get_channel(session, channel_id)
    before, name = describe(channel), channel.name
    session.execute(delete(NotifyChannel).where(NotifyChannel.id == channel_id))
    audit.record(session, actor, "delete", ENTITY, channel_id, before=before)
    return name


@dataclass(frozen=True)
class TestOutcome:
    channel_id: int
    channel_name: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def send_test(
    unit_of_work: UnitOfWork,
    actor: Actor,
    channel_id: int,
    options: ChannelOptions,
    *,
    connector: Connector = connect,
) -> TestOutcome:
    """Send one test notice now; the outcome is recorded on the channel and in the audit log."""
    with unit_of_work() as session:
        channel = get_channel(session, channel_id)
        kind, target, secret, name = ChannelKind(channel.kind), channel.target, channel.secret, channel.name
        where = channel.unit.name if channel.unit else OFFICE
    notice = Notice(
        title="【测试】督办系统通知通道测试",
        body=f"这是一条测试消息：{where}的通知通道“{name}”已可以接收督办系统的交办、催办、退回、延期和批示通知。",
        kind_label="通道测试",
        created_at=clock.now(),
    )
    error = attempt(connector, kind, target, secret, options, notice)
    with unit_of_work() as session:
        record_outcome(session, channel_id, error)
        audit.record(session, actor, "test", ENTITY, channel_id, after={"ok": error is None, "error": error})
    return TestOutcome(channel_id, name, error)


# ------------------------------------------------------------------ the supervisor's retry


def retry(session: Session, actor: Actor, delivery_id: int) -> Delivery:
    """立即重试: a failed delivery is due again now, with a fresh set of tries."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"发送记录 {delivery_id} 不存在", f"delivery {delivery_id} not found")
    before = {"status": delivery.status, "attempts": delivery.attempts, "last_error": delivery.last_error}
    changed = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        raise Conflict("只能重试发送失败的通知", f"delivery {delivery_id} is {delivery.status}, not failed")
    session.refresh(delivery)
    audit.record(
        session, actor, "retry", "notify_delivery", delivery_id, before=before, after={"status": "pending"}
    )
    return delivery


def retry_failed(session: Session, actor: Actor, *, channel_id: int | None = None) -> int:
    """Retry every failed delivery (of one channel): after a robot's address was corrected, say."""
    where: list[ColumnElement[bool]] = [Delivery.status == "failed"]
    if channel_id is not None:
        where.append(Delivery.channel_id == channel_id)
    ids = list(session.scalars(select(Delivery.id).where(*where).order_by(Delivery.id)))
    if not ids:
        return 0
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor,
        "retry_failed",
        "notify_delivery",
        None,
        after={"channel_id": channel_id, "count": len(ids), "deliveries": ids[:200]},
    )
    return len(ids)
