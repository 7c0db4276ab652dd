"""Who must do a clause: the units that stand as its subject, not those it merely mentions.

`由区财政局负责`, `金桥办事处、古城街道办事处要牵头组织实施`, `招商局会同财政局要…` name owners;
`按照市财政局统一要求`, `付至市财政局`, `代表区管委会` name units that do nothing here;
`区党工委成立…领导小组` names the body that sets a group up, not the one that works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from duban.ingest.extract import ner
from duban.ingest.extract.units import UnitMention, find_units
from duban.ingest.types import Span

_BOUNDARY = "，。；：！？\n,;:"
# Words that may stand between a clause boundary and its subject unit.
_TRANSPARENT = re.compile(
    r"^(?:[（(][一二三四五六七八九十0-9]+[）)]|[一二三四五六七八九十]+[是要]|[0-9]+[.．、]"
    r"|第[一二三四五六七八九十百零0-9]+条[^，。；]{0,12}?。?)?"
    r"(?:[\u4e00-\u9fff]{2,6}方面。)?"
    r"(?:会议(?:决定|要求|明确|指出|强调)?|同时|其中|并|另外|此外)?"
    r"(?:同意|明确|责成|要求|请|建议)?(?:由|并由|继续由)?$"
)
_ADMIN = re.compile(r"^(?:中共)?(?:区|市|县|省)")
_NOT_IN_NAME = {"v", "ad", "d", "p", "m", "r", "u", "c"} - {"c"}
_LINKERS = re.compile(r"^(?:、|和|及|与|会同|、会同|协同|联合|配合)$")
_NOT_OWNER_AFTER = re.compile(r"^(?:等部门|等单位)?(?:成立|印发|召开|主持|下发|出台)")
_LEAD_AFTER = re.compile(r"^(?:等部门|等单位|及有关部门|会同有关部门)?(?:要|负责)?(?:牵头|为牵头单位)")


@dataclass(frozen=True)
class Owners:
    owners: tuple[str, ...]
    lead: str | None


def _known_mentions(text: str, start: int, end: int, known: Iterable[str]) -> list[UnitMention]:
    out = []
    for name in known:
        pos = text.find(name, start, end)
        while pos >= 0:
            out.append(UnitMention(name, Span(pos, pos + len(name))))
            pos = text.find(name, pos + len(name), end)
    return out


def _merge(found: list[UnitMention], extra: list[UnitMention]) -> list[UnitMention]:
    mentions = sorted(found + extra, key=lambda m: (m.span.start, -len(m.span)))
    out: list[UnitMention] = []
    for m in mentions:
        if out and m.span.start < out[-1].span.end:
            if len(m.span) > len(out[-1].span) and m.span.start == out[-1].span.start:
                out[-1] = m
            continue
        out.append(m)
    return out


def _verb_phrase(name: str, known: Iterable[str]) -> bool:
    """`帮助园区`, `二要瞄准制约集团`: a verb phrase the suffix grammar took for a unit name."""
    if _ADMIN.match(name) or name in known:
        return False
    tokens = ner.tokens(name)
    return any(t.tag in _NOT_IN_NAME for t in tokens[:-1])


def find_owners(text: str, start: int, end: int, known: Iterable[str] = ()) -> Owners:
    """The subject units of text[start:end] and the lead among them, as written."""
    mentions = _merge(find_units(text, start, end), _known_mentions(text, start, end, known))
    owners: list[str] = []
    lead: str | None = None
    prev_accepted: UnitMention | None = None
    group: list[str] = []  # the current list of co-subjects (`A、B要牵头`)
    for m in mentions:
        after = text[m.span.end : min(end, m.span.end + 12)]
        accepted = False
        if prev_accepted is not None and _LINKERS.match(text[prev_accepted.span.end : m.span.start]):
            accepted = True
        else:
            group = []
            clause_start = max(
                (text.rfind(ch, start, m.span.start) for ch in _BOUNDARY),
                default=-1,
            )
            prefix = text[max(clause_start + 1, start) : m.span.start]
            prefix = prefix.strip()
            # `…工作，由X负责` and `X工作由Y负责`: 由 marks the agent whatever topic precedes it.
            accepted = bool(_TRANSPARENT.match(prefix)) or prefix.endswith("由")
        if accepted and (_NOT_OWNER_AFTER.match(after) or _verb_phrase(m.name, known)):
            accepted = False
        if accepted:
            group.append(m.name)
            if m.name not in owners:
                owners.append(m.name)
            if lead is None and _LEAD_AFTER.match(after):
                lead = group[0]
            prev_accepted = m
        else:
            prev_accepted = None
    return Owners(tuple(owners), lead)
