"""The inbox: who sees which message, newest first, read marks, 全部已读, and the capped unread count."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from duban.db.models import ExtensionRequest, InboxRead, OwnerRole
from duban.db.repositories import inbox
from duban.db.session import read_session, write_session
from duban.errors import NotFound
from duban.workflow import notify, service
from duban.workflow.notify import MessageKind
from duban.workflow.principal import Principal
from tests.personas import World, add_task


def _say(engine: Engine, title: str, *, unit_id: int | None = None, user_id: int | None = None) -> int:
    with write_session(engine) as s:
        message = notify.enqueue(s, MessageKind.REMINDER, title, "正文", unit_id=unit_id, user_id=user_id)
        s.flush()
        return message.id


def _titles(engine: Engine, who: Principal, **kw: object) -> list[str]:
    with read_session(engine) as s:
        return [item.title for item in inbox.inbox_page(s, who, **kw).rows]  # type: ignore[arg-type]


def _unread(engine: Engine, who: Principal) -> int:
    with read_session(engine) as s:
        return inbox.unread_count(s, who)


def test_each_user_sees_what_is_addressed_to_them_newest_first(engine: Engine, world: World) -> None:
    _say(engine, "给财政局", unit_id=world.unit_a)
    _say(engine, "给住建局", unit_id=world.unit_b)
    _say(engine, "给督查室")
    _say(engine, "给财政局的张三", unit_id=world.unit_a, user_id=world.unit_a_user.user_id)
    _say(engine, "给领导", user_id=world.leader.user_id)
    _say(engine, "给财政局的另一人", unit_id=world.unit_a, user_id=world.supervisor.user_id)
    assert _titles(engine, world.unit_a_user) == ["给财政局的张三", "给财政局"]
    assert _titles(engine, world.unit_b_user) == ["给住建局"]
    assert _titles(engine, world.supervisor) == ["给财政局的另一人", "给督查室"]
    assert _titles(engine, world.leader) == ["给领导"]


def test_a_workflow_change_is_in_the_inbox_as_soon_as_it_commits(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task_id = add_task(
            s,
            owners=[(world.unit_a, OwnerRole.LEAD), (world.unit_c, OwnerRole.SUPPORTING)],
            deadline=dt.date(2099, 1, 1),
        ).id
    with write_session(engine) as s:
        service.assign(s, world.supervisor, task_id)
    # No delivery pass has run: the inbox reads the outbox itself.
    assert _titles(engine, world.unit_a_user) == ["【交办】区财政局负责落实专项资金拨付工作。"]
    assert _titles(engine, world.unit_c_user) == ["【交办】区财政局负责落实专项资金拨付工作。"]
    assert _titles(engine, world.unit_b_user) == []
    assert _unread(engine, world.unit_a_user) == 1


def test_the_five_kinds_reach_the_units_and_the_office_hears_what_is_theirs(
    engine: Engine, world: World
) -> None:
    unit, boss = world.unit_a_user, world.supervisor
    with write_session(engine) as s:
        task_id = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], deadline=dt.date(2099, 1, 1)).id
    steps = [
        lambda s: service.assign(s, boss, task_id),
        lambda s: service.acknowledge(s, unit, task_id),
        lambda s: service.remind(s, boss, task_id, "请加快进度"),
        lambda s: service.request_extension(s, unit, task_id, dt.date(2099, 6, 30), "雨季停工"),
        lambda s: service.decide_extension(s, boss, _pending(s), approve=True),
        lambda s: service.submit(s, unit, task_id, "已完成"),
        lambda s: service.return_task(s, boss, task_id, "缺少凭证"),
        lambda s: service.instruct(s, world.leader, task_id, "务必月底前办结"),
    ]
    for step in steps:
        with write_session(engine) as s:
            step(s)
    with read_session(engine) as s:
        to_unit = [i.kind for i in reversed(inbox.inbox_page(s, unit).rows)]
        to_office = [i.kind for i in reversed(inbox.inbox_page(s, boss).rows)]
    assert to_unit == ["assigned", "reminder", "extension", "returned", "instruction"]
    assert to_office == ["extension", "submitted", "instruction"]


def _pending(session: Session) -> int:
    return session.scalars(select(ExtensionRequest.id)).one()


def test_mark_read_is_per_user_and_idempotent(engine: Engine, world: World) -> None:
    first = _say(engine, "一", unit_id=world.unit_a)
    _say(engine, "二", unit_id=world.unit_a)
    with write_session(engine) as s:
        assert inbox.mark_read(s, world.unit_a_user, first).read
        inbox.mark_read(s, world.unit_a_user, first)
    with read_session(engine) as s:
        rows = inbox.inbox_page(s, world.unit_a_user).rows
        assert [(r.title, r.read) for r in rows] == [("二", False), ("一", True)]
        assert [r.title for r in inbox.inbox_page(s, world.unit_a_user, unread_only=True).rows] == ["二"]
        assert s.scalar(select(func.count()).select_from(InboxRead)) == 1
    assert _unread(engine, world.unit_a_user) == 1


def test_nobody_marks_a_message_not_addressed_to_them(engine: Engine, world: World) -> None:
    other = _say(engine, "给住建局", unit_id=world.unit_b)
    with pytest.raises(NotFound), write_session(engine) as s:
        inbox.mark_read(s, world.unit_a_user, other)
    with pytest.raises(NotFound), write_session(engine) as s:
        inbox.mark_read(s, world.unit_a_user, 999_999)


def test_all_read_marks_everything_so_far_and_new_messages_are_unread(engine: Engine, world: World) -> None:
    one = _say(engine, "一", unit_id=world.unit_a)
    _say(engine, "二", unit_id=world.unit_a)
    with write_session(engine) as s:
        inbox.mark_read(s, world.unit_a_user, one)
    with write_session(engine) as s:
        assert inbox.mark_all_read(s, world.unit_a_user) == 1
    with write_session(engine) as s:
        assert inbox.mark_all_read(s, world.unit_a_user) == 0
        assert s.scalar(select(func.count()).select_from(InboxRead)) == 0  # folded into the read-through mark
    _say(engine, "三", unit_id=world.unit_a)
    assert _unread(engine, world.unit_a_user) == 1
    assert _titles(engine, world.unit_a_user, unread_only=True) == ["三"]
    assert _unread(engine, world.unit_b_user) == 0
    with write_session(engine) as s:
        assert inbox.mark_all_read(s, world.unit_a_user) == 1
    assert _unread(engine, world.unit_a_user) == 0


def test_the_unread_count_stops_at_the_cap_and_pages_count_everything(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        for n in range(7):
            notify.enqueue(s, MessageKind.REMINDER, f"消息{n}", "正文", unit_id=world.unit_a)
    with read_session(engine) as s:
        assert inbox.unread_count(s, world.unit_a_user, cap=5) == 5
        page = inbox.inbox_page(s, world.unit_a_user, page=2, per_page=3)
    assert (page.total, page.pages, [r.title for r in page.rows]) == (7, 3, ["消息3", "消息2", "消息1"])
