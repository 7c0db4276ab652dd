"""One file → its documents: a newspaper page into articles, a bulletin into its report and notices.

Works on the clean text line by line. A newspaper page (a `本报讯` dateline somewhere) is cut
at each headline block and each `本报讯`; bylines (`记者…`) close an article. An official
bulletin is cut where a new document header begins: a `关于…的通知` title, or a 发文字号
line, once the current document already has a body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from duban.ingest.types import CleanText, Segment, Segments, Span

NEWS_START = re.compile(r"^本报讯")
BYLINE = re.compile(r"^(?:[（(]?(?:记者|通讯员|见习记者|特约记者)[\u4e00-\u9fff·\s]{2,}|本报记者)")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［][0-9]{4}[〕\]］][0-9]+号")
DOC_NUMBER_LINE = re.compile(rf"^{DOC_NUMBER.pattern}$")
TITLE_LINE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,30}?(?:人民政府|委员会|办公室|局|厅))?关于.{2,60}的"
    r"(?:通知|决定|意见|办法|方案|报告|批复|通报|请示|函|规定|纪要)$"
)
ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:人民政府|委员会|办公室|管委会|党工委|局|厅|部)$")
_TERMINAL = "。！？；：!?;:，、,"
_OUTLINE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇0-9]+[章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[.．、])"
)
_COLUMN_LABEL = re.compile(
    r"^(?:■|●|◆|【).*|^[\u4e00-\u9fff]{0,4}(?:论坛|评论|时评|短评|专栏|观察|视点|快讯|图片新闻)$"
)
DATE_LINE = re.compile(
    r"^(?:[0-9]{4}|[〇零一二三四五六七八九]{4})年[0-9一二三四五六七八九十]{1,2}月[0-9一二三四五六七八九十]{1,3}日$"
)


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for part in text.split("\n"):
        if part.strip():
            out.append(_Line(pos, pos + len(part), part.strip()))
        pos += len(part) + 1
    return out


def _is_headline(line: _Line) -> bool:
    """A short line that is not a sentence, a byline, an outline item or a date."""
    t = line.text
    return (
        len(t) <= 40
        and t[-1] not in _TERMINAL
        and t[-1] not in "”）)"
        and not BYLINE.match(t)
        and not _OUTLINE.match(t)
        and not DATE_LINE.match(t)
        and not DOC_NUMBER_LINE.match(t)
        and not NEWS_START.match(t)
    )


def _is_body(line: _Line) -> bool:
    return len(line.text) > 40 or line.text[-1] in "。！？；"


def is_newspaper(text: str) -> bool:
    return "本报讯" in text


def _news_starts(lines: list[_Line]) -> list[int]:
    starts = [0]
    has_body = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_headline(line):
            j = i
            while j < len(lines) and _is_headline(lines[j]):
                j += 1
            if j < len(lines) and not BYLINE.match(lines[j].text) and has_body:
                starts.append(i)
                has_body = False
            i = j
            continue
        if NEWS_START.match(line.text) and has_body:
            starts.append(i)
            has_body = False
        if _is_body(line) and not BYLINE.match(line.text):
            has_body = True
        i += 1
    return starts


def _official_starts(lines: list[_Line]) -> list[int]:
    starts = [0]
    body_chars = 0
    for i, line in enumerate(lines):
        t = line.text
        new_header = TITLE_LINE.match(t) or DOC_NUMBER_LINE.match(t)
        if new_header and body_chars > 200:
            start = i
            # An issuer line (`驻马店市人民政府`) just above the title belongs to the new document.
            if i > 0 and TITLE_LINE.match(t) and ISSUER_LINE.match(lines[i - 1].text):
                start = i - 1
            starts.append(start)
            body_chars = 0
            continue
        if _is_body(line):
            body_chars += len(t)
    return starts


def segment(clean: CleanText) -> Segments:
    text = clean.text
    lines = _lines(text)
    if not lines:
        return Segments(clean, ())
    news = is_newspaper(text)
    starts = _news_starts(lines) if news else _official_starts(lines)
    starts = sorted(set(starts))
    items: list[Segment] = []
    for k, first in enumerate(starts):
        last = (starts[k + 1] if k + 1 < len(starts) else len(lines)) - 1
        doc_lines = lines[first : last + 1]
        headline = None
        body = doc_lines[0].start
        j = 0
        while news and j < len(doc_lines) - 1 and _is_headline(doc_lines[j]):
            j += 1
        if j:
            block = [ln.text for ln in doc_lines[:j]]
            # A column label (`今日论坛`, `■新年开新局`) stands above the headline, not in its place.
            headline = next((t for t in block if not _COLUMN_LABEL.match(t)), None)
            body = doc_lines[j].start
            kickers = tuple(t for t in block if _COLUMN_LABEL.match(t))
        else:
            kickers = ()
        items.append(Segment(Span(doc_lines[0].start, doc_lines[-1].end), body, headline, kickers))
    return Segments(clean, tuple(items))
