"""Notification delivery: channels configured per unit, one delivery per message and channel, read marks.

The outbox (`events.OutboxMessage`) holds what was said to whom; these
tables hold where it goes and what happened there, so one broken channel
never holds up another, and what each user has read in the in-app inbox.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db.base import Base
from duban.db.models.org import Unit


class NotifyChannel(Base):
    """A WeCom/DingTalk robot or an e-mail list of one unit; no unit means the 督查室 itself."""

    __tablename__ = "notify_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # wecom | dingtalk | email
    name: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(Text)  # webhook URL, or e-mail addresses joined by ", "
    secret: Mapped[str | None] = mapped_column(String(200))  # DingTalk 加签 secret
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    last_success_at: Mapped[dt.datetime | None]
    last_failure_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit | None] = relationship()


class Delivery(Base):
    """One outbox message on one channel: tried with backoff until sent or failed for good."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel_id"),
        Index("ix_notify_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channels.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


class InboxRead(Base):
    """One message a user marked read (above their read-through mark)."""

    __tablename__ = "inbox_reads"
    __table_args__ = (UniqueConstraint("user_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[dt.datetime]


class InboxCursor(Base):
    """全部已读: every message up to `read_through_id` is read, without a row per message."""

    __tablename__ = "inbox_cursors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_through_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime]
