"""Organisation names: found by a unit-suffix grammar, resolved through a registry with aliases.

Official documents name units in full (`招商投资发展局`), with an administrative prefix
(`区招商投资发展局`), by a short form (`区招商局`), or by an abbreviation declared in the text
(`驻马店市爱国卫生运动委员会办公室（以下简称市爱卫办）`). The registry maps all of these to one
canonical unit; output keeps the name as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from duban.ingest.types import Span

# Longest first: the grammar takes the first suffix that ends a candidate.
_SUFFIXES = sorted(
    [
        "人民政府",
        "管委会",
        "管理委员会",
        "委员会",
        "工作委员会",
        "党工委",
        "纪工委",
        "工委",
        "党委",
        "党组",
        "办公室",
        "街道办事处",
        "办事处",
        "街道",
        "分局",
        "局",
        "厅",
        "办",
        "中心",
        "大队",
        "支队",
        "中队",
        "集团",
        "公司",
        "银行",
        "协会",
        "联合会",
        "学会",
        "研究院",
        "医院",
        "学校",
        "大学",
        "园区",
        "电视台",
        "办公厅",
        "宣传部",
        "组织部",
        "统战部",
        "政法委",
        "检察院",
        "法院",
        "专班",
        "领导小组",
        "指挥部",
        "常委会",
        "派出所",
        "供电所",
        "委",
    ],
    key=len,
    reverse=True,
)
_SUFFIX_RE = "|".join(map(re.escape, _SUFFIXES))

# Words a unit name never contains; the grammar cuts a candidate after the last of them.
_LEFT_STOPS = sorted(
    [
        "听取了",
        "听取",
        "传达",
        "学习了",
        "了",
        "由",
        "与",
        "向",
        "对",
        "将",
        "在",
        "按照",
        "根据",
        "依据",
        "会同",
        "同意",
        "要求",
        "代表",
        "付至",
        "至",
        "的",
        "是",
        "为",
        "请",
        "从",
        "把",
        "被",
        "给",
        "等",
        "并",
        "或",
        "以",
        "于",
        "其",
        "及",
        "到",
        "会议",
        "关于",
        "落实",
        "贯彻",
        "支付",
        "拨付",
        "成立",
        "设在",
        "担任",
        "配合",
        "协调",
        "督促",
        "指导",
        "带领",
        "联合",
        "召开",
        "主持",
        "负责",
        "牵头",
        "具体",
        "认真",
        "全体",
        "有关",
        "相关",
        "各",
        "该",
        "我",
        "本",
        "全区",
        "全市",
        "考察组",
        "调研",
        "实地",
        "来到",
        "走进",
        "深入",
        "前往",
        "组织",
        "推动",
        "支持",
        "鼓励",
        "引导",
        "确保",
        "下设",
        "还",
        "也",
        "都",
        "和其",
    ],
    key=len,
    reverse=True,
)
_SUFFIX_SCAN = re.compile(_SUFFIX_RE)
_NAME_CHAR = re.compile(r"[\u4e00-\u9fff（）()]")
_NOT_AFTER = {"办": "理法好结成实件妥", "局": "面势限", "委": "员托屈婉", "中心": "工任", "街道": "路"}
_LEADING_OUTLINE = re.compile(
    r"^(?:[（(][一二三四五六七八九十0-9]{1,3}[）)]|第[一二三四五六七八九十百0-9]{1,4}[条章节款项])+"
)
_ADMIN_PREFIX = re.compile(r"^(?:中共)?(?:区|市|县|省)")
_ABBREVIATION = re.compile(r"([\u4e00-\u9fff]{4,30}?)[（(]以下简称[“\"]?([\u4e00-\u9fff]{2,12})[”\"]?[）)]")
# Generic words that end in a suffix but name no unit.
_NOT_UNITS = {
    "有关部门",
    "各部门",
    "相关部门",
    "各单位",
    "有关单位",
    "责任单位",
    "成员单位",
    "基层单位",
    "施工单位",
    "政委",
    "主办",
    "承办",
    "督办",
    "交办",
    "举办",
    "创办",
    "开办",
    "即办",
    "领导小组办",
    "总局",
    "当局",
    "格局",
    "布局",
    "大局",
    "结局",
    "开局",
    "全局",
    "新局",
    "中心",
    "重心",
    "核心",
    "信心",
    "一中心",
    "园区",
    "所",
    "站",
    "乡",
    "镇",
    "委",
    "局",
    "办",
    "厅",
    "党委",
    "工委",
    "集团",
    "公司",
    "银行",
}
_BAD_ENDINGS = ("局面", "格局", "大局", "新局")
_BAD_START = set("要须着把被让使令这那此该紧好加完才")


@dataclass(frozen=True)
class UnitMention:
    name: str
    span: Span


def _cut_left(candidate: str) -> str:
    """Drop everything up to and including the last stop word before the unit's own last two characters."""
    cut = 0
    for stop in _LEFT_STOPS:
        idx = candidate.rfind(stop, 0, len(candidate) - 2)
        if idx >= 0:
            cut = max(cut, idx + len(stop))
    return candidate[cut:]


def _plausible(name: str) -> bool:
    if name in _NOT_UNITS or len(name) < 2 or name[0] in _BAD_START:
        return False
    core = _ADMIN_PREFIX.sub("", name)
    if core in _NOT_UNITS or len(core) < 2:
        return False
    return not any(name.endswith(b) for b in _BAD_ENDINGS)


def _suffix_ends(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(suffix start, unit end) for each place a unit name can end; adjacent suffixes merge (`环委办`)."""
    hits: list[tuple[int, int]] = []
    for m in _SUFFIX_SCAN.finditer(text, start, end):
        nxt = text[m.end() : m.end() + 1]
        if nxt == "长" or nxt in _NOT_AFTER.get(m.group(), ""):
            continue  # 局长, 大队长: a post; 办理, 局面: not a unit
        if hits and hits[-1][1] == m.start():
            hits[-1] = (hits[-1][0], m.end())
        else:
            hits.append((m.start(), m.end()))
    return hits


def find_units(text: str, start: int = 0, end: int | None = None) -> list[UnitMention]:
    """Unit names written in text[start:end], left to right, without overlaps."""
    end = len(text) if end is None else end
    out: list[UnitMention] = []
    for suffix_start, unit_end in _suffix_ends(text, start, end):
        left = suffix_start
        while left > start and suffix_start - left < 22 and _NAME_CHAR.match(text[left - 1]):
            left -= 1
        name = _LEADING_OUTLINE.sub("", _balance(_cut_left(text[left:unit_end])))
        if not _plausible(name):
            continue
        mention = UnitMention(name, Span(unit_end - len(name), unit_end))
        # `石佛园区运营中心` contains the `石佛园区` found just before: keep the whole name only.
        while out and out[-1].span.start >= mention.span.start:
            out.pop()
        out.append(mention)
    return out


def _balance(name: str) -> str:
    """Cut an unbalanced bracket and what precedes it (`聘用人员（保安公司` → `保安公司`)."""
    opens = sum(name.count(c) for c in "（(")
    closes = sum(name.count(c) for c in "）)")
    if opens == closes:
        return name
    cut = max(name.rfind(c) for c in "（()）")
    return name[cut + 1 :]


def canonical_key(name: str) -> str:
    return _ADMIN_PREFIX.sub("", name.strip())


@dataclass
class Unit:
    name: str
    aliases: set[str] = field(default_factory=set)


class UnitRegistry:
    """All units known to the system, each with its aliases. Lookup ignores the 区/市/县 prefix."""

    def __init__(self) -> None:
        self._units: list[Unit] = []
        self._by_key: dict[str, Unit] = {}

    @property
    def units(self) -> list[Unit]:
        return list(self._units)

    def add(self, name: str, *aliases: str) -> Unit:
        unit = self.resolve(name)
        if unit is None:
            for alias in aliases:
                unit = self._by_key.get(canonical_key(alias))
                if unit:
                    break
        if unit is None:
            unit = Unit(name)
            self._units.append(unit)
        for n in (name, *aliases):
            unit.aliases.add(n)
            self._by_key.setdefault(canonical_key(n), unit)
        return unit

    def resolve(self, name: str) -> Unit | None:
        """The unit a written name refers to: exact alias, or a unique short form (`招商局` → `招商投资发展局`)."""
        key = canonical_key(name)
        unit = self._by_key.get(key)
        if unit:
            return unit
        matches = {id(u): u for k, u in self._by_key.items() if is_short_form(key, k)}
        return next(iter(matches.values())) if len(matches) == 1 else None

    def learn_from_text(self, text: str) -> None:
        """Register declared abbreviations: `X（以下简称Y）`."""
        for m in _ABBREVIATION.finditer(text):
            full = _LEADING_OUTLINE.sub("", _cut_left(m.group(1)))
            self.add(full, m.group(2))

    def load_alias_file(self, path: Path) -> None:
        """One unit per line, names separated by `=`; `#` starts a comment."""
        for line in path.read_text(encoding="utf-8").splitlines():
            names = [n.strip() for n in line.split("#", 1)[0].split("=") if n.strip()]
            if names:
                self.add(names[0], *names[1:])

    def add_mentions(self, names: Iterable[str]) -> None:
        for name in names:
            if self.resolve(name) is None:
                self.add(name)


def is_short_form(short: str, full: str) -> bool:
    """`招商局` is a short form of `招商投资发展局`: same head, same suffix, a subsequence."""
    if len(short) >= len(full) or len(short) < 3 or short[:2] != full[:2] or short[-1] != full[-1]:
        return False
    it = iter(full)
    return all(ch in it for ch in short)
