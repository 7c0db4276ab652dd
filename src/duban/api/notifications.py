"""消息 (every user's inbox) and, for supervisors, notification channels and their deliveries.

The inbox is what the workflow wrote for this user, their unit, or (for
supervisors) the 督查室, readable the moment the change commits. Channels
carry the same messages to WeCom/DingTalk groups and mailboxes; a robot's
key and a DingTalk secret are never returned (the key is cut short).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from duban import jobs
from duban.api.schemas import PROBLEMS
from duban.db.repositories import inbox as inbox_repo
from duban.db.repositories import notify as notify_repo
from duban.db.repositories.notify import DeliveryRow
from duban.db.session import write_session
from duban.integrations.channel import ChannelKind
from duban.server.auth import Supervisor, Viewer
from duban.server.db import ReadDb, WriteDb
from duban.server.state import app_state
from duban.workflow import channels as channel_service
from duban.workflow import delivery
from duban.workflow.channels import ChannelView
from duban.workflow.notify import MessageKind

inbox_router = APIRouter(tags=["消息"], responses=PROBLEMS)
channels_router = APIRouter(tags=["通知通道"], responses=PROBLEMS)


# ------------------------------------------------------------------ inbox


class InboxItemOut(BaseModel):
    id: int
    kind: str = Field(
        description="assigned 交办 / reminder 催办 / returned 退回 / extension 延期 / instruction 批示 …"
    )
    kind_label: str
    title: str
    body: str
    task_id: int | None = Field(description="相关任务编号（如有）")
    created_at: dt.datetime
    read: bool = Field(description="是否已读")


class InboxPageOut(BaseModel):
    items: list[InboxItemOut]
    total: int = Field(description="符合条件的消息总数")
    unread: int = Field(description=f"未读消息数（最多计到 {inbox_repo.UNREAD_CAP}）")
    page: int
    per_page: int
    pages: int


class ReadAllOut(BaseModel):
    marked: int = Field(description="本次标为已读的消息数")


def _label(kind: str) -> str:
    try:
        return MessageKind(kind).label
    except ValueError:
        return kind


def _item(item: inbox_repo.InboxItem) -> InboxItemOut:
    return InboxItemOut(
        id=item.id,
        kind=item.kind,
        kind_label=_label(item.kind),
        title=item.title,
        body=item.body,
        task_id=item.task_id,
        created_at=item.created_at,
        read=item.read,
    )


@inbox_router.get("/inbox", response_model=InboxPageOut, summary="我的消息（新的在前）")
def inbox(
    user: Viewer,
    db: ReadDb,
    unread: Annotated[bool, Query(description="true：只看未读")] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=inbox_repo.MAX_PER_PAGE)] = 20,
) -> InboxPageOut:
    found = inbox_repo.inbox_page(db, user.principal, unread_only=unread, page=page, per_page=per_page)
    return InboxPageOut(
        items=[_item(i) for i in found.rows],
        total=found.total,
        unread=inbox_repo.unread_count(db, user.principal),
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
    )


@inbox_router.post("/inbox/read-all", response_model=ReadAllOut, summary="全部标为已读")
def read_all(user: Viewer, db: WriteDb) -> ReadAllOut:
    return ReadAllOut(marked=inbox_repo.mark_all_read(db, user.principal))


@inbox_router.post("/inbox/{message_id}/read", response_model=InboxItemOut, summary="标为已读")
def read_one(message_id: int, user: Viewer, db: WriteDb) -> InboxItemOut:
    return _item(inbox_repo.mark_read(db, user.principal, message_id))


# ------------------------------------------------------------------ channels (督查室)


class ChannelOut(BaseModel):
    id: int
    unit_id: int | None = Field(description="所属单位；null 表示督查室本身的通道")
    unit_name: str
    kind: ChannelKind = Field(description="wecom 企业微信群机器人 / dingtalk 钉钉群机器人 / email 电子邮件")
    kind_label: str
    name: str
    target: str = Field(description="Webhook 地址（密钥只显示前 4 位）或收件邮箱")
    secret_set: bool = Field(description="是否设置了钉钉加签密钥（密钥本身不返回）")
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    last_error: str | None = Field(description="最近一次失败的原因")


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: int | None = Field(
        description="所属单位编号；null 表示督查室本身（接收待验收、延期申请、领导批示）"
    )
    kind: ChannelKind
    name: str = Field(min_length=1, max_length=100, description="通道名称，如“财政局工作群”")
    target: str = Field(
        min_length=1, max_length=4000, description="机器人 Webhook 地址，或收件邮箱（逗号分隔）"
    )
    secret: str | None = Field(default=None, max_length=200, description="钉钉机器人的加签密钥（SEC 开头）")
    enabled: bool = True


class ChannelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    target: str | None = Field(default=None, min_length=1, max_length=4000)
    secret: str | None = Field(
        default=None, max_length=200, description="新的加签密钥；传 null 或空串取消加签"
    )
    enabled: bool | None = None


class TestOut(BaseModel):
    ok: bool
    error: str | None = Field(description="发送失败的原因")


class DeliveryOut(BaseModel):
    id: int
    status: Literal["pending", "sent", "failed"] = Field(
        description="pending 待发送 / sent 已发送 / failed 发送失败"
    )
    attempts: int = Field(description="已尝试次数")
    next_attempt_at: dt.datetime = Field(description="待发送时：下次尝试时间")
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    channel_id: int
    channel_name: str
    unit_name: str
    message_id: int
    title: str
    task_id: int | None


class DeliveryPageOut(BaseModel):
    items: list[DeliveryOut]
    total: int
    page: int
    per_page: int
    pages: int


def _channel_out(found: ChannelView) -> ChannelOut:
    return ChannelOut(**{name: getattr(found, name) for name in ChannelOut.model_fields})


def _delivery_out(row: DeliveryRow) -> DeliveryOut:
    return DeliveryOut.model_validate(row, from_attributes=True)


@channels_router.get("/channels", response_model=list[ChannelOut], summary="通知通道列表")
def channels(
    user: Supervisor,
    db: ReadDb,
    unit_id: Annotated[int | None, Query(description="只看该单位的通道")] = None,
    office: Annotated[bool, Query(description="true：只看督查室本身的通道")] = False,
) -> list[ChannelOut]:
    found = notify_repo.list_channels(db, unit_id=unit_id, office=office)
    return [_channel_out(channel_service.view(c)) for c in found]


@channels_router.post(
    "/channels", response_model=ChannelOut, status_code=status.HTTP_201_CREATED, summary="添加通知通道"
)
def add_channel(body: ChannelIn, user: Supervisor, db: WriteDb) -> ChannelOut:
    data = channel_service.ChannelIn(
        body.unit_id, body.kind.value, body.name, body.target, body.secret, body.enabled
    )
    return _channel_out(channel_service.view(channel_service.add_channel(db, user.principal.actor, data)))


@channels_router.get("/channels/{channel_id}", response_model=ChannelOut, summary="一个通知通道")
def channel(channel_id: int, user: Supervisor, db: ReadDb) -> ChannelOut:
    return _channel_out(channel_service.view(notify_repo.get_channel(db, channel_id)))


@channels_router.patch(
    "/channels/{channel_id}", response_model=ChannelOut, summary="修改、启用或停用通知通道"
)
def edit_channel(channel_id: int, body: ChannelPatch, user: Supervisor, db: WriteDb) -> ChannelOut:
    clear = "secret" in body.model_fields_set and not (body.secret or "").strip()
    changes = channel_service.ChannelChanges(
        name=body.name, target=body.target, secret=body.secret, clear_secret=clear, enabled=body.enabled
    )
    edited = channel_service.update_channel(db, user.principal.actor, channel_id, changes)
    return _channel_out(channel_service.view(edited))


@channels_router.delete(
    "/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT, summary="删除通知通道及其发送记录"
)
def delete_channel(channel_id: int, user: Supervisor, db: WriteDb) -> Response:
    channel_service.delete_channel(db, user.principal.actor, channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@channels_router.post("/channels/{channel_id}/test", response_model=TestOut, summary="发送测试消息")
def test_channel(channel_id: int, request: Request, user: Supervisor) -> TestOut:
    state = app_state(request)
    outcome = channel_service.send_test(
        lambda: write_session(state.engine),
        user.principal.actor,
        channel_id,
        delivery.options_from(state.settings).channel,
    )
    return TestOut(ok=outcome.ok, error=outcome.error)


@channels_router.get("/deliveries", response_model=DeliveryPageOut, summary="通知发送情况")
def deliveries(
    user: Supervisor,
    db: ReadDb,
    status_: Annotated[
        list[Literal["pending", "sent", "failed"]] | None,
        Query(alias="status", description="可多选；默认 failed 和 pending"),
    ] = None,
    channel_id: Annotated[int | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=notify_repo.MAX_PER_PAGE)] = 50,
) -> DeliveryPageOut:
    statuses = tuple(status_ or ("failed", "pending"))
    found = notify_repo.list_deliveries(db, statuses, channel_id=channel_id, page=page, per_page=per_page)
    return DeliveryPageOut(
        items=[_delivery_out(r) for r in found.rows],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
    )


@channels_router.post(
    "/deliveries/{delivery_id}/retry", response_model=DeliveryOut, summary="立即重试发送失败的通知"
)
def retry_delivery(
    delivery_id: int, request: Request, user: Supervisor, db: WriteDb, background: BackgroundTasks
) -> DeliveryOut:
    channel_service.retry(db, user.principal.actor, delivery_id)
    (row,) = notify_repo.list_deliveries(db, ("pending",), delivery_id=delivery_id).rows
    state = app_state(request)
    background.add_task(jobs.deliver_soon, state.settings, state.engine)
    return _delivery_out(row)


router = APIRouter()
router.include_router(inbox_router)
router.include_router(channels_router)
