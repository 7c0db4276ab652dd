"""通知设置 (supervisors only): each unit's robots and mailboxes, test sends, and 发送情况 with retry.

Unit users and leaders get 403 here (the `Supervisor` dependency): a robot
key is enough to post into a unit's group. A refused change re-renders the
page with its reason; the change runs in a savepoint, so nothing of it is kept.
A test send talks to the far side outside any transaction (see
`workflow.channels.send_test`), so it opens its own short sessions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban import jobs
from duban.db.models import Unit
from duban.db.repositories import audit as audit_repo
from duban.db.repositories import notify as notify_repo
from duban.db.session import write_session
from duban.errors import Rejected
from duban.integrations.channel import ChannelKind
from duban.server.auth import Supervisor
from duban.server.db import ReadDb, WriteDb
from duban.server.state import app_state
from duban.server.templating import flash, render
from duban.web.form_post import attempt
from duban.workflow import channels as channel_service
from duban.workflow import delivery

router = APIRouter(prefix="/admin/notify")

Field200 = Annotated[str, Form(max_length=200)]
STATUS_LABELS = {"failed": "发送失败", "pending": "待发送", "sent": "已发送"}
PER_PAGE = 50


def _units(db: Session) -> list[Unit]:
    return list(db.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)))


def _channels_context(db: Session, form: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "channels": [channel_service.view(c) for c in notify_repo.list_channels(db)],
        "open": notify_repo.open_deliveries_by_channel(db),
        "units": _units(db),
        "kinds": list(ChannelKind),
        "office": notify_repo.OFFICE,
        "form": form or {},
        "error": None,
        "section": "channels",
    }


def _channel_context(db: Session, channel_id: int) -> dict[str, Any]:
    channel = channel_service.view(notify_repo.get_channel(db, channel_id))
    return {
        "channel": channel,
        "open": notify_repo.open_deliveries_by_channel(db).get(channel_id, {"failed": 0, "pending": 0}),
        "events": audit_repo.list_events(db, entity="notify_channel", entity_id=channel_id, limit=20),
        "error": None,
        "section": "channels",
    }


def _unit_choice(value: str) -> int | None:
    """The posted unit: an id, or `office` for the 督查室's own channel."""
    if value == "office":
        return None
    if value.strip().isdigit():
        return int(value)
    raise Rejected("请选择单位（或督查室）", f"no unit chosen: {value!r}")


@router.get("")
def notify_home(user: Supervisor) -> RedirectResponse:
    return RedirectResponse("/admin/notify/channels", status_code=303)


@router.get("/channels")
def channels_page(request: Request, user: Supervisor, db: ReadDb) -> Response:
    return render(request, "admin/channels.html", _channels_context(db))


@router.post("/channels")
def channels_add(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    unit: Annotated[str, Form(max_length=20)],
    kind: Annotated[str, Form(max_length=20)],
    name: Field200,
    target: Annotated[str, Form(max_length=4000)],
    secret: Field200 = "",
) -> Response:
    form = {"unit": unit, "kind": kind, "name": name, "target": target}

    def change() -> str:
        data = channel_service.ChannelIn(_unit_choice(unit), kind, name, target, secret or None)
        added = channel_service.view(channel_service.add_channel(db, user.principal.actor, data))
        return f"已添加{added.unit_name}的通知通道“{added.name}”（{added.kind_label}），可点“发送测试”检查"

    return attempt(
        request,
        db,
        change,
        "admin/channels.html",
        lambda: _channels_context(db, form),
        "/admin/notify/channels",
    )


@router.get("/channels/{channel_id}")
def channel_page(request: Request, channel_id: int, user: Supervisor, db: ReadDb) -> Response:
    return render(request, "admin/channel.html", _channel_context(db, channel_id))


@router.post("/channels/{channel_id}")
def channel_edit(
    request: Request,
    channel_id: int,
    user: Supervisor,
    db: WriteDb,
    name: Field200,
    target: Annotated[str, Form(max_length=4000)] = "",
    secret: Field200 = "",
    clear_secret: Annotated[bool, Form()] = False,
) -> Response:
    def change() -> str:
        changes = channel_service.ChannelChanges(
            name=name, target=target or None, secret=secret or None, clear_secret=clear_secret
        )
        edited = channel_service.update_channel(db, user.principal.actor, channel_id, changes)
        return f"已保存通知通道“{edited.name}”"

    return attempt(
        request,
        db,
        change,
        "admin/channel.html",
        lambda: _channel_context(db, channel_id),
        f"/admin/notify/channels/{channel_id}",
    )


@router.post("/channels/{channel_id}/enabled")
def channel_enable(
    request: Request, channel_id: int, user: Supervisor, db: WriteDb, enabled: Annotated[bool, Form()]
) -> Response:
    def change() -> str:
        channel = channel_service.set_enabled(db, user.principal.actor, channel_id, enabled)
        return f"已{'启用' if enabled else '停用'}通知通道“{channel.name}”"

    return attempt(
        request, db, change, "admin/channels.html", lambda: _channels_context(db), "/admin/notify/channels"
    )


@router.post("/channels/{channel_id}/delete")
def channel_delete(request: Request, channel_id: int, user: Supervisor, db: WriteDb) -> Response:
    def change() -> str:
        name = channel_service.delete_channel(db, user.principal.actor, channel_id)
        return f"已删除通知通道“{name}”及其发送记录"

    return attempt(
        request, db, change, "admin/channels.html", lambda: _channels_context(db), "/admin/notify/channels"
    )


@router.post("/channels/{channel_id}/test")
def channel_test(
    request: Request,
    channel_id: int,
    user: Supervisor,
    back: Annotated[str, Form(max_length=200)] = "/admin/notify/channels",
) -> Response:
    state = app_state(request)
    outcome = channel_service.send_test(
        lambda: write_session(state.engine),
        user.principal.actor,
        channel_id,
        delivery.options_from(state.settings).channel,
    )
    if outcome.ok:
        flash(request, f"测试消息已发往“{outcome.channel_name}”，请到群里或邮箱确认收到")
    else:
        flash(request, f"测试消息未能发往“{outcome.channel_name}”：{outcome.error}", "error")
    target = back if back.startswith("/admin/notify/") and "//" not in back else "/admin/notify/channels"
    return RedirectResponse(target, status_code=303)


# ------------------------------------------------------------------ 发送情况


@router.get("/deliveries")
def deliveries_page(
    request: Request,
    user: Supervisor,
    db: ReadDb,
    status: Annotated[str, Query(pattern="^(failed|pending|sent|open)$")] = "open",
    channel: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    statuses = ("failed", "pending") if status == "open" else (status,)
    channel_id = int(channel) if channel.strip().isdigit() else None
    context = {
        "page": notify_repo.list_deliveries(
            db, statuses, channel_id=channel_id, page=page, per_page=PER_PAGE
        ),
        "status": status,
        "channel_id": channel_id,
        "channels": [channel_service.view(c) for c in notify_repo.list_channels(db)],
        "failed_total": notify_repo.count_deliveries(db, "failed"),
        "status_labels": STATUS_LABELS,
        "kind_labels": {k.value: k.label for k in ChannelKind},
        "section": "deliveries",
    }
    return render(request, "admin/deliveries.html", context)


def _deliver_after_commit(request: Request, background: BackgroundTasks) -> None:
    state = app_state(request)
    background.add_task(jobs.deliver_soon, state.settings, state.engine)


@router.post("/deliveries/retry-failed")
def deliveries_retry_failed(
    request: Request,
    user: Supervisor,
    db: WriteDb,
    background: BackgroundTasks,
    channel_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    chosen = int(channel_id) if channel_id.strip().isdigit() else None
    count = channel_service.retry_failed(db, user.principal.actor, channel_id=chosen)
    if count:
        _deliver_after_commit(request, background)
    flash(request, f"已安排重发 {count} 条发送失败的通知" if count else "没有发送失败的通知")
    return RedirectResponse("/admin/notify/deliveries", status_code=303)


@router.post("/deliveries/{delivery_id}/retry")
def delivery_retry(
    request: Request, delivery_id: int, user: Supervisor, db: WriteDb, background: BackgroundTasks
) -> Response:
    channel_service.retry(db, user.principal.actor, delivery_id)
    _deliver_after_commit(request, background)
    flash(request, "已安排立即重发，稍后刷新查看结果")
    return RedirectResponse("/admin/notify/deliveries", status_code=303)
