"""Delivering outbox messages to channels: fan-out, backoff, recovery, permanent failure, isolation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import AuditEvent, Delivery, NotifyChannel, OutboxMessage, OwnerRole
from duban.db.repositories.notify import count_deliveries, list_deliveries
from duban.db.session import read_session, write_session
from duban.errors import Conflict
from duban.integrations.channel import Channel, ChannelKind, ChannelOptions
from duban.integrations.fakes import RecordingChannel
from duban.workflow import channels, delivery, notify, service
from duban.workflow.delivery import DeliveryOptions, PassResult
from duban.workflow.notify import MessageKind
from tests.integrations.servers import Reply, RobotServer, robot_server
from tests.personas import World, add_task

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI)
BUSY = Reply({"errcode": 45009, "errmsg": "api freq out of limit"})


def _uow(engine: Engine) -> Callable[[], AbstractContextManager[Session]]:
    return lambda: write_session(engine)


def _channel(
    engine: Engine,
    world: World,
    unit_id: int | None,
    target: str,
    kind: str = "wecom",
    *,
    enabled: bool = True,
) -> int:
    with write_session(engine) as s:
        data = channels.ChannelIn(unit_id, kind, f"通道{target[-12:]}", target, enabled=enabled)
        return channels.add_channel(s, world.supervisor.actor, data).id


def _message(
    engine: Engine, unit_id: int | None, title: str = "【交办】落实专项资金拨付", **kw: object
) -> int:
    with write_session(engine) as s:
        message = notify.enqueue(s, MessageKind.ASSIGNED, title, "请签收并办理。", unit_id=unit_id, **kw)  # type: ignore[arg-type]
        s.flush()
        return message.id


def _deliver(engine: Engine, options: DeliveryOptions | None = None, **kw: object) -> PassResult:
    return delivery.deliver(_uow(engine), options or DeliveryOptions(), **kw)  # type: ignore[arg-type]


def _deliveries(engine: Engine) -> list[Delivery]:
    with read_session(engine) as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def test_backoff_waits_1_5_15_60_240_minutes_then_keeps_240() -> None:
    waits = [(delivery.next_try(n, START) - START).total_seconds() / 60 for n in range(1, 8)]
    assert waits == [1, 5, 15, 60, 240, 240, 240]


def test_fan_out_gives_each_enabled_channel_of_the_unit_one_delivery(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    with time_machine.travel(START, tick=False):
        mine = _channel(engine, world, world.unit_a, robot.url("/a1"))
        _channel(engine, world, world.unit_a, robot.url("/a2-off"), enabled=False)
        other = _channel(engine, world, world.unit_b, robot.url("/b"))
        office = _channel(engine, world, None, robot.url("/office"))
        to_a = _message(engine, world.unit_a)
        to_office = _message(engine, None, "【待验收】报送材料")
        _message(engine, world.unit_a, "个人消息", user_id=world.unit_a_user.user_id)
        result = _deliver(engine)
    assert (result.dispatched, result.queued, result.sent) == (3, 2, 2)
    assert {(d.message_id, d.channel_id) for d in _deliveries(engine)} == {(to_a, mine), (to_office, office)}
    assert sorted(r.path for r in robot.received) == ["/a1", "/office"]
    assert other not in {d.channel_id for d in _deliveries(engine)}
    with read_session(engine) as s:
        assert set(s.scalars(select(OutboxMessage.status))) == {"sent"}


def test_a_new_channel_does_not_receive_older_messages(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        _message(engine, world.unit_a)
        traveller.shift(dt.timedelta(seconds=1))
        _channel(engine, world, world.unit_a, robot.url())
        result = _deliver(engine)
    assert (result.dispatched, result.queued) == (1, 0)
    assert robot.received == []


def test_a_channel_that_fails_twice_and_recovers_is_sent_on_the_third_try(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    robot.answer(BUSY, BUSY)
    with time_machine.travel(START, tick=False) as traveller:
        channel_id = _channel(engine, world, world.unit_a, robot.url())
        _message(engine, world.unit_a)

        assert _deliver(engine).retrying == 1
        (first,) = _deliveries(engine)
        assert (first.status, first.attempts) == ("pending", 1)
        assert first.next_attempt_at == clock.now() + dt.timedelta(minutes=1)
        assert first.last_error == "企业微信机器人拒收：errcode=45009 api freq out of limit"

        traveller.shift(dt.timedelta(seconds=59))
        assert _deliver(engine).summary() == PassResult().summary()  # not due yet

        traveller.shift(dt.timedelta(seconds=1))
        assert _deliver(engine).retrying == 1
        (second,) = _deliveries(engine)
        assert second.attempts == 2 and second.next_attempt_at == clock.now() + dt.timedelta(minutes=5)

        traveller.shift(dt.timedelta(minutes=5))
        assert _deliver(engine).sent == 1
    (done,) = _deliveries(engine)
    assert (done.status, done.attempts, done.last_error) == ("sent", 3, None)
    assert len(robot.received) == 3
    assert robot.received[0].body == robot.received[2].body
    with read_session(engine) as s:
        channel = s.get_one(NotifyChannel, channel_id)
        assert channel.last_success_at is not None and channel.last_failure_at is not None
        assert channel.last_success_at > channel.last_failure_at


def test_a_permanent_failure_is_marked_failed_and_listed_for_the_supervisor(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    robot.answer(*[Reply({"errcode": 93000, "errmsg": "invalid webhook url"})] * 3)
    options = DeliveryOptions(max_attempts=3)
    with time_machine.travel(START, tick=False) as traveller:
        _channel(engine, world, world.unit_a, robot.url())
        _message(engine, world.unit_a, "【催办】报送专项资金使用情况")
        for wait in (0, 1, 5):
            traveller.shift(dt.timedelta(minutes=wait))
            _deliver(engine, options)
        traveller.shift(dt.timedelta(days=1))
        assert _deliver(engine, options).summary() == PassResult().summary()  # failed ones are not retried
    (failed,) = _deliveries(engine)
    assert (failed.status, failed.attempts) == ("failed", 3)
    with read_session(engine) as s:
        assert count_deliveries(s, "failed") == 1
        (row,) = list_deliveries(s, ("failed",)).rows
    assert row.title == "【催办】报送专项资金使用情况" and row.unit_name == "区财政局"
    assert row.last_error == "企业微信机器人拒收：errcode=93000 invalid webhook url"


def test_retry_now_sends_a_failed_delivery_again_and_is_audited(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    robot.answer(BUSY)
    with time_machine.travel(START, tick=False):
        _channel(engine, world, world.unit_a, robot.url())
        _message(engine, world.unit_a)
        _deliver(engine, DeliveryOptions(max_attempts=1))
        (failed,) = _deliveries(engine)
        assert failed.status == "failed"
        with write_session(engine) as s:
            retried = channels.retry(s, world.supervisor.actor, failed.id)
            assert (retried.status, retried.attempts) == ("pending", 0)
        assert _deliver(engine).sent == 1
        with pytest.raises(Conflict), write_session(engine) as s:
            channels.retry(s, world.supervisor.actor, failed.id)
    with read_session(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "notify_delivery")).one()
    assert (event.action, event.entity_id, event.before["status"]) == ("retry", failed.id, "failed")


def test_retry_failed_requeues_every_failed_delivery_of_a_channel(engine: Engine, world: World) -> None:
    broken = RecordingChannel(fail_times=99)
    with time_machine.travel(START, tick=False):
        first = _channel(engine, world, world.unit_a, "https://robot.example/one")
        _channel(engine, world, world.unit_b, "https://robot.example/two")
        _message(engine, world.unit_a)
        _message(engine, world.unit_b)
        _deliver(engine, DeliveryOptions(max_attempts=1), connector=lambda *a: broken)
        with write_session(engine) as s:
            assert channels.retry_failed(s, world.supervisor.actor, channel_id=first) == 1
    assert sorted(d.status for d in _deliveries(engine)) == ["failed", "pending"]


def test_a_failing_channel_blocks_neither_the_other_channel_nor_the_workflow(
    engine: Engine, world: World, robot: RobotServer
) -> None:
    with robot_server() as broken:
        broken.answer(*[Reply({"errmsg": "down"}, status=503)] * 5)
        with time_machine.travel(START, tick=False):
            _channel(engine, world, world.unit_a, broken.url("/broken"))
            good = _channel(engine, world, world.unit_a, robot.url("/good"))
            with write_session(engine) as s:
                task_id = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)]).id
            with write_session(engine) as s:  # the workflow change commits whatever the channels do
                service.assign(s, world.supervisor, task_id)
            with write_session(engine) as s:
                service.remind(s, world.supervisor, task_id, "请本周内报送")
            result = _deliver(engine)
    # The broken channel failed once and rested; the good one got both messages in the same pass.
    assert (result.sent, result.retrying, result.deferred) == (2, 1, 1)
    assert [r.path for r in robot.received] == ["/good", "/good"]
    assert len(broken.received) == 1
    assert {d.status for d in _deliveries(engine) if d.channel_id == good} == {"sent"}


def test_a_channel_that_raises_unexpectedly_is_recorded_as_a_failure(engine: Engine, world: World) -> None:
    class Exploding:
        def send(self, notice: object) -> None:
            raise UnicodeError("bad codec")

    with time_machine.travel(START, tick=False):
        _channel(engine, world, world.unit_a, "https://robot.example/x")
        _message(engine, world.unit_a)
        result = _deliver(engine, connector=lambda *a: Exploding())
    assert result.retrying == 1
    (row,) = _deliveries(engine)
    assert row.last_error == "内部错误：UnicodeError: bad codec"


def test_a_disabled_channel_is_skipped_and_resumes_when_enabled(engine: Engine, world: World) -> None:
    fake = RecordingChannel()
    with time_machine.travel(START, tick=False):
        channel_id = _channel(engine, world, world.unit_a, "https://robot.example/x")
        _message(engine, world.unit_a)
        with write_session(engine) as s:  # disabled after the message was fanned out to it
            delivery.fan_out(s, clock.now())
            channels.set_enabled(s, world.supervisor.actor, channel_id, False)
        _message(engine, world.unit_a, "【催办】停用期间的消息")
        assert _deliver(engine, connector=lambda *a: fake).sent == 0
        with write_session(engine) as s:
            channels.set_enabled(s, world.supervisor.actor, channel_id, True)
        assert _deliver(engine, connector=lambda *a: fake).sent == 1
    assert [n.title for n in fake.sent] == ["【交办】落实专项资金拨付"]
    assert len(_deliveries(engine)) == 1  # nothing was queued for it while it was off


def test_robots_get_at_most_their_share_per_pass(engine: Engine, world: World) -> None:
    fake = RecordingChannel()
    with time_machine.travel(START, tick=False):
        _channel(engine, world, world.unit_a, "https://robot.example/x")
        for n in range(delivery.ROBOT_SENDS_PER_PASS + 2):
            _message(engine, world.unit_a, f"消息{n}")
        first = _deliver(engine, connector=lambda *a: fake)
        second = _deliver(engine, connector=lambda *a: fake)
    assert (first.sent, first.deferred, second.sent) == (delivery.ROBOT_SENDS_PER_PASS, 2, 2)
    assert len(fake.sent) == delivery.ROBOT_SENDS_PER_PASS + 2


def test_a_delivery_being_sent_is_not_sent_again_by_a_second_worker(engine: Engine, world: World) -> None:
    sent: list[str] = []
    inner: list[PassResult] = []

    class SecondWorkerMeanwhile:
        def send(self, notice: object) -> None:
            if not inner:  # while the first worker is sending, a second one runs a pass
                inner.append(_deliver(engine, connector=lambda *a: RecordingChannel()))
            sent.append("first")

    with time_machine.travel(START, tick=False):
        _channel(engine, world, world.unit_a, "https://robot.example/x")
        _message(engine, world.unit_a)
        assert _deliver(engine, connector=lambda *a: SecondWorkerMeanwhile()).sent == 1
    assert inner[0].sent == 0 and sent == ["first"]
    (row,) = _deliveries(engine)
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_connector_gets_the_stored_configuration(engine: Engine, world: World) -> None:
    seen: list[tuple[ChannelKind, str, str | None]] = []

    def connector(kind: ChannelKind, target: str, secret: str | None, options: ChannelOptions) -> Channel:
        seen.append((kind, target, secret))
        return RecordingChannel()

    with time_machine.travel(START, tick=False), write_session(engine) as s:
        data = channels.ChannelIn(
            world.unit_a, "dingtalk", "钉钉群", "https://oapi.example/send?t=1", "SECabc"
        )
        channels.add_channel(s, world.supervisor.actor, data)
    _message(engine, world.unit_a)
    _deliver(engine, connector=connector)
    assert seen == [(ChannelKind.DINGTALK, "https://oapi.example/send?t=1", "SECabc")]


def test_no_channels_means_messages_are_only_marked_dispatched(engine: Engine, world: World) -> None:
    for _ in range(3):
        _message(engine, world.unit_a)
    result = _deliver(engine)
    assert (result.dispatched, result.queued) == (3, 0)
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0
        assert set(s.scalars(select(OutboxMessage.status))) == {"sent"}
