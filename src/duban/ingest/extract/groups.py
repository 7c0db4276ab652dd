"""Leading groups, task forces and headquarters (领导小组, 工作专班, 指挥部) with their members.

Two ways documents write them:

* a roster block: `组长：何冬 市政府副市长` / `副组长：…` / `成员：…`, each label followed by
  continuation lines (`吴骞 市气象局局长`) that share its role, the group named earlier
  (`决定成立驻马店市气象高质量发展工作领导小组，现通知如下`);
* a sentence: `管委会成立项目工作专班协同推进，由魏俊国同志任组长，综合执法局、财政金融局等部门为成员单位`.

Only groups the text sets up (成立/组建/设立) or lists members for count: a meeting *of* a
group (`党的建设工作领导小组扩大会议召开`) is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from duban.ingest.extract.people import (
    CJK,
    ROLES,
    ends_with_post,
    is_name,
    lines,
    parse_entry,
    roster_label,
    roster_mention,
)
from duban.ingest.types import DocView, Group, GroupMember, Span

_KIND = "工作领导小组|领导小组|工作专班|专班|指挥部|工作小组|工作组"
_GROUP_NAME = re.compile(
    rf"(?:成立|组建|设立)(?:了)?(?P<name>[^，。；：\s“”\"《》]{{0,60}}?(?:{_KIND}))(?!会议)"
)
_GENERIC = frozenset(_KIND.split("|"))
_NAMED_GROUP = re.compile(rf"(?P<name>[^，。；：、\s“”\"《》]{{2,40}}?(?:{_KIND}))")

# `由魏俊国同志任组长`, `由市政府副市长何冬担任组长`, `组长由何冬同志担任`, `以何冬为组长`
_APPOINTED = re.compile(
    rf"(?:由|以)(?P<who>[^，。；：由]{{2,40}}?)(?:同志)?(?:任|担任|为)(?P<role>{ROLES})"
    rf"|(?P<role2>{ROLES})由(?P<who2>[^，。；：]{{2,40}}?)(?:同志)?担任"
)
_LISTED = re.compile(
    rf"(?:^|(?<=[，,；]))(?!由|以)(?P<who>[{CJK}、]{{2,40}}?)(?:同志)?(?:任|担任)(?P<role>{ROLES})"
)
_MEMBER_UNITS = re.compile(
    r"(?P<units>[^，。；：]+?)(?:等)?(?:[\d一二三四五六七八九十]+个)?(?:部门|单位)?(?:为|作为)成员单位"
)


@dataclass
class _Draft:
    name: str
    span: Span
    members: list[GroupMember] = field(default_factory=list)

    def freeze(self) -> Group:
        return Group(self.name, tuple(dict.fromkeys(self.members)), self.span)


# ---------------------------------------------------------------- names


def _clean_name(name: str) -> str:
    """`以副市长为组长的X领导小组` → `X领导小组`: a defining clause before 的 is not the name."""
    return name.rsplit("的", 1)[-1]


def _person(who: str) -> tuple[str, str | None] | None:
    """`市政府副市长何冬` → (何冬, 市政府副市长); `魏俊国` → (魏俊国, None)."""
    who = who.removesuffix("同志")
    for cut in range(len(who) - 2, -1, -1):
        head, tail = who[:cut], who[cut:]
        if is_name(tail) and (not head or ends_with_post(head)):
            return tail, head or None
    return None


# ---------------------------------------------------------------- sentence groups


def _sentence_members(clause: str) -> list[GroupMember]:
    """Members named in the sentence that sets a group up."""
    out: list[GroupMember] = []
    for m in _APPOINTED.finditer(clause):
        who, role = (
            (m.group("who"), m.group("role")) if m.group("who") else (m.group("who2"), m.group("role2"))
        )
        found = _person(who)
        if found:
            out.append(GroupMember(role, found[0], found[1]))
    for m in _LISTED.finditer(clause):
        people = [_person(n) for n in m.group("who").split("、") if n]
        if people and all(people):
            out.extend(GroupMember(m.group("role"), p[0], p[1]) for p in people if p)
    for m in _MEMBER_UNITS.finditer(clause):
        units = re.sub(r"^(?:并|由|以|和|及)", "", m.group("units"))
        out.extend(GroupMember("成员单位", u) for u in units.split("、") if _is_unit(u))
    return out


def _sentence_groups(view: DocView) -> list[_Draft]:
    """Groups set up in running text; members come from the rest of the paragraph."""
    out = []
    for offset, line in lines(view):
        found = [m for m in _GROUP_NAME.finditer(line) if _usable(_clean_name(m.group("name")))]
        for k, m in enumerate(found):
            name = _clean_name(m.group("name"))
            start = offset + m.end("name") - len(name)
            draft = _Draft(name, Span(start, start + len(name)))
            stop = found[k + 1].start() if k + 1 < len(found) else len(line)
            draft.members.extend(_sentence_members(line[m.end() : stop]))
            out.append(draft)
    return out


def _is_unit(text: str) -> bool:
    """A named unit, not `各有关部门` / `相关单位`."""
    return len(text) >= 2 and not re.search(r"^(?:各|其他|其它)|有关|相关|部门$|单位$", text)


def _usable(name: str) -> bool:
    """A real name, not `相应的领导小组` or a list swallowed by the pattern."""
    return name not in _GENERIC and "、" not in name and len(name) > 2


# ---------------------------------------------------------------- roster blocks


def _rest_members(role: str, rest: str) -> list[GroupMember]:
    """What follows `组长：` — `何冬 市政府副市长`, `市政府副市长何冬`, `张三、李四`, or member units."""
    rest = rest.strip()
    if not rest:
        return []
    entry = parse_entry(rest, glued=True)
    if entry:
        return [GroupMember(role, entry.name, "，".join(entry.titles) or None)]
    out: list[GroupMember] = []
    pending: list[str] = []  # `市委副书记、市长李强`: titles before the name they belong to
    for item in (i for i in re.split(r"[、，,；;\s]+", rest.rstrip("。")) if i):
        entry = parse_entry(item, glued=True)
        if entry or is_name(item):
            name, titles = (entry.name, [*pending, *entry.titles]) if entry else (item, pending)
            out.append(GroupMember(role, name, "，".join(titles) or None))
            pending = []
        elif ends_with_post(item):
            pending.append(item)
        elif len(item) >= 2:
            out.append(GroupMember("成员单位", item))
    return out


def _roster_blocks(view: DocView) -> list[tuple[Span, list[GroupMember]]]:
    """Runs of role-labelled lines and their continuation lines (same role, no label)."""
    blocks: list[tuple[Span, list[GroupMember]]] = []
    members: list[GroupMember] = []
    role: str | None = None
    start = end = 0
    for offset, line in lines(view):
        label, at = roster_label(line)
        if label and re.match(r"\s*[-•·*]?\s*" + label, line):
            if role is None:
                start = offset
            role = label
            members.extend(_rest_members(role, line[at:]))
            end = offset + len(line)
            continue
        if role and line.strip() and _continues(role, line, members):
            end = offset + len(line)
            continue
        if role and not line.strip():
            continue
        if role and members:
            blocks.append((Span(start, end), members))
        members, role = [], None
    if role and members:
        blocks.append((Span(start, end), members))
    return blocks


def _continues(role: str, line: str, members: list[GroupMember]) -> bool:
    """A line under a role label that adds members with the same role."""
    mention = roster_mention(0, line)
    if mention:
        members.append(GroupMember(role, mention.name, "，".join(mention.titles) or None))
        return True
    if role == "成员单位" or (members and members[-1].role == "成员单位"):
        units = [u for u in re.split(r"[、，,；;]+", line.strip().rstrip("。")) if u]
        if units and all(2 <= len(u) <= 30 and not is_name(u) for u in units) and "、" in line:
            members.extend(GroupMember("成员单位", u) for u in units)
            return True
    return False


def _roster_name(view: DocView, block: Span, drafts: list[_Draft]) -> str:
    """The group a roster belongs to: the last one set up before it, else the last one named."""
    before = [d for d in drafts if d.span.end <= block.start]
    if before:
        return before[-1].name
    text = view.text[view.span.start : block.start]
    named = [m.group("name") for m in _NAMED_GROUP.finditer(text)]
    titled = [n for n in named if len(n) > 4]
    return titled[-1] if titled else "领导小组"


# ---------------------------------------------------------------- the extractor


def extract_groups(view: DocView) -> list[Group]:
    drafts = _sentence_groups(view)
    for block, members in _roster_blocks(view):
        name = _roster_name(view, block, drafts)
        owner = next((d for d in drafts if d.name == name), None)
        if owner is None:
            owner = _Draft(name, block)
            drafts.append(owner)
        owner.members.extend(members)
    merged: dict[str, _Draft] = {}
    for d in sorted(drafts, key=lambda d: d.span):
        if d.name in merged:
            merged[d.name].members.extend(d.members)
        else:
            merged[d.name] = d
    return [d.freeze() for d in merged.values()]
