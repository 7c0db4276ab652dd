"""The ledger: tasks, their owners and milestones, and everything units and leaders add to them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db.base import Base
from duban.db.models.org import Unit, User


class OwnerRole(StrEnum):
    LEAD = "lead"
    RESPONSIBLE = "responsible"
    SUPPORTING = "supporting"

    @property
    def label(self) -> str:
        return {"lead": "牵头单位", "responsible": "责任单位", "supporting": "配合单位"}[self.value]


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_status_deadline", "status", "deadline"),
        # One instance of a recurring task per period; templates and one-off tasks have NULLs here.
        UniqueConstraint("parent_id", "period_start", name="uq_tasks_parent_period"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    # Character range of the source sentence in documents.text.
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="decision")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    confirmed: Mapped[bool] = mapped_column(default=False)
    leader_name: Mapped[str | None] = mapped_column(String(50))
    leader_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    start_date: Mapped[dt.date | None]
    deadline: Mapped[dt.date | None] = mapped_column(index=True)
    # Set when the deadline was given as N working days from `deadline_from`.
    deadline_workdays: Mapped[int | None]
    deadline_from: Mapped[dt.date | None]
    # False when the working-day calendar for the deadline's year is not published yet (Mon–Fri guess).
    deadline_confirmed: Mapped[bool] = mapped_column(default=True)
    recurrence: Mapped[str | None] = mapped_column(String(20))
    # A recurring task's instance covers one period; `parent_id` is the task it was spawned from.
    period_start: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    amount_yuan: Mapped[float | None] = mapped_column(Numeric(18, 2, asdecimal=False))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    assigned_at: Mapped[dt.datetime | None]
    acknowledged_at: Mapped[dt.datetime | None]
    submitted_at: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]

    owners: Mapped[list[TaskOwner]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskOwner.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="Milestone.due"
    )

    def unit_ids(self, role: OwnerRole | None = None) -> list[int]:
        return [o.unit_id for o in self.owners if role is None or o.role == role]


class TaskOwner(Base):
    __tablename__ = "task_owners"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)

    task: Mapped[Task] = relationship(back_populates="owners")
    unit: Mapped[Unit] = relationship()


class Milestone(Base):
    """时间节点: an intermediate date with what must be done by then."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    due: Mapped[dt.date]
    text: Mapped[str] = mapped_column(Text)
    done_at: Mapped[dt.datetime | None]

    task: Mapped[Task] = relationship(back_populates="milestones")


class ProgressReport(Base):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    text: Mapped[str] = mapped_column(Text)
    # Reports that go with 申请办结 are marked, so the reviewer sees what was claimed.
    is_completion: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    user: Mapped[User | None] = relationship()


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    stored_path: Mapped[str] = mapped_column(String(1000))
    size_bytes: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100))

    report: Mapped[ProgressReport] = relationship(back_populates="attachments")


class ExtensionRequest(Base):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    old_deadline: Mapped[dt.date | None]
    new_deadline: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="requested")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class Instruction(Base):
    """批示: a leader's written instruction on a task."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]

    user: Mapped[User | None] = relationship()


class Target(Base):
    """A quantified target (`经济增长6.5%左右`) and the period it is for."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    indicator: Mapped[str] = mapped_column(String(200))
    period: Mapped[str | None] = mapped_column(String(20))  # `2026`, `2026Q1`
    value: Mapped[float]
    value_max: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(20), default="")
    qualifier: Mapped[str] = mapped_column(String(20), default="exact")
    text: Mapped[str] = mapped_column(Text)
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[dt.datetime]

    actuals: Mapped[list[TargetActual]] = relationship(
        back_populates="target", cascade="all, delete-orphan", order_by="TargetActual.as_of"
    )


class TargetActual(Base):
    """A reported value of a target's indicator at a date, from a document or a user."""

    __tablename__ = "target_actuals"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"), index=True)
    value: Mapped[float]
    as_of: Mapped[dt.date]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]

    target: Mapped[Target] = relationship(back_populates="actuals")
