"""Documents as uploaded (one row per file version) and the documents found inside each file."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from duban.db.base import Base, JSONDoc


class DocumentStatus(StrEnum):
    PARSED = "parsed"
    FAILED = "failed"
    PENDING = "pending"  # stored, waiting for a worker (uploads, OCR)

    @property
    def label(self) -> str:
        return {"parsed": "已解析", "failed": "解析失败", "pending": "处理中"}[self.value]


class Document(Base):
    """One version of one input file. The original bytes live at `stored_path` (content-addressed)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("source_key", "version"),
        Index("ix_documents_source_key_latest", "source_key", "is_latest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Identity of "the same file" across versions: its name, lower-cased.
    source_key: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)
    is_latest: Mapped[bool] = mapped_column(default=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    stored_path: Mapped[str] = mapped_column(String(1000))
    size_bytes: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    status: Mapped[str] = mapped_column(String(20), default=DocumentStatus.PENDING)
    error: Mapped[str | None] = mapped_column(Text)
    reader: Mapped[str | None] = mapped_column(String(50))
    text: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(default=0)
    ocr_pages: Mapped[int] = mapped_column(default=0)
    # The first section's header, lifted here for lists.
    doc_type: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str | None] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(200))
    doc_date: Mapped[dt.date | None]
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]
    parsed_at: Mapped[dt.datetime | None]

    sections: Mapped[list[Section]] = relationship(
        back_populates="document", order_by="Section.index", cascade="all, delete-orphan"
    )


class Section(Base):
    """One document inside a file (an article of a newspaper page, a notice of a bulletin)."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("document_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    index: Mapped[int]
    span_start: Mapped[int]
    span_end: Mapped[int]
    doc_type: Mapped[str] = mapped_column(String(30))
    title: Mapped[str | None] = mapped_column(Text)
    doc_number: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(200))
    doc_date: Mapped[dt.date | None]
    fields: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)

    document: Mapped[Document] = relationship(back_populates="sections")
