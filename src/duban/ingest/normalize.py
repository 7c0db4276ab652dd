"""Repair what PDF, OCR and word processors do to Chinese text, keeping a map back to raw offsets.

- spaces between CJK characters go (`政 府 工 作 报 告`, `实 际到 位省 外 资金`), except in roster
  lines, where one space keeps a person's name apart from the title that follows (`吴 鹏 区…` → `吴鹏 区…`);
- lines broken inside a sentence are joined; a hard-wrapped file (most lines the same width) is
  recognised so that only full-width lines are joined to the next;
- page markers (`②7`, `- 3 -`), running headers (`办 公 室 文 件` in the middle of a list) and
  markdown residue (`**`, leading `#`) are dropped;
- full-width digits and letters are folded to ASCII; punctuation keeps its Chinese form.

Every clean character records the raw offset it came from (`CleanText.raw_index`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from duban.ingest.lexicon import ROSTER_SURNAME_SET
from duban.ingest.types import CleanText, RawText

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2014-\u2026\u00b7"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_SPACE = " \u00a0\u3000\u2002\u2003\u2009\r\f\v"

_CJK_RE = re.compile(f"[{_CJK}]")
_SPACE_RUN = re.compile(f"[{_SPACE}]+")
_MARKDOWN_BOLD = re.compile(r"\*\*")
_MARKDOWN_HEADING = re.compile(rf"^[{_SPACE}]*#{{1,6}}[{_SPACE}]*")
_PAGE_MARK_TAIL = re.compile(rf"[①-⑳][0-9０-９]{{0,3}}[{_SPACE}]*$")
_PAGE_NUMBER_LINE = re.compile(r"^[\s\-—–·.．]*(?:第\s*)?[0-9０-９]{1,4}(?:\s*页)?[\s\-—–·.．]*$")
_SPACED_LINE = re.compile(rf"^(?:[{_HAN}][{_SPACE}]+){{2,}}[{_HAN}]$")

_TERMINAL = "。！？；：!?;:"
_CLOSERS = "”’」』）)】"
_OUTLINE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇0-9]+[章节条部分]"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十]+[）)]"
    r"|[0-9]+[.．、](?![0-9])"
    r"|[（(][0-9]+[）)]"
    r"|[①-⑳]"
    r"|[-•·*][ \t])"
)
_DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[（(][0-9]{4}[〕\]）)][0-9]+号")
_NEWS_START = re.compile(r"^(?:\*\*)?本报讯")

_UNIT_START = set("市区县省国驻中")
_POST_HINT = re.compile(
    r"(?:书记|主任|局长|市长|区长|县长|主席|委员|调研员|大队长|队长|政委|教导员|经理|董事长|工程师|经济师"
    r"|会计师|秘书长|厅长|处长|科长|部长|组长|成员|专务|所长|院长|校长|站长|镇长|乡长|记者|通讯员)"
)


@dataclass
class _Line:
    start: int  # raw offset of the line's first character
    text: str  # the raw line without its newline
    newline: int | None  # raw offset of the line's newline, if any


def _lines(text: str) -> Iterator[_Line]:
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        if nl < 0:
            yield _Line(pos, text[pos:], None)
            return
        yield _Line(pos, text[pos:nl], nl)
        pos = nl + 1


def _fold(ch: str) -> str:
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)
    if ch == "％":
        return "%"
    return ch


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_RE.match(ch))


def _width(s: str) -> float:
    """Printed width in CJK character cells (ASCII counts half), spaces ignored."""
    w = 0.0
    for ch in s:
        if ch in _SPACE or ch == "\t":
            continue
        w += 0.5 if ord(ch) < 0x2E80 else 1.0
    return w


@dataclass
class _Cleaned:
    chars: list[str]
    index: list[int]
    roster: bool
    spaced: str  # the line with all spaces removed (for structural tests)

    @property
    def text(self) -> str:
        return "".join(self.chars)


_ROSTER = re.compile(
    rf"^(?P<lead>[{_SPACE}]*(?:[-•·*][{_SPACE}]+)?)"
    rf"(?:(?P<role>[{_HAN}](?:[{_SPACE}]*[{_HAN}]){{1,3}})[{_SPACE}]*[：:][{_SPACE}]*)?"
    rf"(?P<name>[{_HAN}](?:[{_SPACE}]?[{_HAN}]){{1,2}})(?P<sep>[{_SPACE}]+)(?P<rest>[{_HAN}].*)$"
)


def _roster_match(line: str) -> re.Match[str] | None:
    """A roster line: name then title (`吴 鹏 区管委会四级调研员`, `组 长：何 冬 市政府副市长`)."""
    m = _ROSTER.match(line)
    if not m:
        return None
    name = re.sub(f"[{_SPACE}]", "", m.group("name"))
    if name[0] not in ROSTER_SURNAME_SET or not (2 <= len(name) <= 3):
        return None
    rest = m.group("rest")
    if not (_POST_HINT.search(rest) or rest[0] in _UNIT_START):
        return None
    return m


def _clean_line(line: _Line) -> _Cleaned:
    raw = line.text
    n = len(raw)
    drop = [False] * n
    protected: set[int] = set()

    for m in _MARKDOWN_BOLD.finditer(raw):
        for i in range(m.start(), m.end()):
            drop[i] = True
    heading = _MARKDOWN_HEADING.match(raw)
    if heading:
        for i in range(heading.start(), heading.end()):
            drop[i] = True
    marker = _PAGE_MARK_TAIL.search(raw)
    if marker and marker.start() > 0:
        for i in range(marker.start(), marker.end()):
            drop[i] = True

    roster = _roster_match(raw)
    if roster:
        for group in ("role", "name"):
            if roster.group(group):
                for i in range(roster.start(group), roster.end(group)):
                    if raw[i] in _SPACE:
                        drop[i] = True
        protected.add(roster.start("sep"))  # one space keeps the name apart from the title
        for i in range(roster.start("lead"), roster.end("lead")):
            if raw[i] in _SPACE and (i == roster.start("lead") or raw[i - 1] in _SPACE):
                drop[i] = True

    # Spaces next to a CJK character are layout, not content.
    for m in _SPACE_RUN.finditer(raw):
        s, e = m.start(), m.end()
        left = next((raw[i] for i in range(s - 1, -1, -1) if not drop[i]), "")
        right = next((raw[i] for i in range(e, n) if not drop[i]), "")
        if s == 0 or e == n or not left or not right or _is_cjk(left) or _is_cjk(right):
            for i in range(s, e):
                if i not in protected:
                    drop[i] = True
        else:
            for i in range(s + 1, e):  # collapse a run between ASCII words to one space
                drop[i] = True

    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(raw):
        if not drop[i]:
            chars.append(" " if i in protected else _fold(ch))
            index.append(line.start + i)
    text = "".join(chars)
    return _Cleaned(chars, index, roster is not None, re.sub(rf"[{_SPACE}\t]", "", text))


def _wrap_width(lines: list[_Cleaned]) -> float | None:
    """The width of a hard-wrapped file (most lines equally wide), or None."""
    widths = [round(_width(c.text)) for c in lines if c.spaced]
    widths = [w for w in widths if w >= 8]
    if len(widths) < 8:
        return None
    mode, _ = Counter(widths).most_common(1)[0]
    near = sum(1 for w in widths if mode - 2 <= w <= mode + 1)
    return float(mode) if near >= 0.4 * len(widths) else None


def _ends_sentence(s: str) -> bool:
    s = s.rstrip(_CLOSERS)
    return bool(s) and s[-1] in _TERMINAL


def _is_structural(c: _Cleaned) -> bool:
    """A line that always starts a new line: outline marker, roster, document number, dateline."""
    s = c.text.lstrip()
    return (
        c.roster
        or bool(_OUTLINE.match(s))
        or bool(_DOC_NUMBER_LINE.match(c.spaced))
        or bool(_NEWS_START.match(c.spaced))
    )


def _is_heading(c: _Cleaned, raw: str) -> bool:
    return bool(_MARKDOWN_HEADING.match(raw)) or bool(_OUTLINE.match(c.text.lstrip()))


def _joins(prev: _Cleaned, prev_raw: str, nxt: _Cleaned, wrap: float | None) -> bool:
    """Is the line break between prev and nxt a break inside a sentence?"""
    if _ends_sentence(prev.spaced) or _is_structural(nxt) or _MARKDOWN_HEADING.match(prev_raw):
        return False
    if prev.spaced.startswith("——"):  # a report's subtitle line (——在…会议上) stands alone
        return False
    if wrap is not None:
        # Full lines wrap; a shorter line still wraps (a column break) unless it is a heading.
        width = _width(prev.text)
        return width >= wrap - 3 or (width >= 0.6 * wrap and not _is_heading(prev, prev_raw))
    if prev.roster or _is_heading(prev, prev_raw):
        return False
    return _width(prev.text) >= 20


def _is_running_header(c: _Cleaned, raw: str, prev: _Cleaned | None) -> bool:
    """`办 公 室 文 件` left by a page break in the middle of a list or sentence."""
    if not _SPACED_LINE.match(raw.strip()) or not c.spaced.endswith("文件"):
        return False
    return prev is not None and not _ends_sentence(prev.spaced)


def normalize(raw: RawText) -> CleanText:
    text = raw.text
    lines = list(_lines(text))
    cleaned = [_clean_line(line) for line in lines]
    wrap = _wrap_width(cleaned)

    out_chars: list[str] = []
    out_index: list[int] = []
    prev: _Cleaned | None = None
    prev_raw = ""
    pending_newline: int | None = None  # raw offset of the newline that ended the previous kept line

    for line, c in zip(lines, cleaned, strict=True):
        if not c.spaced:
            if line.newline is not None and pending_newline is None and prev is not None:
                pending_newline = line.newline
            continue
        if _PAGE_NUMBER_LINE.match(c.spaced) or _is_running_header(c, line.text, prev):
            continue
        if prev is not None:
            join = _joins(prev, prev_raw, c, wrap)
            if not join:
                out_chars.append("\n")
                out_index.append(pending_newline if pending_newline is not None else c.index[0])
            elif (
                prev.chars and prev.chars[-1].isascii() and prev.chars[-1].isalnum() and c.chars[0].isascii()
            ):
                out_chars.append(" ")
                out_index.append(pending_newline if pending_newline is not None else c.index[0])
        out_chars.extend(c.chars)
        out_index.extend(c.index)
        prev, prev_raw = c, line.text
        pending_newline = line.newline

    _make_monotonic(out_index)
    return CleanText(raw=raw, text="".join(out_chars), raw_index=tuple(out_index))


def _make_monotonic(index: list[int]) -> None:
    """Newline placeholders may point before the line they end; keep the map non-decreasing."""
    for i in range(1, len(index)):
        if index[i] < index[i - 1]:
            index[i] = index[i - 1]
