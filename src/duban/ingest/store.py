"""Keeping uploads and turning them into rows: with `rows.py`, the only ingest code that touches the database.

One file is one transaction, the caller's (`write_session`): its Document row,
Sections, draft Tasks with their owner units, People and their titles, Targets
and the audit events go in together or not at all. Nothing here commits.

- The original bytes are kept first, content-addressed at
  `data_dir/originals/<sha[:2]>/<sha256>` (`Document.stored_path` is that path
  relative to `data_dir`), so a crash after the write leaves a harmless file and
  a crash before it leaves nothing.
- Idempotent on the SHA-256 of the bytes: the same bytes again, under any name,
  change nothing (no rows, no audit events).
- A file name seen before (`source_key`, the lower-cased name) with other bytes
  is a new version: `version + 1`, `previous_id` set, the older row no longer
  `is_latest`. The older version's tasks stay (they may be assigned already);
  the new version adds its own drafts.
- A file the pipeline cannot read or parse is still stored, with status
  `failed` and the error, so nothing a user uploads is lost.
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.models import (
    Document,
    DocumentStatus,
)
from duban.db.repositories import units as unit_repo
from duban.errors import Conflict, DomainError, NotFound, Rejected
from duban.ingest.extract.units import UnitRegistry
from duban.ingest.pipeline import run
from duban.ingest.read import OcrEngine
from duban.ingest.rows import Context, Counts, clean_text, document_summary, store_extraction
from duban.ingest.types import Source
from duban.search.index import index_documents
from duban.storage import keep_bytes
from duban.workflow.audit import Actor, record

__all__ = [
    "INGEST_ACTOR",
    "IngestResult",
    "Outcome",
    "ingest_file",
    "keep_original",
    "original_path",
    "process_document",
    "source_key",
    "store_upload",
]

log = logging.getLogger(__name__)

ORIGINALS = "originals"

# Who parses a stored upload when no user is named (the worker).
INGEST_ACTOR = Actor.system("文件解析")


class Outcome(StrEnum):
    NEW = "new"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"new": "新文件", "new_version": "新版本", "unchanged": "未变化", "failed": "失败"}[self.value]


@dataclass(frozen=True)
class IngestResult:
    """What `ingest_file` did with one file."""

    outcome: Outcome
    document_id: int
    filename: str
    version: int
    sections: int = 0
    tasks: int = 0
    people: int = 0
    targets: int = 0
    error: str | None = None


# ---------------------------------------------------------------- originals


def source_key(name: str) -> str:
    """Identity of "the same file" across versions: its base name, lower-cased."""
    return Path(name.replace("\\", "/")).name.lower()


def original_path(settings: Settings, document: Document) -> Path:
    """Where the original bytes of `document` are kept."""
    return settings.data_dir / document.stored_path


def keep_original(settings: Settings, data: bytes) -> tuple[str, str]:
    """Write `data` content-addressed under the data folder (once); return (sha256, path relative to it)."""
    kept = keep_bytes(settings.data_dir / ORIGINALS, data)
    return kept.sha256, kept.path.relative_to(settings.data_dir).as_posix()


def _new_document(
    session: Session, source: Source, actor: Actor, sha: str, stored_path: str
) -> tuple[Document, bool]:
    """The row for these bytes: the existing one (False) or a new version of its file name (True)."""
    existing = session.scalar(select(Document).where(Document.sha256 == sha))
    if existing is not None:
        return existing, False
    key = source_key(source.name)
    if not key:
        raise Rejected("文件名不能为空。", "a file needs a name")
    previous = session.scalar(
        select(Document).where(Document.source_key == key).order_by(Document.version.desc()).limit(1)
    )
    # The versions that stop being the latest leave the search index.
    superseded = list(
        session.scalars(select(Document.id).where(Document.source_key == key, Document.is_latest.is_(True)))
    )
    if previous is not None:
        session.execute(
            update(Document)
            .where(Document.source_key == key, Document.is_latest.is_(True))
            .values(is_latest=False)
        )
    filename = Path(source.name.replace("\\", "/")).name
    document = Document(
        sha256=sha,
        source_key=key[:500],
        filename=filename[:500],
        version=previous.version + 1 if previous else 1,
        is_latest=True,
        previous_id=previous.id if previous else None,
        stored_path=stored_path,
        size_bytes=len(source.data),
        media_type=mimetypes.guess_type(filename)[0] or "application/octet-stream",
        status=DocumentStatus.PENDING,
        pages=0,
        ocr_pages=0,
        uploaded_by_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(document)
    session.flush()
    index_documents(session, [*superseded, document.id])
    return document, True


def store_upload(session: Session, source: Source, actor: Actor, settings: Settings) -> Document:
    """Keep a file and its Document row (status pending) for a worker to parse later.

    The same bytes again return the row already stored and record nothing.
    """
    sha, stored_path = keep_original(settings, source.data)
    document, created = _new_document(session, source, actor, sha, stored_path)
    if created:
        record(session, actor, "upload", "document", document.id, after=document_summary(document))
    return document


def _registry_for(session: Session, settings: Settings) -> UnitRegistry:
    """The units users maintain in the database, plus the optional alias file."""
    registry = unit_repo.build_registry(session)
    if settings.unit_aliases_file and settings.unit_aliases_file.is_file():
        registry.load_alias_file(settings.unit_aliases_file)
    return registry


def _fail(document: Document, error: str) -> None:
    document.status = DocumentStatus.FAILED
    document.error = clean_text(error)
    document.parsed_at = clock.now()


def _parse(
    session: Session,
    document: Document,
    data: bytes,
    settings: Settings,
    actor: Actor,
    ocr: OcrEngine | None,
    registry: UnitRegistry | None,
) -> Counts:
    """Run the pipeline on the stored bytes and store what it found, or store the failure."""
    registry = registry if registry is not None else _registry_for(session, settings)
    counts = Counts()
    try:
        extraction = run(Source(document.filename, data), settings=settings, ocr=ocr, registry=registry)
    except DomainError as exc:
        _fail(document, str(exc))
    except Exception as exc:
        # A bug or a library failing on odd input: the file is kept and marked, the log has the traceback.
        log.warning("pipeline failed on document %s (%s)", document.id, document.filename, exc_info=True)
        _fail(
            document,
            f"解析文件“{document.filename}”时出错：{type(exc).__name__}: {exc}"
            f" (parsing failed: {type(exc).__name__})",
        )
    else:
        ctx = Context(
            session=session,
            document=document,
            actor=actor,
            registry=registry,
            index=unit_repo.UnitIndex.load(session),
            counts=counts,
        )
        store_extraction(ctx, extraction)
    session.flush()
    index_documents(session, [document.id])
    record(session, actor, "ingest", "document", document.id, after=document_summary(document, counts))
    return counts


def process_document(
    session: Session,
    document_id: int,
    settings: Settings,
    ocr: OcrEngine | None = None,
    registry: UnitRegistry | None = None,
    *,
    actor: Actor = INGEST_ACTOR,
) -> Document:
    """Parse a stored (pending or failed) document into sections, draft tasks, people and targets.

    `registry` defaults to the units in the database plus the alias file; the pipeline
    teaches it the abbreviations the file declares, so pass a fresh one per document.
    A parsed document is refused (Conflict): its drafts exist already.
    """
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"找不到文件记录 #{document_id}。", f"no document {document_id}")
    if document.status == DocumentStatus.PARSED:
        raise Conflict(
            f"文件“{document.filename}”已经解析过，不能重复解析。",
            f"document {document_id} is parsed already",
        )
    try:
        data = original_path(settings, document).read_bytes()
    except OSError as exc:
        _fail(
            document,
            f"找不到文件“{document.filename}”的原件（{document.stored_path}）。"
            f" (original missing: {exc.strerror or exc})",
        )
        session.flush()
        record(session, actor, "ingest", "document", document.id, after=document_summary(document))
        return document
    _parse(session, document, data, settings, actor, ocr, registry)
    return document


def ingest_file(
    session: Session, source: Source, actor: Actor, settings: Settings, ocr: OcrEngine | None = None
) -> IngestResult:
    """Keep, store and parse one file in the caller's transaction; say what happened to it."""
    sha, stored_path = keep_original(settings, source.data)
    document, created = _new_document(session, source, actor, sha, stored_path)
    if not created:
        return IngestResult(
            Outcome.UNCHANGED, document.id, document.filename, document.version, error=document.error
        )
    counts = _parse(session, document, source.data, settings, actor, ocr, None)
    if document.status == DocumentStatus.FAILED:
        outcome = Outcome.FAILED
    else:
        outcome = Outcome.NEW_VERSION if document.version > 1 else Outcome.NEW
    return IngestResult(
        outcome,
        document.id,
        document.filename,
        document.version,
        sections=counts.sections,
        tasks=counts.tasks,
        people=counts.people,
        targets=counts.targets,
        error=document.error,
    )
