"""THE ordered list of ingest stages: Source → RawText → CleanText → Segments → ParsedDocs → Extraction.

Each stage is a plain function from one frozen value to the next; `run` calls them in this order
and reports progress. Extractors see clean-text offsets; `_to_raw` maps every span back to the
offsets of the decoded input at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from duban.config import Settings
from duban.ingest.extract.dates import reference_year
from duban.ingest.extract.groups import extract_groups
from duban.ingest.extract.meeting import extract_meeting
from duban.ingest.extract.money import extract_amounts
from duban.ingest.extract.people import extract_people
from duban.ingest.extract.targets import extract_targets
from duban.ingest.extract.tasks import extract_tasks
from duban.ingest.extract.units import UnitRegistry
from duban.ingest.normalize import normalize
from duban.ingest.parse.header import parse_header
from duban.ingest.read import OcrEngine, read_source
from duban.ingest.segment import is_newspaper, segment
from duban.ingest.types import (
    CleanText,
    DocView,
    ExtractedDoc,
    Extraction,
    ParsedDoc,
    RawText,
    Segments,
    Source,
)

Progress = Callable[[str], None]
T = TypeVar("T")


def parse(segments: Segments) -> tuple[ParsedDoc, ...]:
    """Header fields and the reference year of every document."""
    text = segments.clean.text
    file_year = reference_year(text)
    news = is_newspaper(text)
    docs: list[ParsedDoc] = []
    for seg in segments.items:
        header = parse_header(text, seg, news, file_year)
        year = (
            header.date.year
            if header.date
            else (reference_year(text[seg.span.start : seg.span.end]) or file_year)
        )
        view = DocView(text=text, span=seg.span, body_start=seg.body_start, header=header, year=year)
        docs.append(ParsedDoc(view=view, meeting=None))
    return tuple(docs)


def _registry(clean: CleanText, base: UnitRegistry | None) -> UnitRegistry:
    """The caller's registry (or a new one), taught the abbreviations this file declares."""
    registry = base or UnitRegistry()
    registry.learn_from_text(clean.text)
    return registry


def _to_raw(clean: CleanText, doc: ExtractedDoc) -> ExtractedDoc:
    """Every span of the document, moved from clean-text to raw-text offsets."""
    return replace(
        doc,
        span=clean.to_raw(doc.span),
        people=tuple(replace(p, span=clean.to_raw(p.span)) for p in doc.people),
        tasks=tuple(replace(t, span=clean.to_raw(t.span)) for t in doc.tasks),
        targets=tuple(replace(t, span=clean.to_raw(t.span)) for t in doc.targets),
        amounts=tuple(replace(a, span=clean.to_raw(a.span)) for a in doc.amounts),
        groups=tuple(replace(g, span=clean.to_raw(g.span)) for g in doc.groups),
    )


def extract(
    clean: CleanText, docs: tuple[ParsedDoc, ...], registry: UnitRegistry | None = None
) -> Extraction:
    units = _registry(clean, registry)
    out: list[ExtractedDoc] = []
    for doc in docs:
        view = doc.view
        extracted = ExtractedDoc(
            header=view.header,
            span=view.span,
            meeting=extract_meeting(view),
            people=tuple(extract_people(view)),
            tasks=tuple(extract_tasks(view, units)),
            targets=tuple(extract_targets(view)),
            amounts=tuple(extract_amounts(view)),
            groups=tuple(extract_groups(view)),
        )
        out.append(_to_raw(clean, extracted))
    return Extraction(raw=clean.raw, documents=tuple(out))


def run(
    source: Source,
    *,
    settings: Settings | None = None,
    ocr: OcrEngine | None = None,
    registry: UnitRegistry | None = None,
    progress: Progress | None = None,
) -> Extraction:
    """Read, normalize, segment, parse and extract one file, in that order."""

    def stage(name: str, value: T) -> T:
        if progress:
            progress(name)
        return value

    raw: RawText = stage("read", read_source(source, settings=settings, ocr=ocr))
    clean: CleanText = stage("normalize", normalize(raw))
    segments: Segments = stage("segment", segment(clean))
    docs: tuple[ParsedDoc, ...] = stage("parse", parse(segments))
    return stage("extract", extract(clean, docs, registry))


def run_text(text: str, name: str = "input.txt", registry: UnitRegistry | None = None) -> Extraction:
    """The pipeline from already-decoded text (tests, benchmarks)."""
    raw = RawText(source=Source(name, text.encode("utf-8")), text=text, reader="text", encoding="utf-8")
    clean = normalize(raw)
    return extract(clean, parse(segment(clean)), registry)
