"""Background jobs on a Huey queue: document processing (OCR, extraction), reminder scans, recurring
tasks, notification delivery.

The queue is built from Settings when first asked for (`get_queue`):
Redis storage when `redis_url` is set (production: several workers, several
machines), otherwise a SQLite file `queue.db` in the data folder (the
embedded default, one machine); `queue_immediate` runs every job inline in
the caller (tests, one-off scripts).

Job bodies are plain functions (`run_process_document`, `run_scan_reminders`,
`run_spawn_recurring`, `run_deliver_notifications`) that open their own write session and commit: a job
is an edge, like a CLI command. `register` wraps them as Huey tasks on a
given instance, so a lazily built or test-built instance gets the same jobs
under the same names.

Periodic schedules are written in Asia/Shanghai time. Huey keeps `utc=True`
(its timestamps are naive UTC whatever the server's zone), and `shanghai_crontab`
converts each timestamp before matching, so "00:10" means ten past midnight
in China on any server.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import Result, TaskWrapper
from sqlalchemy import Engine

from duban import clock
from duban.config import Settings, get_settings
from duban.db.session import get_engine, write_session

__all__ = [
    "QUEUE_NAME",
    "Jobs",
    "build_queue",
    "deliver_soon",
    "enqueue_process_document",
    "get_jobs",
    "get_queue",
    "register",
    "reset_queue",
    "run_deliver_notifications",
    "run_process_document",
    "run_scan_reminders",
    "run_spawn_recurring",
    "shanghai_crontab",
]

log = logging.getLogger(__name__)

# The Huey name: the Redis key prefix and the SQLite queue column. Tests pass their own.
QUEUE_NAME = "duban"

# A document job that fails (a database hiccup, a crashed OCR) is tried again later.
DOCUMENT_RETRIES = 2
DOCUMENT_RETRY_DELAY_SECONDS = 60


# --- job bodies: plain functions, testable without a queue ------------------------------------------


def run_process_document(document_id: int, settings: Settings | None = None) -> dict[str, Any]:
    """Read, extract and store one uploaded document, in one transaction."""
    # Imported here: the ingest stack (readers, NER, OCR) is heavy and only document jobs need it.
    from duban.ingest.store import process_document

    settings = settings or get_settings()
    with write_session(get_engine(settings)) as session:
        document = process_document(session, document_id, settings)
        summary = {"document_id": document.id, "status": str(document.status)}
    log.info("processed document %s: %s", document_id, summary["status"])
    return summary


def run_scan_reminders(settings: Settings | None = None) -> dict[str, Any]:
    """Today's 催办 scan; returns its counts."""
    from duban.workflow.reminders import scan

    settings = settings or get_settings()
    with write_session(get_engine(settings)) as session:
        result = scan(session, clock.today(), settings.near_due_workdays)
    log.info("reminder scan: %s", result.summary())
    return result.summary()


def run_spawn_recurring(settings: Settings | None = None) -> dict[str, Any]:
    """Spawn this period's instance of every live recurring task; returns the new task ids."""
    from duban.workflow.recurrence import spawn_due

    settings = settings or get_settings()
    today = clock.today()
    with write_session(get_engine(settings)) as session:
        spawned = [task.id for task in spawn_due(session, today)]
    log.info("recurring tasks: %d spawned", len(spawned))
    return {"day": today.isoformat(), "spawned": spawned}


def run_deliver_notifications(
    settings: Settings | None = None, engine: Engine | None = None
) -> dict[str, int]:
    """One delivery pass: outbox messages out to the units' webhooks and mailboxes; returns its counts.

    Each step is its own short transaction (`write_session` per unit of work),
    and nothing is sent while one is open.
    """
    from duban.workflow.delivery import deliver, options_from

    settings = settings or get_settings()
    target = engine or get_engine(settings)
    result = deliver(lambda: write_session(target), options_from(settings))
    if any(result.summary().values()):
        log.info("notifications: %s", result.summary())
    return result.summary()


# --- Huey wiring ---------------------------------------------------------------------------------


def shanghai_crontab(minute: str = "*", hour: str = "*") -> Callable[[dt.datetime], bool]:
    """A Huey periodic-task test matching `minute` and `hour` on the Asia/Shanghai clock.

    Huey (utc=True) hands the consumer's timestamp as a naive UTC datetime.
    """
    matches = crontab(minute=minute, hour=hour, strict=True)

    def validate(timestamp: dt.datetime) -> bool:
        local = timestamp.replace(tzinfo=dt.UTC).astimezone(clock.SHANGHAI).replace(tzinfo=None)
        return bool(matches(local))

    return validate


# Hourly at minute 5; the scan writes each reminder once a day, so the later runs only catch
# tasks that turned yellow or red during the day (a deadline changed, a task assigned).
SCAN_REMINDERS_SCHEDULE = shanghai_crontab(minute="5")
# Daily at 00:10 China time, just after a new week, month or quarter begins.
SPAWN_RECURRING_SCHEDULE = shanghai_crontab(minute="10", hour="0")
# Every minute: a new assignment reaches the unit's group within a minute or two.
DELIVER_NOTIFICATIONS_SCHEDULE = shanghai_crontab(minute="*")


@dataclass(frozen=True)
class Jobs:
    """The task wrappers registered on one Huey instance: call one to enqueue it.

    Huey stores no result for periodic tasks, so each scheduled job also has an
    on-demand twin (`*_now`, same body) whose `Result` a caller can wait on.
    """

    huey: Huey
    process_document: TaskWrapper
    scan_reminders: TaskWrapper
    spawn_recurring: TaskWrapper
    deliver_notifications: TaskWrapper
    scan_reminders_now: TaskWrapper
    spawn_recurring_now: TaskWrapper
    deliver_notifications_now: TaskWrapper


def register(huey: Huey) -> Jobs:
    """Register duban's jobs on `huey` (once per instance) and return their wrappers."""

    def process_document(document_id: int) -> dict[str, Any]:
        return run_process_document(document_id)

    def scan_reminders() -> dict[str, Any]:
        return run_scan_reminders()

    def spawn_recurring() -> dict[str, Any]:
        return run_spawn_recurring()

    def deliver_notifications() -> dict[str, int]:
        return run_deliver_notifications()

    # Explicit names: the registry key is `duban.jobs.<name>` in every process, producer and worker.
    return Jobs(
        huey=huey,
        process_document=huey.task(
            name="process_document", retries=DOCUMENT_RETRIES, retry_delay=DOCUMENT_RETRY_DELAY_SECONDS
        )(process_document),
        scan_reminders=huey.periodic_task(SCAN_REMINDERS_SCHEDULE, name="scan_reminders")(scan_reminders),
        spawn_recurring=huey.periodic_task(SPAWN_RECURRING_SCHEDULE, name="spawn_recurring")(spawn_recurring),
        deliver_notifications=huey.periodic_task(
            DELIVER_NOTIFICATIONS_SCHEDULE, name="deliver_notifications"
        )(deliver_notifications),
        scan_reminders_now=huey.task(name="scan_reminders_now")(scan_reminders),
        spawn_recurring_now=huey.task(name="spawn_recurring_now")(spawn_recurring),
        deliver_notifications_now=huey.task(name="deliver_notifications_now")(deliver_notifications),
    )


def build_queue(settings: Settings, name: str = QUEUE_NAME) -> Huey:
    """A new Huey instance for `settings` (no jobs registered; see `register`)."""
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url, immediate=settings.queue_immediate, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        name,
        filename=str((settings.data_dir / "queue.db").resolve()),
        immediate=settings.queue_immediate,
        utc=True,
    )


@functools.cache
def get_jobs() -> Jobs:
    """The process-wide queue with duban's jobs registered, built from `get_settings()` on first use."""
    return register(build_queue(get_settings()))


def get_queue() -> Huey:
    """The process-wide Huey instance (see `get_jobs` for the job wrappers)."""
    return get_jobs().huey


def reset_queue() -> None:
    """Forget the process-wide queue (tests that change settings call this)."""
    get_jobs.cache_clear()


def enqueue_process_document(document_id: int) -> Result | None:
    """Queue one document for processing; in immediate mode it runs before this returns."""
    result: Result | None = get_jobs().process_document(document_id)
    return result


def deliver_soon(settings: Settings, engine: Engine) -> None:
    """Run a delivery pass soon (after a supervisor's retry): on the worker, or inline in immediate mode."""
    if settings.queue_immediate:
        run_deliver_notifications(settings, engine)
    else:
        get_jobs().deliver_notifications_now()
