"""Rows written and indexed the way the application does, for the search tests of every layer."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import Document
from duban.search.index import index_document


def add_document(s: Session, title: str, text: str, day: dt.date | None = None) -> int:
    """A parsed document with `text`, in the index."""
    document = Document(
        sha256=hashlib.sha256((title + text).encode()).hexdigest(),
        source_key=f"{title}.txt",
        filename=f"{title}.txt",
        stored_path="x",
        size_bytes=len(text.encode()),
        status="parsed",
        text=text,
        title=title,
        doc_date=day,
        created_at=clock.now(),
    )
    s.add(document)
    s.flush()
    index_document(s, document.id)
    return document.id
