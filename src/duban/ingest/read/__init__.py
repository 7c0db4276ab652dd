"""File readers: Source → RawText.

A reader is picked by score (suffix and magic bytes, see base.py); a new format is one module with
a Reader and one `register` call. `read_source` is the one entry point: it checks size and
emptiness before any parsing, and turns every failure into a typed duban.errors.UnreadableFile.
"""

from __future__ import annotations

import logging

from duban.config import Settings, get_settings
from duban.errors import DomainError, EmptyFile, FileTooLarge, UnreadableFile, UnsupportedFileType
from duban.ingest.read.base import ReadContext, Reader
from duban.ingest.read.docx import DocxReader
from duban.ingest.read.image import ImageReader
from duban.ingest.read.ocr import FakeOcrEngine, OcrEngine, RapidOcrEngine, default_ocr_engine
from duban.ingest.read.pdf import PdfReader
from duban.ingest.read.txt import TxtReader
from duban.ingest.types import RawText, Source

__all__ = [
    "READERS",
    "FakeOcrEngine",
    "OcrEngine",
    "RapidOcrEngine",
    "ReadContext",
    "Reader",
    "choose_reader",
    "default_ocr_engine",
    "read_source",
    "register",
]

log = logging.getLogger(__name__)

READERS: list[Reader] = [TxtReader(), DocxReader(), PdfReader(), ImageReader()]

_LEGACY = {".doc": "Word", ".wps": "WPS", ".ofd": "OFD", ".xls": "Excel", ".xlsx": "Excel"}


def register(reader: Reader) -> None:
    """Add a reader; on equal scores the one registered first wins."""
    READERS.append(reader)


def supported_suffixes() -> list[str]:
    return sorted({suffix for reader in READERS for suffix in reader.suffixes})


def choose_reader(source: Source) -> Reader:
    best: Reader | None = None
    best_score = 0.0
    for reader in READERS:
        score = reader.score(source)
        if score > best_score:
            best, best_score = reader, score
    if best is None:
        raise _unsupported(source)
    return best


def read_source(source: Source, *, settings: Settings | None = None, ocr: OcrEngine | None = None) -> RawText:
    """Read one file into RawText, or raise an UnreadableFile subclass whose message names the file."""
    settings = settings or get_settings()
    size = len(source.data)
    if size > settings.max_upload_bytes:
        raise FileTooLarge(
            f"文件“{source.name}”大小为{size / 1024 / 1024:.1f} MB，超过上限{settings.max_upload_mb} MB。",
            f"'{source.name}' is {size} bytes, over the limit of {settings.max_upload_mb} MB.",
        )
    if not source.data.strip():
        raise _empty(source)
    reader = choose_reader(source)
    try:
        raw = reader.read(source, ReadContext(settings=settings, ocr_engine=ocr))
    except DomainError:
        raise
    except Exception as exc:
        # A library failing on a file it cannot handle: the user gets a message, the log the traceback.
        log.warning("reader %s failed on %s", reader.name, source.name, exc_info=True)
        raise UnreadableFile(
            f"无法读取文件“{source.name}”，文件可能已损坏或格式不受支持。",
            f"Cannot read '{source.name}' ({type(exc).__name__}): damaged or unsupported content.",
        ) from exc
    if not raw.text.strip():
        raise _empty(source)
    return raw


def _empty(source: Source) -> EmptyFile:
    return EmptyFile(
        f"文件“{source.name}”是空的，没有可读取的文字。",
        f"'{source.name}' is empty: no text to read.",
    )


def _unsupported(source: Source) -> UnsupportedFileType:
    suffixes = supported_suffixes()
    kind = _LEGACY.get(source.suffix)
    hint_zh = f"这是{kind}文件，请另存为 .docx 或 PDF 后上传。" if kind else ""
    return UnsupportedFileType(
        f"不支持文件“{source.name}”的格式。{hint_zh}支持的格式：{'、'.join(suffixes)}。",
        f"'{source.name}' is not a supported file type; supported: {', '.join(suffixes)}.",
    )
