"""The meeting a document reports: its date, who chaired it, who attended.

Minutes and meeting reports open with the facts (`2026年4月17日上午，…张卫东同志主持召开…，
区领导班子成员出席会议`), and minutes list attendees under `与会人员：`. We read only the
opening sentences of the body (up to the first `会议指出…`, `会上…`, `X说…`), so that a
person quoted later, or a meeting mentioned in passing, does not count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from duban.ingest.extract.people import CJK, Mention, is_name, lines, mentions, roster_mention, sentences
from duban.ingest.types import DocView, Meeting, Span

# Document kinds that never report a meeting (a work report is *given at* one, a notice announces one).
_NO_MEETING = frozenset({"work_report", "regulation", "plan", "notice"})

# A meeting *happening*; a bare 会议 (`贯彻会议精神`) is not one.
_CUE = re.compile(r"召开|主持|座谈|会谈|会见|出席|列席|举行[^，。]{0,20}会|听取[^。]{0,30}汇报")
_ATTEND = re.compile(r"主持|出席|参加|列席|会见|陪同|带领|座谈|会谈|召开|听取")
_OPENING_END = re.compile(
    rf"^(?:会议(?:指出|强调|要求|认为|决定|听取|传达|研究|审议|原则)|会上|座谈会上|会前|座谈会前|会后"
    rf"|(?:他|她)(?:说|表示|指出|强调)|[{CJK}]{{2,4}}(?:说|表示|指出|强调|要求)[，,：:])"
)
_MAX_OPENING = 6

_CHAIR = re.compile(r"^(?:同志)?(?:主持|在[^，。]{1,20}主持)")
_VISIT = re.compile(r"^(?:同志)?(?:一行)?(?:先后)?到[^，。；]{1,30}?(?:调研|视察|检查|督导|走访)")
_ROSTER_HEAD = re.compile(
    r"^\s*(?:与会人员|出席人员|参会人员|参加人员|列席人员|出席|列席)\s*[:：]\s*(?P<rest>.*)$"
)

_DATE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")


# ---------------------------------------------------------------- opening sentences


def _opening(view: DocView) -> list[tuple[int, str]]:
    """The first sentences of the body's first real paragraph (one with a comma)."""
    body = DocView(view.text, Span(view.body_start, view.span.end), view.body_start, view.header, view.year)
    for offset, line in lines(body):
        if not re.search(r"[，,]", line):
            continue
        out: list[tuple[int, str]] = []
        for s_off, sentence in sentences(offset, line):
            if out and _OPENING_END.match(sentence):
                break
            out.append((s_off, sentence))
            if len(out) == _MAX_OPENING:
                break
        return out
    return []


def _inside(m: Mention, opening: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    for s_off, sentence in opening:
        if s_off <= m.span.start < s_off + len(sentence):
            yield s_off, sentence


# ---------------------------------------------------------------- date, chair, attendees


def _date(opening: list[tuple[int, str]], year: int | None) -> dt.date | None:
    """The date in the sentence that reports the meeting, else the only date of the opening."""

    def parse(m: re.Match[str]) -> dt.date | None:
        y = int(m.group("y")) if m.group("y") else year
        if y is None:
            return None
        try:
            return dt.date(y, int(m.group("m")), int(m.group("d")))
        except ValueError:
            return None

    for _, sentence in opening:
        if _CUE.search(sentence):
            found = _DATE.search(sentence)
            if found:
                return parse(found)
            break
    dates = {d for _, s in opening for m in _DATE.finditer(s) if (d := parse(m))}
    return dates.pop() if len(dates) == 1 else None


def _chair(view: DocView, people: list[Mention], opening: list[tuple[int, str]]) -> str | None:
    """`X主持` anywhere in the opening; else a leader who `到…调研` and holds the session."""
    for m in people:
        if any(True for _ in _inside(m, opening)) and _CHAIR.match(view.text[m.span.end : m.span.end + 30]):
            return m.name
    for m in people:
        if any(True for _ in _inside(m, opening)) and _VISIT.match(view.text[m.span.end : m.span.end + 40]):
            return m.name
    return None


def _present(people: list[Mention], opening: list[tuple[int, str]]) -> list[str]:
    """People named in an opening sentence that reports attendance (出席, 参加, 会见, 带领 …)."""
    out = []
    for m in people:
        if any(_ATTEND.search(sentence) for _, sentence in _inside(m, opening)):
            out.append(m.name)
    return out


def _roster(view: DocView) -> list[str]:
    """Names listed under `与会人员：` / `出席：`, on the same line or the lines after."""
    out: list[str] = []
    listing = False
    for offset, line in lines(view):
        head = _ROSTER_HEAD.match(line)
        if head:
            listing = True
            out.extend(n for n in re.split(r"[、，,\s]+", head.group("rest")) if is_name(n))
            continue
        if not listing or not line.strip():
            continue
        mention = roster_mention(offset, line)
        names = [n for n in re.split(r"[、，,]+", line.strip()) if n]
        if mention:
            out.append(mention.name)
        elif names and all(is_name(n) for n in names):
            out.extend(names)
        else:
            listing = False
    return out


# ---------------------------------------------------------------- the extractor


def extract_meeting(view: DocView) -> Meeting | None:
    if view.header.doc_type in _NO_MEETING:
        return None
    opening = _opening(view)
    roster = _roster(view)
    reported = any(_CUE.search(s) for _, s in opening)
    if not (reported or roster or view.header.doc_type == "minutes"):
        return None
    people = [m for m in mentions(view) if m.kind != "byline"]
    chair = _chair(view, people, opening)
    attendees = [chair] if chair else []
    attendees += _present(people, opening) + roster
    return Meeting(_date(opening, view.year), chair, tuple(dict.fromkeys(attendees)))
