from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import time_machine
from huey import RedisHuey, SqliteHuey
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from duban import clock, jobs
from duban.config import Settings, get_settings
from duban.db import session as db_session
from duban.db.migrate import upgrade
from duban.db.models import Delivery, OwnerRole, Reminder, Task, TaskOwner, Unit
from duban.db.session import make_engine, read_session, write_session
from duban.workflow import channels, notify
from duban.workflow.audit import Actor
from duban.workflow.notify import MessageKind
from tests.integrations.servers import RobotServer

# The worker test flushes its database; the storage test uses another one, so xdist can run both at once.
REDIS_URL = os.environ.get("DUBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
REDIS_STORAGE_URL = os.environ.get("DUBAN_TEST_REDIS_URL_2", "redis://127.0.0.1:6379/10")

# 09:00 in Shanghai on the last working day before 国庆 2026.
EVE_OF_NATIONAL_DAY = dt.datetime(2026, 9, 30, 9, 0, tzinfo=clock.SHANGHAI)


def _redis_or_skip(url: str = REDIS_URL) -> redis.Redis:
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        client.close()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    return client


def _close_redis_huey(huey: Any) -> None:
    huey.storage.conn.close()
    huey.storage.pool.disconnect()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _overdue_task(session: Session, deadline: dt.date) -> int:
    now = clock.now()
    unit = Unit(name="区财政局", created_at=now)
    session.add(unit)
    session.flush()
    task = Task(
        text="报送专项资金使用情况。", status="in_progress", deadline=deadline, created_at=now, updated_at=now
    )
    task.owners.append(TaskOwner(unit_id=unit.id, role=OwnerRole.LEAD.value, position=0))
    session.add(task)
    session.flush()
    return task.id


@pytest.fixture
def env_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """Settings read from a clean environment; the cached settings, engines and queue are reset after."""
    for name in list(os.environ):
        if name.startswith("DUBAN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    jobs.reset_queue()
    yield monkeypatch
    jobs.reset_queue()
    db_session.reset_engines()
    get_settings.cache_clear()


# --- choosing the storage ---------------------------------------------------------------------------


def test_sqlite_storage_in_the_data_folder_by_default(tmp_path: Path) -> None:
    huey = jobs.build_queue(Settings(data_dir=tmp_path / "data"))
    try:
        assert isinstance(huey, SqliteHuey)
        assert not huey.immediate
        assert huey.name == jobs.QUEUE_NAME
        assert Path(huey.storage.filename) == (tmp_path / "data" / "queue.db").resolve()
        assert (tmp_path / "data").is_dir()
    finally:
        huey.storage.close()


def test_redis_storage_when_a_redis_url_is_set(tmp_path: Path) -> None:
    client = _redis_or_skip(REDIS_STORAGE_URL)
    name = f"duban-test-{uuid.uuid4().hex}"
    huey = jobs.build_queue(Settings(data_dir=tmp_path, redis_url=REDIS_STORAGE_URL), name=name)
    try:
        assert isinstance(huey, RedisHuey)
        queued = jobs.register(huey)
        queued.scan_reminders()
        assert huey.pending_count() == 1
        (message,) = huey.pending()
        assert message.name == "scan_reminders"
        assert not (tmp_path / "queue.db").exists()
    finally:
        huey.flush()
        _close_redis_huey(huey)
        client.close()


def test_immediate_mode_keeps_jobs_in_memory(tmp_path: Path) -> None:
    huey = jobs.build_queue(Settings(data_dir=tmp_path, queue_immediate=True))
    assert huey.immediate
    assert type(huey.storage).__name__ == "MemoryStorage"


def test_the_queue_is_built_once_and_reset_on_request(env_settings: pytest.MonkeyPatch) -> None:
    first = jobs.get_queue()
    assert jobs.get_queue() is first
    assert jobs.get_jobs().huey is first
    first.storage.close()
    jobs.reset_queue()
    second = jobs.get_queue()
    assert second is not first
    second.storage.close()


# --- registration and schedules ---------------------------------------------------------------------


def test_jobs_are_registered_under_stable_names(tmp_path: Path) -> None:
    huey = jobs.build_queue(Settings(data_dir=tmp_path, queue_immediate=True))
    queued = jobs.register(huey)
    assert set(huey._registry._registry) == {
        "duban.jobs.process_document",
        "duban.jobs.scan_reminders",
        "duban.jobs.spawn_recurring",
        "duban.jobs.scan_reminders_now",
        "duban.jobs.spawn_recurring_now",
        "duban.jobs.deliver_notifications",
        "duban.jobs.deliver_notifications_now",
    }
    assert {t.name for t in huey._registry.periodic_tasks} == {
        "scan_reminders",
        "spawn_recurring",
        "deliver_notifications",
    }
    assert queued.process_document.retries == jobs.DOCUMENT_RETRIES


def test_reminder_scan_runs_hourly_at_minute_five() -> None:
    # Huey (utc=True) passes naive UTC timestamps.
    assert jobs.SCAN_REMINDERS_SCHEDULE(dt.datetime(2026, 9, 30, 1, 5))
    assert jobs.SCAN_REMINDERS_SCHEDULE(dt.datetime(2026, 9, 30, 14, 5))
    assert not jobs.SCAN_REMINDERS_SCHEDULE(dt.datetime(2026, 9, 30, 1, 6))


def test_notifications_are_delivered_every_minute() -> None:
    assert jobs.DELIVER_NOTIFICATIONS_SCHEDULE(dt.datetime(2026, 9, 30, 1, 5))
    assert jobs.DELIVER_NOTIFICATIONS_SCHEDULE(dt.datetime(2026, 9, 30, 1, 6))


def test_recurring_tasks_spawn_at_ten_past_midnight_china_time() -> None:
    # 2026-12-31 16:10 UTC is 2027-01-01 00:10 in Shanghai.
    assert jobs.SPAWN_RECURRING_SCHEDULE(dt.datetime(2026, 12, 31, 16, 10))
    assert not jobs.SPAWN_RECURRING_SCHEDULE(dt.datetime(2027, 1, 1, 0, 10))
    assert not jobs.SPAWN_RECURRING_SCHEDULE(dt.datetime(2026, 12, 31, 16, 11))


# --- job bodies ---------------------------------------------------------------------------------------


def test_immediate_mode_runs_a_job_inline(engine: Engine, env_settings: pytest.MonkeyPatch) -> None:
    env_settings.setenv("DUBAN_DATABASE_URL", _url(engine))
    env_settings.setenv("DUBAN_QUEUE_IMMEDIATE", "true")
    get_settings.cache_clear()
    with time_machine.travel(EVE_OF_NATIONAL_DAY, tick=False):
        with write_session(engine) as s:
            task = _overdue_task(s, dt.date(2026, 9, 28))

        try:
            result = jobs.get_jobs().scan_reminders_now()
        finally:
            db_session.get_engine().dispose()

        assert result.get() == {"day": "2026-09-30", "near_due": 0, "overdue": 1, "messages": 1}
    with read_session(engine) as s:
        assert s.scalars(select(Reminder.task_id)).all() == [task]


def test_spawn_job_commits_the_new_instances(engine: Engine) -> None:
    settings = Settings(database_url=_url(engine))
    with write_session(engine) as s:
        task_id = _overdue_task(s, dt.date(2027, 12, 31))
        template = s.get_one(Task, task_id)
        template.recurrence = "monthly"
    try:
        with time_machine.travel(dt.datetime(2027, 1, 1, 0, 10, tzinfo=clock.SHANGHAI), tick=False):
            summary = jobs.run_spawn_recurring(settings)
    finally:
        db_session.get_engine(settings).dispose()
    with read_session(engine) as s:
        spawned = s.scalars(select(Task.id).where(Task.parent_id == task_id)).all()
    assert summary == {"day": "2027-01-01", "spawned": spawned}
    assert len(spawned) == 1


def test_document_job_calls_the_store_in_a_committed_transaction(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, Settings]] = []

    def process_document(session: Session, document_id: int, settings: Settings) -> Any:
        calls.append((document_id, settings))
        session.add(Unit(name="由文件处理写入", created_at=clock.now()))
        session.flush()
        return types.SimpleNamespace(id=document_id, status="parsed")

    fake_store = types.ModuleType("duban.ingest.store")
    fake_store.process_document = process_document  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "duban.ingest.store", fake_store)
    settings = Settings(database_url=_url(engine))
    try:
        summary = jobs.run_process_document(42, settings)
    finally:
        db_session.get_engine(settings).dispose()

    assert summary == {"document_id": 42, "status": "parsed"}
    assert calls == [(42, settings)]
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 1


def test_a_failing_document_job_rolls_back(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def process_document(session: Session, document_id: int, settings: Settings) -> Any:
        session.add(Unit(name="不应留下", created_at=clock.now()))
        session.flush()
        raise RuntimeError("OCR crashed")

    fake_store = types.ModuleType("duban.ingest.store")
    fake_store.process_document = process_document  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "duban.ingest.store", fake_store)
    settings = Settings(database_url=_url(engine))
    try:
        with pytest.raises(RuntimeError):
            jobs.run_process_document(7, settings)
    finally:
        db_session.get_engine(settings).dispose()
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 0


def test_delivery_job_sends_the_outbox_to_a_units_robot(engine: Engine, robot: RobotServer) -> None:
    settings = Settings(database_url=_url(engine), public_base_url="https://duban.example.gov.cn")
    with write_session(engine) as s:
        task_id = _overdue_task(s, dt.date(2026, 9, 28))
        unit_id = s.scalars(select(Unit.id)).one()
        channels.add_channel(s, Actor("测试"), channels.ChannelIn(unit_id, "wecom", "财政局群", robot.url()))
        notify.enqueue(
            s,
            MessageKind.REMINDER,
            "【催办】报送专项资金使用情况",
            "已逾期",
            task_id=task_id,
            unit_id=unit_id,
        )
    try:
        summary = jobs.run_deliver_notifications(settings)
    finally:
        db_session.get_engine(settings).dispose()
    assert summary == {"dispatched": 1, "queued": 1, "sent": 1, "retrying": 0, "failed": 0, "deferred": 0}
    (got,) = robot.received
    assert f"[查看任务](https://duban.example.gov.cn/tasks/{task_id})" in got.body["markdown"]["content"]
    with read_session(engine) as s:
        assert s.scalars(select(Delivery.status)).all() == ["sent"]


# --- a real worker process on Redis -----------------------------------------------------------------


def test_a_worker_process_on_redis_runs_a_queued_reminder_scan(tmp_path: Path) -> None:
    client = _redis_or_skip()
    client.flushdb()
    database = tmp_path / "duban.db"
    database_url = f"sqlite:///{database}"
    engine = make_engine(database_url)
    upgrade(engine)
    with write_session(engine) as s:
        task = _overdue_task(s, clock.today() - dt.timedelta(days=3))

    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_REDIS_URL=REDIS_URL,
        DUBAN_DATA_DIR=str(tmp_path / "data"),
        DUBAN_DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    duban = Path(sys.executable).with_name("duban")
    log_path = tmp_path / "worker.log"
    settings = Settings(data_dir=tmp_path / "data", redis_url=REDIS_URL, database_url=database_url)
    producer = jobs.register(jobs.build_queue(settings))
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [str(duban), "worker", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        result = producer.scan_reminders_now()
        summary = result.get(blocking=True, timeout=30)
        assert summary["overdue"] == 1, log_path.read_text()
        with read_session(engine) as s:
            assert s.scalars(select(Reminder.task_id)).all() == [task]

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0, log_path.read_text()
        assert "Consumer exiting" in log_path.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        client.flushdb()
        client.close()
        _close_redis_huey(producer.huey)
        engine.dispose()
