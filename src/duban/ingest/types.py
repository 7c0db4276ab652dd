"""The frozen values handed from one ingest stage to the next.

Source → RawText → CleanText → Segments → ParsedDoc → Extraction.
Every extracted fact carries a Span. Extractors work on CleanText offsets;
the pipeline maps them back to RawText offsets (the input as decoded) at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range [start, end) in one text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def shift(self, delta: int) -> Span:
        return Span(self.start + delta, self.end + delta)

    def as_list(self) -> list[int]:
        return [self.start, self.end]


@dataclass(frozen=True)
class Source:
    """An input file: its name and original bytes (kept by the caller, never altered)."""

    name: str
    data: bytes
    path: Path | None = None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass(frozen=True)
class RawText:
    """What a reader got out of a file. Offsets in the output contract count characters of `text`."""

    source: Source
    text: str
    reader: str
    encoding: str | None = None
    pages: int = 0
    ocr_pages: int = 0
    warnings: tuple[str, ...] = ()
    # Offset in `text` where each page (PDF) or block (DOCX table, OCR image) starts: maps text back to pages.
    page_starts: tuple[int, ...] = ()


@dataclass(frozen=True)
class CleanText:
    """Normalized text with, for every character, the index of the raw character it came from.

    `raw_index[i]` is the RawText offset of clean character i; it is non-decreasing.
    """

    raw: RawText
    text: str
    raw_index: tuple[int, ...]

    def to_raw(self, span: Span) -> Span:
        """Map a clean span to the smallest raw span covering the same characters."""
        if len(span) == 0:
            pos = self.raw_index[span.start] if span.start < len(self.raw_index) else len(self.raw.text)
            return Span(pos, pos)
        return Span(self.raw_index[span.start], self.raw_index[span.end - 1] + 1)

    def from_raw(self, span: Span) -> Span:
        """Map a raw span to the clean characters that came from inside it."""
        from bisect import bisect_left

        start = bisect_left(self.raw_index, span.start)
        end = bisect_left(self.raw_index, span.end)
        return Span(start, max(start, end))


@dataclass(frozen=True)
class Segment:
    """One document inside a file: its range in the clean text and where its body starts."""

    span: Span
    body_start: int
    headline: str | None = None
    kickers: tuple[str, ...] = ()  # column labels above a headline (`今日论坛`)


@dataclass(frozen=True)
class Segments:
    clean: CleanText
    items: tuple[Segment, ...]


# ---------------------------------------------------------------- extracted facts


@dataclass(frozen=True)
class Person:
    name: str
    titles: tuple[str, ...]
    span: Span


@dataclass(frozen=True)
class Meeting:
    date: dt.date | None
    chair: str | None
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class Amount:
    text: str
    yuan: float
    span: Span


@dataclass(frozen=True)
class Target:
    indicator: str
    value: float
    unit: str
    qualifier: str  # about | at_least | at_most | exact | range
    kind: str  # target | actual
    year: int | None
    text: str
    span: Span
    value_max: float | None = None


@dataclass(frozen=True)
class GroupMember:
    role: str
    name: str
    title: str | None = None


@dataclass(frozen=True)
class Group:
    name: str
    members: tuple[GroupMember, ...]
    span: Span


@dataclass(frozen=True)
class Task:
    text: str
    span: Span
    kind: str  # decision | requirement | rule | target
    owners: tuple[str, ...] = ()
    lead: str | None = None
    start: dt.date | None = None
    deadline: dt.date | None = None
    recurrence: str | None = None
    amount_yuan: float | None = None


@dataclass(frozen=True)
class DocHeader:
    """Official-document fields (GB/T 9704) and the document's date."""

    title: str | None = None
    doc_type: str = "other"
    doc_number: str | None = None
    issuer: str | None = None
    date: dt.date | None = None
    addressees: tuple[str, ...] = ()
    printed_by: str | None = None
    printed_date: dt.date | None = None


@dataclass(frozen=True)
class DocView:
    """What every extractor reads: one document of a file, in clean-text coordinates.

    `text` is the whole clean text of the file; the document is `text[span.start:span.end]`.
    `year` is the reference year for dates that omit it.
    """

    text: str
    span: Span
    body_start: int
    header: DocHeader
    year: int | None

    @property
    def body(self) -> str:
        return self.text[self.body_start : self.span.end]


@dataclass(frozen=True)
class ParsedDoc:
    view: DocView
    meeting: Meeting | None = None


@dataclass(frozen=True)
class ExtractedDoc:
    """One document's extraction; spans are RawText offsets."""

    header: DocHeader
    span: Span
    meeting: Meeting | None
    people: tuple[Person, ...] = ()
    tasks: tuple[Task, ...] = ()
    targets: tuple[Target, ...] = ()
    amounts: tuple[Amount, ...] = ()
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Extraction:
    raw: RawText
    documents: tuple[ExtractedDoc, ...] = field(default_factory=tuple)
