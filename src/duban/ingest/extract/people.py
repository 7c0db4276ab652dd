"""Named people and the titles written for them.

Three sources, cheapest first:

* roster lines, where the normalizer keeps one space between a name and its title
  (`张卫东 市人大常委会副主任，区党工委书记、管委会主任`, `组长：何冬 市政府副市长`);
* bylines (`（记者 王泉林 通讯员 刘航）`, a line `记者 孙庆辉`);
* running text, where a chain of titles ends right before the name
  (`市政协副主席、高新区(示范区)党工委书记吕沛主持…`). Only sentences with a post
  word (or 同志/领导) before a possible surname go to LAC; its PER words give the name,
  its word tags tell where the title chain starts.

A bare PER word is not enough (LAC tags road, company and product names as PER), so
a name from running text needs a title, `同志`, a `由X任组长` frame or a list it shares
with such a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from duban.ingest.extract import ner
from duban.ingest.lexicon import COMPOUND_SURNAMES, SURNAMES
from duban.ingest.types import DocView, Person, Span

CJK = "\u4e00-\u9fff"

# Posts a title ends with. Longer forms are covered by suffix match (副书记 → 书记).
_POST_WORDS = (
    "书记 主任 局长 市长 区长 县长 省长 州长 镇长 乡长 旗长 主席 委员 常委 调研员 巡视员 "
    "队长 政委 教导员 指导员 经理 董事长 董事 监事长 监事 工程师 经济师 会计师 审计师 规划师 "
    "农艺师 秘书长 厅长 处长 科长 部长 司长 署长 组长 成员 专务 院长 校长 所长 站长 馆长 行长 "
    "社长 会长 理事长 检察长 庭长 科员 干事 专员 督学 参事 顾问 总监 指挥长 总指挥 团长 主委 "
    "主管 负责人 总裁 总编辑 主编 台长 关长 审判长"
)
_POSTS = _POST_WORDS.split()
_POST_ALT = "|".join(sorted(_POSTS, key=len, reverse=True))
_POST_END = re.compile(rf"(?:{_POST_ALT})$")

_SURNAMES_1 = SURNAMES
_SURNAMES_2 = COMPOUND_SURNAMES.split()
_SURNAME_SET = frozenset(_SURNAMES_1)

# A name after a title, when LAC missed it, must be followed by one of these.
_AFTER_NAME = (
    "同志|的带领|的陪同|主持|出席|参加|列席|讲话|会见|陪同|带领|带队|调研|到|在|表示|指出|强调|要求|说|"
    "介绍|等|一行|、|，|,|。|；|）|\\)|$"
)
_STRONG_AFTER = re.compile(r"^(?:同志|的带领|主持|出席|参加|列席|讲话|会见|陪同|带领|带队|调研)")
_NAME_AFTER_POST = re.compile(
    rf"(?:{_POST_ALT})(?P<name>(?:{'|'.join(_SURNAMES_2)}|[{_SURNAMES_1}])[{CJK}]{{1,2}}?)(?={_AFTER_NAME})"
)

# Sentences worth a LAC call: a post word (or 领导/同志) next to a possible name.
_SURNAME_ALT = rf"(?:{'|'.join(_SURNAMES_2)}|[{_SURNAMES_1}])"
_NEEDS_NER = re.compile(
    rf"(?:{_POST_ALT}|领导)(?!单位|班子|小组|关于){_SURNAME_ALT}|{_SURNAME_ALT}[{CJK}]{{1,2}}同志|任命|免去|聘任"
)

ROLES = "常务副组长|副组长|组长|常务副指挥长|副指挥长|指挥长|副总指挥|总指挥|成员单位|成员|顾问|副主任|主任|秘书长"
_LABEL = re.compile(rf"^\s*(?:[-•·*]\s*)?(?:(?P<role>{ROLES})\s*[:：]\s*)?")
_NAME_TITLE = re.compile(rf"^(?P<name>[{CJK}]{{2,4}}) (?P<title>[^\s（(]\S*)$")
_NAME_PAREN = re.compile(rf"^(?P<name>[{CJK}]{{2,4}})\s*[（(](?P<title>[^（()）]+)[）)][，,；;。]?$")
_TITLE_NAME = re.compile(
    rf"^(?P<title>[^\s，。：]{{0,40}}?(?:{_POST_ALT}))(?P<space> ?)(?P<name>[{CJK}]{{2,4}})[，,；;。]?$"
)
_ATTENDEE_HEAD = re.compile(r"^\s*(?:与会人员|出席人员|参会人员|参加人员|列席人员|出席|列席|参加)[:：]\s*")

_BYLINE_ROLE = "特约记者|本报记者|实习生|通讯员|记者|摄影"
_BYLINE_NAME = rf"[{CJK}]{{2,4}}?"
_BYLINE_END = r"(?=\s|、|[)）]|特约记者|本报记者|实习生|通讯员|记者|摄影|摄|文/图|文／图|$)"
_BYLINE_ITEM = re.compile(
    rf"(?P<role>{_BYLINE_ROLE})\s*(?P<names>{_BYLINE_NAME}{_BYLINE_END}(?:、{_BYLINE_NAME}{_BYLINE_END})*)"
)
_BYLINE_BLOCK = re.compile(
    rf"(?:(?<=[（(])|^\s*)(?:(?:{_BYLINE_ROLE})\s*{_BYLINE_NAME}{_BYLINE_END}(?:、{_BYLINE_NAME}{_BYLINE_END})*\s*)+"
    rf"(?:摄|文/图|文／图)?\s*(?:[)）]|$)",
    re.MULTILINE,
)

_SENTENCE = re.compile(r"[^。！？；;\n]+[。！？；;]?")

_APPOINTED_AS = re.compile(r"^(?:同志)?(?:为|任|担任)(?P<title>[^，。；、]{2,30}?)(?=[，。；、]|$|职务)")
_REMOVED_FROM = re.compile(r"^(?:同志)?的?(?P<title>[^，。；、]{2,30}?)职务")

# Tags that may sit inside a title (units, ordinals like 四级, 副/高级); anything else ends it.
_TITLE_TAGS = frozenset({"n", "nz", "nw", "ORG", "LOC", "m", "vn", "a", "an", "b", "j"})
_OPEN = "(（"
_CLOSE = ")）"


@dataclass(frozen=True)
class Mention:
    """One occurrence of a person: name, titles written at that place, span in view.text."""

    name: str
    titles: tuple[str, ...]
    span: Span
    kind: str = "text"  # text | roster | byline | list


# ---------------------------------------------------------------- name shape


def surname_len(name: str) -> int:
    """Length of the surname the name starts with, 0 when none is known."""
    if name[:2] in _SURNAMES_2:
        return 2
    return 1 if name[:1] in _SURNAME_SET else 0


def is_name(name: str, *, need_surname: bool = True) -> bool:
    """Surname + 1–2 characters (given names rarely run longer)."""
    if not re.fullmatch(rf"[{CJK}]{{2,4}}", name):
        return False
    sl = surname_len(name)
    if sl == 0:
        return not need_surname and len(name) <= 3
    return 1 <= len(name) - sl <= 2


def ends_with_post(title: str) -> bool:
    return bool(_POST_END.search(re.sub(r"[（(][^）)]*[）)]$", "", title)))


def split_titles(text: str) -> tuple[str, ...]:
    """`A，B、C` → (A, B, C): the contract lists titles split at 、 and ，."""
    parts = (p.strip() for p in re.split(r"[、，,；;]", text))
    return tuple(p for p in parts if p)


# ---------------------------------------------------------------- text walking


def lines(view: DocView) -> Iterator[tuple[int, str]]:
    """(offset in view.text, line) for each line of the document."""
    start, end = view.span.start, view.span.end
    pos = start
    while pos < end:
        nl = view.text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, view.text[pos:stop]
        pos = stop + 1


def sentences(offset: int, line: str) -> Iterator[tuple[int, str]]:
    for m in _SENTENCE.finditer(line):
        yield offset + m.start(), m.group()


# ---------------------------------------------------------------- roster and bylines


@dataclass(frozen=True)
class Entry:
    """One roster entry: the name, its titles, the name's offsets in the parsed text."""

    name: str
    titles: tuple[str, ...]
    start: int
    end: int


def parse_entry(text: str, base: int = 0, *, glued: bool = False) -> Entry | None:
    """`何冬 市政府副市长`, `何冬（市政府副市长）`, `市政府副市长 何冬`; with glued, `市政府副市长何冬`.

    The spaced forms are the normalizer's roster lines; a title glued to the name is only
    trusted after a role label (`组长：市政府副市长何冬`), where nothing else can precede it.
    """
    m = _NAME_TITLE.match(text)
    if not (m and is_name(m.group("name"), need_surname=False)):
        m = _NAME_PAREN.match(text)  # a bracketed title is weaker evidence: want a known surname
        m = m if m and is_name(m.group("name")) else None
    if m:
        titles = split_titles(m.group("title"))
        if titles and ends_with_post(titles[-1]):
            return Entry(m.group("name"), titles, base + m.start("name"), base + m.end("name"))
    m = _TITLE_NAME.match(text)
    if (
        m
        and is_name(m.group("name"))
        and (m.group("space") or (glued and not re.search("[、，,]", m.group("title"))))
    ):
        return Entry(
            m.group("name"), split_titles(m.group("title")), base + m.start("name"), base + m.end("name")
        )
    return None


def roster_label(line: str) -> tuple[str | None, int]:
    """The role label a roster line starts with (`组长：`, `- `), and where the entry begins."""
    m = _LABEL.match(line)
    return (m.group("role"), m.end()) if m else (None, 0)


def roster_mention(offset: int, line: str) -> Mention | None:
    """A whole line that is one roster entry, after an optional bullet or role label."""
    role, at = roster_label(line)
    rest = line[at:]
    entry = parse_entry(rest.strip(), at + len(rest) - len(rest.lstrip()), glued=role is not None)
    if entry is None:
        return None
    return Mention(entry.name, entry.titles, Span(offset + entry.start, offset + entry.end), "roster")


def attendee_mentions(offset: int, line: str) -> list[Mention]:
    """`出席：张三、李四` lists: names without titles."""
    head = _ATTENDEE_HEAD.match(line)
    if not head:
        return []
    out = []
    for m in re.finditer(rf"[{CJK}]{{2,4}}", line[head.end() :]):
        if is_name(m.group()):
            s = offset + head.end() + m.start()
            out.append(Mention(m.group(), (), Span(s, s + len(m.group())), "list"))
    return out


def byline_mentions(offset: int, line: str) -> list[Mention]:
    """Reporters and correspondents in a byline block: `（记者 王泉林 通讯员 刘航）`."""
    out = []
    for block in _BYLINE_BLOCK.finditer(line):
        for item in _BYLINE_ITEM.finditer(block.group()):
            base = block.start() + item.start("names")
            for m in re.finditer(r"[^、]+", item.group("names")):
                name = m.group()
                if is_name(name):  # a known surname: `通讯员培训班` is not a byline
                    s = offset + base + m.start()
                    out.append(Mention(name, (item.group("role"),), Span(s, s + len(name)), "byline"))
    return out


# ---------------------------------------------------------------- running text


def _title_chain(sentence: str, toks: tuple[ner.Token, ...], i: int) -> tuple[str, ...]:
    """Titles written right before token i: walk back over title-ish words, split at 、."""
    segments: list[str] = []
    seg_end = seg_start = toks[i].start
    depth = 0
    for tok in reversed(toks[:i]):
        if tok.word == "、" and depth == 0:
            if seg_start == seg_end:
                break
            segments.append(sentence[seg_start:seg_end])
            seg_end = seg_start = tok.start
            continue
        if tok.word in _CLOSE:
            depth += 1
        elif tok.word in _OPEN:
            if depth == 0:
                break
            depth -= 1
        elif tok.tag not in _TITLE_TAGS and tok.word != "驻" and not (depth and tok.tag != "w"):
            break
        seg_start = tok.start
    if seg_start < seg_end and depth == 0:
        segments.append(sentence[seg_start:seg_end])
    chain: list[str] = []
    for seg in segments:  # right to left
        if not ends_with_post(seg) or len(seg) > 40:
            break
        chain.append(seg)
    return tuple(reversed(chain))


def _shape_ok(tok: ner.Token) -> bool:
    return is_name(tok.word, need_surname=False)


def _sentence_mentions(offset: int, sentence: str) -> list[Mention]:
    """People LAC finds in one sentence, kept only with a title, 同志, 由…任 or 领导 before them."""
    toks = ner.tokens(sentence)
    out: list[Mention] = []
    accepted: set[int] = set()
    per = [i for i, t in enumerate(toks) if t.tag == "PER" and _shape_ok(t)]
    for i in per:
        after = sentence[toks[i].end :]
        before = sentence[: toks[i].start]
        titles = _title_chain(sentence, toks, i) + _appointment(before, after)
        appointed = before.endswith("由") and re.match(r"(?:同志)?(?:任|担任)", after) is not None
        led = before.endswith("领导") and is_name(toks[i].word)  # 区领导刘涛、谷静…
        if titles or after.startswith("同志") or appointed or led:
            accepted.add(i)
            out.append(Mention(toks[i].word, titles, Span(offset + toks[i].start, offset + toks[i].end)))
    out.extend(_list_mates(offset, toks, per, accepted))
    out.extend(_missed_after_post(offset, sentence, toks))
    return out


def _appointment(before: str, after: str) -> tuple[str, ...]:
    """Titles an appointment notice gives after the name: `任命张三同志为市发改委主任`, `免去李四的…职务`."""
    m = _APPOINTED_AS.match(after) if before.endswith(("任命", "聘任", "聘", "提名")) else None
    m = m or (_REMOVED_FROM.match(after) if before.endswith("免去") else None)
    if m and ends_with_post(m.group("title")) and not re.fullmatch(ROLES, m.group("title")):
        return (m.group("title"),)
    return ()


def _list_mates(
    offset: int, toks: tuple[ner.Token, ...], per: list[int], accepted: set[int]
) -> list[Mention]:
    """Names listed with an accepted name (`领导刘涛、谷静、于杰`) are people too."""
    out = []
    grown = True
    while grown:
        grown = False
        for i in per:
            if i in accepted or not is_name(toks[i].word):
                continue
            near = [j for j in (i - 2, i + 2) if 0 <= j < len(toks) and j in accepted]
            if any(toks[(i + j) // 2].word in "、和及与" for j in near):
                accepted.add(i)
                grown = True
                out.append(Mention(toks[i].word, (), Span(offset + toks[i].start, offset + toks[i].end)))
    return out


def _missed_after_post(offset: int, sentence: str, toks: tuple[ner.Token, ...]) -> list[Mention]:
    """A name LAC did not tag, right after a post word and followed by a name boundary."""
    per_spans = [(t.start, t.end) for t in toks if t.tag == "PER"]
    out = []
    for m in _NAME_AFTER_POST.finditer(sentence):
        s, e = m.span("name")
        if any(a < e and s < b for a, b in per_spans):
            continue
        whole_word = any(t.start == s and t.end == e for t in toks)
        crosses = any(t.start < s < t.end or t.start < e < t.end for t in toks)
        if crosses or (whole_word and not _STRONG_AFTER.match(sentence[e:])):
            continue
        idx = next((k for k, t in enumerate(toks) if t.start == s), None)
        if idx is None:
            continue
        titles = _title_chain(sentence, toks, idx)
        if titles:
            out.append(Mention(m.group("name"), titles, Span(offset + s, offset + e)))
    return out


def needs_ner(sentence: str) -> bool:
    return _NEEDS_NER.search(sentence) is not None


# ---------------------------------------------------------------- the extractor


@lru_cache(maxsize=16)
def mentions(view: DocView) -> tuple[Mention, ...]:
    """Every person mention in the document, in reading order (cached: meeting asks again)."""
    out: list[Mention] = []
    for offset, line in lines(view):
        roster = roster_mention(offset, line)
        if roster:
            out.append(roster)
            continue
        out.extend(attendee_mentions(offset, line))
        out.extend(byline_mentions(offset, line))
        for s_off, sentence in sentences(offset, line):
            if needs_ner(sentence):
                out.extend(_sentence_mentions(s_off, sentence))
    out.sort(key=lambda m: m.span)
    return tuple(out)


def merge(found: Iterable[Mention]) -> list[Person]:
    """One Person per name: titles in order of appearance, the first span."""
    titles: dict[str, list[str]] = {}
    first: dict[str, Span] = {}
    for m in found:
        known = titles.setdefault(m.name, [])
        first.setdefault(m.name, m.span)
        known.extend(t for t in m.titles if t not in known)
    return [Person(name, tuple(titles[name]), first[name]) for name in titles]


def extract_people(view: DocView) -> list[Person]:
    return merge(mentions(view))
