"""Official-document fields (GB/T 9704) and the document's type and date.

The header block is the lines before the body: 版头/发文机关, 发文字号, 标题, 主送机关; the
落款 gives 成文日期; the 版记 gives 印发机关和印发日期. A news article's date is the event date
of its dateline; minutes are dated by the meeting.
"""

from __future__ import annotations

import datetime as dt
import re

from duban.ingest.extract.dates import FULL_DATE, cn_int, find_dates, safe_date
from duban.ingest.segment import DATE_LINE, DOC_NUMBER, DOC_NUMBER_LINE, ISSUER_LINE, NEWS_START
from duban.ingest.types import DocHeader, Segment

_HEAD_LINES = 8
_PRINTED = re.compile(r"^(?P<org>.{2,40}?)\s*(?P<date>[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日)印发$")
_ADDRESSEE = re.compile(r"^(?P<to>[^。！？]{2,120})：$")
_COMMENTARY = re.compile(r"论坛|评论|时评|短评|社论|评论员|观察")
_TYPE_BY_TITLE = (
    (re.compile(r"纪要$"), "minutes"),
    (re.compile(r"政府工作报告$|工作报告$"), "work_report"),
    (re.compile(r"督查通报|督办通知|督查情况"), "supervision"),
    (re.compile(r"通知$|通报$|决定$"), "notice"),
    (re.compile(r"办法$|条例$|规定$|细则$|规则$|制度$"), "regulation"),
    (re.compile(r"方案$|规划$|分工$|计划$|要点$"), "plan"),
)


def _lines(text: str, start: int, end: int) -> list[str]:
    return [ln.strip() for ln in text[start:end].split("\n") if ln.strip()]


def _title(lines: list[str], segment: Segment) -> str | None:
    if segment.headline:
        return segment.headline
    for line in lines[:_HEAD_LINES]:
        if line in segment.kickers:
            return None
        if DOC_NUMBER_LINE.match(line) or (ISSUER_LINE.match(line) and len(lines) > 1 and "关于" not in line):
            continue
        if NEWS_START.match(line) or len(line) > 60 or line[-1] in "。：；，":
            return None
        return line
    return None


def _doc_type(
    title: str | None, body: str, is_news: bool, doc_number: str | None, kickers: tuple[str, ...] = ()
) -> str:
    if is_news:
        labels = " ".join([title or "", *kickers])
        return "commentary" if _COMMENTARY.search(labels) else "news"
    if title:
        for pattern, kind in _TYPE_BY_TITLE:
            if pattern.search(title):
                return kind
    if doc_number and "纪" in doc_number:
        return "minutes"
    if "纪要如下" in body[:600]:
        return "minutes"
    if re.search(r"现(?:将有关事项)?通知如下|印发给你们|特此通知", body):
        return "notice"
    if doc_number:
        return "notice"
    return "other"


def _issuer(title: str | None, lines: list[str], doc_type: str) -> str | None:
    for line in lines[:_HEAD_LINES]:
        if ISSUER_LINE.match(line) and line != title:
            return line
    if title:
        m = re.match(r"^(.{2,40}?(?:委员会|人民政府|办公室|管委会|党工委))(?:会议纪要|关于|文件)", title)
        if m:
            return m.group(1)
    return None


def _document_date(
    text: str, segment: Segment, doc_type: str, lines: list[str], year: int | None
) -> tuple[dt.date | None, str | None, dt.date | None]:
    """(document date, printing organ, printing date)."""
    printed_by: str | None = None
    printed: dt.date | None = None
    for line in lines[-4:]:
        m = _PRINTED.match(line)
        if m:
            printed_by = m["org"].strip()
            d = FULL_DATE.search(m["date"])
            printed = safe_date(cn_int(d["y"]), cn_int(d["m"]), cn_int(d["d"])) if d else None
    if doc_type in ("notice", "regulation", "plan", "supervision", "other"):
        for line in lines:
            if DATE_LINE.match(line):
                d = FULL_DATE.search(line)
                if d:
                    return safe_date(cn_int(d["y"]), cn_int(d["m"]), cn_int(d["d"])), printed_by, printed
    start = segment.body_start if doc_type in ("news", "commentary") else segment.span.start
    window_end = min(segment.span.end, start + 400)
    dates = find_dates(text, year, start, window_end)
    if dates:
        return dates[0].date, printed_by, printed
    return printed, printed_by, printed


def parse_header(text: str, segment: Segment, is_news: bool, year: int | None) -> DocHeader:
    lines = _lines(text, segment.span.start, segment.span.end)
    head = lines[:_HEAD_LINES]
    doc_number = next((DOC_NUMBER.search(ln).group() for ln in head if DOC_NUMBER_LINE.match(ln)), None)  # type: ignore[union-attr]
    title = _title(lines, segment)
    body = text[segment.body_start : segment.span.end]
    doc_type = _doc_type(title, body, is_news, doc_number, segment.kickers)
    date, printed_by, printed = _document_date(text, segment, doc_type, lines, year)
    addressees: tuple[str, ...] = ()
    for line in head:
        m = _ADDRESSEE.match(line)
        if m and not line.startswith(("各位", "会议")):
            addressees = tuple(a for a in re.split(r"[，,、]", m["to"]) if a)
            break
    return DocHeader(
        title=title,
        doc_type=doc_type,
        doc_number=doc_number,
        issuer=None if is_news else _issuer(title, lines, doc_type),
        date=date,
        addressees=addressees,
        printed_by=printed_by,
        printed_date=printed,
    )
