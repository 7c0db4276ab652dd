"""What every reader shares: the Reader protocol, the read context and the type score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from duban.config import Settings
from duban.ingest.read.ocr import OcrEngine, default_ocr_engine
from duban.ingest.types import RawText, Source

# Scores a reader gives a file; the highest wins, 0 means "not mine".
SCORE_SUFFIX_AND_MAGIC = 1.0
SCORE_MAGIC_ONLY = 0.8  # content sniffed: the name lies or has no suffix
SCORE_TEXT_SUFFIX = 0.5  # plain text has no magic, so any magic match elsewhere beats it
SCORE_SUFFIX_ONLY = 0.2  # claims the type but the content does not match: the reader says what is wrong


class Reader(Protocol):
    """Turns one kind of file into RawText. A new format is one module with one of these."""

    name: str
    suffixes: frozenset[str]

    def score(self, source: Source) -> float:
        """How well this reader fits the file (0 = not at all); look at suffix and magic bytes only."""
        ...

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        """Read the file or raise a duban.errors.UnreadableFile subclass."""
        ...


@dataclass
class ReadContext:
    """Settings and the OCR engine; the engine is only loaded when a reader asks for it."""

    settings: Settings
    ocr_engine: OcrEngine | None = None

    def ocr(self) -> OcrEngine:
        if self.ocr_engine is None:
            self.ocr_engine = default_ocr_engine()
        return self.ocr_engine


def type_score(source: Source, suffixes: frozenset[str], magic: bool) -> float:
    """The usual score from a suffix match and a magic-bytes match."""
    by_suffix = source.suffix in suffixes
    if magic and by_suffix:
        return SCORE_SUFFIX_AND_MAGIC
    if magic:
        return SCORE_MAGIC_ONLY
    if by_suffix:
        return SCORE_SUFFIX_ONLY
    return 0.0


def page_starts_of(parts: list[str], sep: str = "\n") -> tuple[int, ...]:
    """Start offset of each part in sep.join(parts)."""
    starts: list[int] = []
    pos = 0
    for part in parts:
        starts.append(pos)
        pos += len(part) + len(sep)
    return tuple(starts)
