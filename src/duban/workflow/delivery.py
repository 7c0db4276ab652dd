"""Carrying outbox messages to the channels (WeCom, DingTalk, e-mail), on the worker, never in the workflow.

A pass (`deliver`) does two things:

1. fan-out: each pending outbox message gets one delivery row per enabled
   channel of the addressed unit (no unit: the 督查室's channels) that
   existed when the message was written, and the message is marked
   dispatched. Personal messages (to one user) stay in the in-app inbox.
2. send: each due delivery is claimed by compare-and-swap (attempts + 1, a
   lease on its next try, so a crashed worker's claim comes back), sent
   outside any transaction, and recorded: sent; or tried again after 1, 5,
   15, 60, 240 minutes; or failed after `notify_max_attempts` tries, listed
   for supervisors to retry. A channel that fails is left alone for the rest
   of the pass, and robots get at most ROBOT_SENDS_PER_PASS a pass (their
   limit is 20 a minute), so one broken or slow channel never holds up
   another and never touches the workflow's transactions.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import Delivery, NotifyChannel, OutboxMessage
from duban.errors import DomainError
from duban.integrations.channel import (
    Channel,
    ChannelKind,
    ChannelOptions,
    DeliveryError,
    Notice,
    SmtpOptions,
    task_url,
)
from duban.integrations.registry import connect
from duban.workflow.notify import MessageKind

__all__ = [
    "BACKOFF_MINUTES",
    "Connector",
    "DeliveryOptions",
    "PassResult",
    "UnitOfWork",
    "attempt",
    "deliver",
    "fan_out",
    "next_try",
    "options_from",
    "record_outcome",
]

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractContextManager[Session]]
Connector = Callable[[ChannelKind, str, str | None, ChannelOptions], Channel]

BACKOFF_MINUTES = (1, 5, 15, 60, 240)
ROBOT_SENDS_PER_PASS = 18
FAN_OUT_BATCH = 500
SEND_BATCH = 50
MAX_ERROR = 1000


@dataclass(frozen=True)
class DeliveryOptions:
    max_attempts: int = 6
    public_base_url: str | None = None
    channel: ChannelOptions = field(default_factory=ChannelOptions)
    # A pass stops picking new deliveries after this long; the next pass (a minute later) goes on.
    budget_seconds: float = 50.0

    @property
    def lease(self) -> dt.timedelta:
        """How long a claimed delivery is left alone: well beyond one send's timeout."""
        return dt.timedelta(seconds=max(300.0, self.channel.timeout * 3))


def options_from(settings: Settings) -> DeliveryOptions:
    smtp = SmtpOptions(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        sender=settings.smtp_sender,
        security=settings.smtp_security,
    )
    return DeliveryOptions(
        max_attempts=settings.notify_max_attempts,
        public_base_url=settings.public_base_url,
        channel=ChannelOptions(timeout=settings.notify_timeout_seconds, smtp=smtp),
    )


def next_try(attempts: int, now: dt.datetime) -> dt.datetime:
    """When to try again after `attempts` failed tries."""
    minutes = BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1]
    return now + dt.timedelta(minutes=minutes)


@dataclass
class PassResult:
    dispatched: int = 0  # outbox messages fanned out
    queued: int = 0  # delivery rows created
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    deferred: int = 0  # left for the next pass: their channel failed or had its share this pass

    def summary(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ------------------------------------------------------------------ fan-out


def fan_out(session: Session, now: dt.datetime, limit: int = FAN_OUT_BATCH) -> tuple[int, int]:
    """Dispatch up to `limit` pending messages; returns (messages dispatched, deliveries created)."""
    messages = session.execute(
        select(OutboxMessage.id, OutboxMessage.unit_id, OutboxMessage.user_id, OutboxMessage.created_at)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: two workers take different messages
    ).all()
    if not messages:
        return 0, 0
    by_unit: dict[int | None, list[tuple[int, dt.datetime]]] = defaultdict(list)
    for channel_id, unit_id, created_at in session.execute(
        select(NotifyChannel.id, NotifyChannel.unit_id, NotifyChannel.created_at).where(
            NotifyChannel.enabled.is_(True)
        )
    ):
        by_unit[unit_id].append((channel_id, created_at))
    rows: list[dict[str, Any]] = [
        {
            "message_id": m.id,
            "channel_id": channel_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
        if m.user_id is None
        # A channel set up today does not receive last month's backlog.
        for channel_id, created_at in by_unit.get(m.unit_id, [])
        if created_at <= m.created_at
    ]
    if rows:
        session.execute(insert(Delivery), rows)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.status == "pending")
        .values(status="sent", sent_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return len(messages), len(rows)


# ------------------------------------------------------------------ sending


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    attempts: int
    channel_id: int
    kind: ChannelKind
    target: str
    secret: str | None
    message_kind: str
    title: str
    body: str
    task_id: int | None
    created_at: dt.datetime


def _due_where(now: dt.datetime) -> list[ColumnElement[bool]]:
    return [Delivery.status == "pending", Delivery.next_attempt_at <= now, NotifyChannel.enabled.is_(True)]


def _due(session: Session, now: dt.datetime, skip_channels: set[int], limit: int) -> list[_Job]:
    """Due deliveries on enabled channels; claimed ones are not due again until their lease ends."""
    stmt = (
        select(
            Delivery.id,
            Delivery.attempts,
            Delivery.channel_id,
            NotifyChannel.kind,
            NotifyChannel.target,
            NotifyChannel.secret,
            OutboxMessage.kind.label("message_kind"),
            OutboxMessage.title,
            OutboxMessage.body,
            OutboxMessage.task_id,
            OutboxMessage.created_at,
        )
        .join(NotifyChannel, NotifyChannel.id == Delivery.channel_id)
        .join(OutboxMessage, OutboxMessage.id == Delivery.message_id)
        .where(*_due_where(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if skip_channels:
        stmt = stmt.where(Delivery.channel_id.not_in(skip_channels))
    return [
        _Job(
            delivery_id=r.id,
            attempts=r.attempts,
            channel_id=r.channel_id,
            kind=ChannelKind(r.kind),
            target=r.target,
            secret=r.secret,
            message_kind=r.message_kind,
            title=r.title,
            body=r.body,
            task_id=r.task_id,
            created_at=r.created_at,
        )
        for r in session.execute(stmt)
    ]


def _count_due(session: Session, now: dt.datetime, channel_ids: set[int]) -> int:
    stmt = (
        select(func.count())
        .select_from(Delivery)
        .join(NotifyChannel, NotifyChannel.id == Delivery.channel_id)
        .where(*_due_where(now), Delivery.channel_id.in_(channel_ids))
    )
    return session.scalar(stmt) or 0


def _claim(session: Session, job: _Job, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Compare-and-swap: only one worker gets to send this try."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == job.delivery_id,
            Delivery.status == "pending",
            Delivery.attempts == job.attempts,
            Delivery.next_attempt_at <= now,
        )
        .values(attempts=job.attempts + 1, next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _notice(job: _Job, public_base_url: str | None) -> Notice:
    try:
        label = MessageKind(job.message_kind).label
    except ValueError:
        label = job.message_kind
    return Notice(
        title=job.title,
        body=job.body,
        kind_label=label,
        created_at=job.created_at,
        url=task_url(public_base_url, job.task_id),
    )


def attempt(
    connector: Connector,
    kind: ChannelKind,
    target: str,
    secret: str | None,
    options: ChannelOptions,
    notice: Notice,
) -> str | None:
    """Send one notice; None on success, else the reason. Never raises: a bug in a channel is a failure too."""
    try:
        connector(kind, target, secret, options).send(notice)
    except DeliveryError as exc:
        return exc.reason[:MAX_ERROR]
    except DomainError as exc:  # a stored target that no longer passes the checks
        return exc.message_zh[:MAX_ERROR]
    except Exception as exc:
        log.exception("channel %s raised", kind)
        return f"内部错误：{type(exc).__name__}: {exc}"[:MAX_ERROR]
    return None


def record_outcome(session: Session, channel_id: int, error: str | None) -> None:
    """The channel's last success or failure, shown on the channel list."""
    now = clock.now()
    values: dict[str, Any] = (
        {"last_success_at": now} if error is None else {"last_failure_at": now, "last_error": error}
    )
    session.execute(
        update(NotifyChannel)
        .where(NotifyChannel.id == channel_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _record(session: Session, job: _Job, error: str | None, max_attempts: int) -> str:
    now = clock.now()
    tries = job.attempts + 1
    if error is None:
        values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": None}
    elif tries >= max_attempts:
        values = {"status": "failed", "next_attempt_at": now, "last_error": error}
    else:
        values = {"next_attempt_at": next_try(tries, now), "last_error": error}
    session.execute(
        update(Delivery)
        .where(Delivery.id == job.delivery_id, Delivery.status == "pending", Delivery.attempts == tries)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    record_outcome(session, job.channel_id, error)
    return str(values.get("status", "retrying"))


def deliver(
    unit_of_work: UnitOfWork, options: DeliveryOptions, *, connector: Connector = connect
) -> PassResult:
    """One delivery pass: fan out every pending message, then send what is due (see the module doc)."""
    result = PassResult()
    while True:
        with unit_of_work() as session:
            dispatched, queued = fan_out(session, clock.now())
        result.dispatched += dispatched
        result.queued += queued
        if dispatched < FAN_OUT_BATCH:
            break

    started = time.monotonic()
    resting: set[int] = set()  # channels that failed, or had their share, in this pass
    sends: Counter[int] = Counter()
    while time.monotonic() - started < options.budget_seconds:
        with unit_of_work() as session:
            jobs = _due(session, clock.now(), resting, SEND_BATCH)
        claimed_any = False
        for job in jobs:
            if job.channel_id in resting:
                continue
            with unit_of_work() as session:
                claimed = _claim(session, job, clock.now(), options.lease)
            if not claimed:  # another worker has it
                continue
            claimed_any = True
            notice = _notice(job, options.public_base_url)
            error = attempt(connector, job.kind, job.target, job.secret, options.channel, notice)
            with unit_of_work() as session:
                status = _record(session, job, error, options.max_attempts)
            setattr(result, status, getattr(result, status) + 1)
            sends[job.channel_id] += 1
            if error is not None or (
                job.kind is not ChannelKind.EMAIL and sends[job.channel_id] >= ROBOT_SENDS_PER_PASS
            ):
                resting.add(job.channel_id)
        if not claimed_any:
            break
    if resting:
        with unit_of_work() as session:
            result.deferred = _count_due(session, clock.now(), resting)
    return result
