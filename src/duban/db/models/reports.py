"""Issued official documents (督办通知书, 督查通报, 周报), their per-year number counters and recipients."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db.base import Base, JSONDoc
from duban.db.models.org import Unit


class ReportKind(StrEnum):
    NOTICE = "notice"
    CIRCULAR = "circular"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        return {"notice": "督办通知书", "circular": "督查通报", "weekly": "周报"}[self.value]


class ReportCounter(Base):
    """The last number handed out in one series (督办, 督通) for one year; a new year starts at 1."""

    __tablename__ = "report_counters"
    __table_args__ = (UniqueConstraint("series", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class IssuedReport(Base):
    """One generated document, kept so it can be downloaded again exactly as it was issued."""

    __tablename__ = "issued_reports"
    __table_args__ = (
        # A number is used once per series and year (NULLs, the unnumbered weekly reports, never clash).
        UniqueConstraint("series", "year", "number"),
        Index("ix_issued_reports_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # notice | circular | weekly
    series: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int]
    number: Mapped[int | None]
    doc_number: Mapped[str | None] = mapped_column(String(50))  # 督办〔2026〕3号
    title: Mapped[str] = mapped_column(String(300))
    # What the document was generated from (period, week, rules), for the record and the API.
    params: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    task_ids: Mapped[list[int]] = mapped_column(JSONDoc, default=list)
    filename: Mapped[str] = mapped_column(String(300))  # the download name
    stored_path: Mapped[str] = mapped_column(String(500))  # relative to data_dir/reports
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]

    recipients: Mapped[list[ReportRecipient]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportRecipient.position"
    )


class ReportRecipient(Base):
    """A unit a document is addressed to (主送 or 抄送); its users may download the document."""

    __tablename__ = "report_recipients"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("issued_reports.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    report: Mapped[IssuedReport] = relationship(back_populates="recipients")
    unit: Mapped[Unit] = relationship()
