"""Quantified indicators: `经济增长6.5%左右`, `新增规上工业企业110家`, `柔性引进院士2-3名`.

Chinese official documents state an indicator in one of two shapes:

* indicator first, then the figure: `规上工业增加值增长6.5%`, `奶产量35万吨以上`;
* an action verb, the figure, then the counted thing: `打造5个中小企业数字转型标杆`.

A figure is a number, an optional scale (`万`, `亿`) and a unit from a closed list of
measure words; ordinals (`第26届`), anniversaries (`75周年`), years and periods
(`11个月`) carry no such unit and are never read. Whether a figure is a goal
(`target`) or a result (`actual`) comes from where it stands: in a work report, the
section it sits under (`2023年工作回顾` vs `主要预期目标`, `重点工作安排`); elsewhere,
the wording around it (`力争`, `确保`, `下达的…目标任务` make a goal).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from duban.ingest.extract.numbers import ARABIC, parse_number, squeeze
from duban.ingest.types import DocHeader, DocView, Span, Target

# ---------------------------------------------------------------- the figure

# Measure words, each guarded against the words it begins (`条例`, `项目`, `个人`, `支持` …).
_BASE_UNITS = (
    r"个百分点|百分点|%|％|倍|微克/立方米",
    r"吨标准煤|吨标煤|吨|公斤|千克|斤",
    r"平方公里|平方米|立方米|公顷|公里|千米|米(?![面粉饭])|亩",
    r"千瓦时|千瓦|兆瓦|度(?![过假])",
    r"元(?![旦素宵件器化年])",
    r"人次|人(?![民才员口均工士])|户(?![籍外口型])|家(?![庭属长乡])|名(?![单称义额])",
    r"个(?![月季小工星人体性案])|所(?![有以属在得])|座(?!谈)|处(?![理置室长])|条(?![例件款])",
    r"项(?!目)|件(?!事)|场(?![所地景馆合])|套|辆|台(?![阶账风])|张(?!贴)|间(?![隔断])",
    r"头|只(?![有要是能])|羽|株|棵|宗|笔|批(?![准复示])|次(?![数序])|起(?![来草步诉])|块",
    r"个工作日|工作日|个小时|小时|天(?![然气下])",
)
_BASE_UNIT = "|".join(_BASE_UNITS)
_POST = r"左右|上下|以上|以下|以内|之内"

_QTY = re.compile(
    rf"""
    (?<![\d.．A-Za-z×*/／第每])
    (?P<num>{ARABIC})
    (?:\s*(?:%|％)?\s*(?:[-－~～—–]|至|到)\s*(?P<num2>{ARABIC}))?
    \s*(?P<approx>多|余)?
    \s*(?P<scale>万|亿|千)?
    \s*(?P<approx2>多|余)?                  # 2万余人
    \s*(?P<base>{_BASE_UNIT})
    (?:\s*(?P<post>{_POST}))?
    """,
    re.VERBOSE,
)

# Durations measure something only when a time limit is set (`压缩至1个工作日以内`); otherwise they
# are periods (`提前50天`, `前11个月`).
_DURATION = re.compile(r"工作日|小时|天")
_TIME_LIMIT = re.compile(r"(?:压缩|缩短|压减|减少|降|控制)(?:至|到|在)|不超过|以内|之内")
_NOT_A_VALUE_AFTER = re.compile(r"\s*(?:级|强|周年|届|期|年)")
_QUAL_AFTER = {
    "左右": "about",
    "上下": "about",
    "以上": "at_least",
    "多": "at_least",
    "余": "at_least",
    "以下": "at_most",
    "以内": "at_most",
    "之内": "at_most",
}


@dataclass(frozen=True)
class _Figure:
    start: int  # first digit
    end: int  # after the unit and any trailing qualifier
    value: float
    value_max: float | None
    unit: str
    post: str | None  # 以上, 左右 … or 多/余


def _figures(text: str, lo: int, hi: int) -> Iterator[_Figure]:
    for m in _QTY.finditer(text, lo, hi):
        if _preceded_by(text, m.start(), lo, "第每") or _NOT_A_VALUE_AFTER.match(text, m.end(), hi):
            continue
        value = parse_number(m["num"])
        if value is None:
            continue
        value_max = parse_number(m["num2"]) if m["num2"] else None
        unit = (m["scale"] or "") + m["base"]
        if _DURATION.search(unit) and not _TIME_LIMIT.search(text, max(lo, m.start() - 4), m.end()):
            continue
        yield _Figure(m.start(), m.end(), value, value_max, unit, m["post"] or m["approx"] or m["approx2"])


def _preceded_by(text: str, pos: int, lo: int, chars: str) -> bool:
    """True when the last non-space character before pos is one of chars (`第 26届`)."""
    head = text[max(lo, pos - 4) : pos].rstrip()
    return bool(head) and head[-1] in chars


# ---------------------------------------------------------------- the indicator

# Tabs and bars separate table cells: a cell ends a clause like a comma does.
_CLAUSE_END = re.compile(r"[，,；;。：:！？!?\n\t|｜]")
_CELL_SEPARATORS = "\t|｜"
_PART_END = re.compile(r"[；;。！？!?\n\t|｜]")
_SENTENCE_END = re.compile(r"[。！？!?\n]")

_LEAD_JOIN = re.compile(r"^(?:[、\s“”]|以及|和|及|与|并|同时|其中|另外|此外)*")
_LEAD_INTENT = re.compile(
    r"(?:力争|确保|争取|努力|力求|全力|预计|计划|推动|促进|推进|着力|实现|完成|达到|累计|共(?![青享建同])|要(?![素求点])|"
    r"全年|今年|当年|年内|全市|全区|全县|全省|各县区|各县|各区|(?:19|20)\d\d\s*年度?|年底前)"
)
# What sits between an indicator and its figure, with the qualifier it implies.
_PRE_QUAL = re.compile(
    r"(?:不超过|不高于|不低于|不少于|突破|超过|超|高于|大于|低于|控制在|稳定在|保持在|达到|达|"
    r"压缩至|压缩到|缩短至|缩短到|压减至|压减到|"
    r"增加至|增加到|增至|提高到|提高至|提升到|提升至|下降至|下降到|降至|降到|减少至|减少到|上升至|上升到|为|在|至|到|约|近|"
    r"总计|合计|共|累计|分别|均)$"
)
_PRE_QUAL_KIND = {
    "不超过": "at_most",
    "不高于": "at_most",
    "低于": "at_most",
    "不低于": "at_least",
    "不少于": "at_least",
    "突破": "at_least",
    "超过": "at_least",
    "超": "at_least",
    "高于": "at_least",
    "大于": "at_least",
    "约": "about",
    "近": "about",
}
# `等` closes a list of examples (`市第七人民医院等66个重点项目`); not the 等 of 高等, 等级.
_ETC = re.compile(r"(?<![高中初平同对均])等(?![级待同于值效额次])")
# A verb that introduces the counted thing after the figure (`打造5个…标杆`).
_ACTION_VERB = re.compile(
    r"^(?:打造|建设|建成|新建|新增|培育|引进|实施|创建|支持|改造|开工|开展|举办|举行|谋划|投用|投产|竣工|"
    r"新改建|对|有|组织|形成|争创|带动|设立|推出|建立|发展|落实|提供|新购|规划|招引|签约|认定|"
    r"评选|表彰|推荐|扶持|帮助|服务|培训|新开工|完成|实现|达到){1,2}$"
)
# The counted thing after a figure: up to the clause end or the next figure; quoted names may hold digits.
_FORWARD = re.compile(
    r"(?:“[^”\n]{1,20}”|[^\d，,；;。：:！？!?、\n\t|｜“]){1,30}?(?=[，,；;。：:！？!?、\n\t|｜]|[和及与]\s*\d|\d|$)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOUN_AFTER = re.compile(r" *(?![的和及与或并])[\u4e00-\u9fff“]")


@dataclass(frozen=True)
class _Indicator:
    name: str
    start: int  # where the target's source phrase starts
    end: int  # where it ends
    pre_qualifier: str | None


def _lead_join_end(region: str) -> int:
    m = _LEAD_JOIN.match(region)
    return m.end() if m else 0


def _strip_left(text: str, lo: int, hi: int) -> tuple[int, int, str | None]:
    """Trim an indicator region [lo, hi) to the indicator proper; return its bounds and any qualifier word."""
    region = text[lo:hi]
    i = _lead_join_end(region)
    etc = list(_ETC.finditer(region, i))
    if etc:
        i = etc[-1].end()
    j = len(region.rstrip())
    qualifier = None
    while (m := _PRE_QUAL.search(region, i, j)) is not None and m.start() > i:
        qualifier = qualifier or _PRE_QUAL_KIND.get(m.group())
        j = m.start()
    j = len(region[:j].rstrip("的 "))
    k = region.rfind("的", i, j)
    if k >= 0 and j - k > 2:
        i = k + 1
    while (m := _LEAD_INTENT.match(region, i, j)) is not None and m.end() > i and m.end() < j:
        i = m.end()
    return lo + i, lo + j, qualifier


def _indicator(text: str, region_lo: int, fig: _Figure, hi: int) -> _Indicator | None:
    """The indicator of a figure whose left context is [region_lo, fig.start)."""
    start, end, pre = _strip_left(text, region_lo, fig.start)
    name = squeeze(text[start:end])
    opens_item = text[region_lo : fig.start].rstrip().endswith("、")  # `…、11条干线公路`: a new list item
    noun_after = _NOUN_AFTER.match(text, fig.end, hi) is not None
    if name and not opens_item and not _ACTION_VERB.match(name) and _CJK.search(name):
        # `君乐宝年产20万吨鲜奶`: a figure inside a name describes it; it measures nothing.
        return None if noun_after else _Indicator(name, start, fig.end, pre)
    fwd = _FORWARD.match(text, fig.end, hi) if noun_after else None
    if fwd is None or len(squeeze(fwd.group())) < 2:
        # `确保年内建成投用10万平方米`: the verb alone names what is measured.
        return _Indicator(name, start, fig.end, pre) if len(name) > 1 and not opens_item else None
    verb_start = region_lo + _lead_join_end(text[region_lo : fig.start])
    return _Indicator(squeeze(fwd.group()), min(verb_start, fig.start), fwd.end(), pre)


_GROWTH_ONLY = re.compile(
    r"(?:比上年|比去年|较上年|较去年|同比)?(?:分别|均)?(?P<verb>增长|下降|提高|减少|增加|降低)"
)
_SUBJECT_TAIL = re.compile(r"(?:完成|达到|实现|达|为|共|累计)+$")


def _with_subject(name: str, prev_name: str) -> str:
    """`收入396.5亿元，增长33.4%`: a bare growth clause measures the previous figure's indicator."""
    m = _GROWTH_ONLY.fullmatch(name)
    if m is None or not prev_name:
        return name
    return _SUBJECT_TAIL.sub("", prev_name) + m["verb"]


def _inside_quote(text: str, lo: int, pos: int) -> bool:
    """Figures inside book titles or quoted names (`《…2022—2035年》`, `“9+15”`) are names, not values."""
    head = text[lo:pos]
    return head.count("《") > head.count("》") or head.count("“") > head.count("”")


def _class_threshold(text: str, fig: _Figure, hi: int) -> bool:
    """`亿元以上项目`: a figure with 以上/以下 directly followed by a noun defines a class of things."""
    if fig.post not in ("以上", "以下"):
        return False
    return _CJK.match(text, fig.end, hi) is not None


# ---------------------------------------------------------------- goal or result

_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_HEADING = re.compile(
    r"(?:^|(?<=[\n。！？；]))[ \t]*[一二三四五六七八九十]{1,3}、(?P<head>[^\n。；，]{2,30})", re.M
)
_SECTION_WORDS = re.compile(r"工作回顾|主要预期目标|重点工作安排|工作总体要求")
_REVIEW_WORDS = re.compile(r"回顾|过去|总结|成绩|成就")
_PLAN_WORDS = re.compile(r"目标|安排|任务|计划|打算|部署|要求|重点工作|今年|今后|明年|建议")
# Goal wording. Forward-looking verbs anywhere earlier in the sentence (`力争到2025年，…`);
# nouns of planning only in the figure's own clause (`市政府下达的…1100人的目标任务`).
_GOAL_IN_SENTENCE = re.compile(r"力争|力求|(?<![为以])确保|预期目标|争取到|到\s*20\d\d\s*年(?:底|末)?")
_GOAL_IN_CLAUSE = re.compile(r"目标|下达|年底前")
_SHARE_OF_PLAN = re.compile(r"(?:目标|计划|任务)(?:任务)?的\s*$")  # `完成年度目标任务的112%`
_GOAL_AFTER = re.compile(r"\s*的?\s*(?:目标|任务)")
_PAST_WORDING = re.compile(r"去年|上年|过去|截至|已经|累计|同比")
# What already exists, inside a plan: `我市现有规上工业企业1200家` is a baseline, not a goal.
_BASELINE = re.compile(r"现有|目前|已有|已经|已建成|共有|截至|截止")
_PLAN_TITLE = re.compile(r"方案|规划|计划|要点|意见|分工|责任书|目标")
# Money granted or paid out is a spending decision (an amount), not an indicator to reach.
_SPENDING = re.compile(r"拨付|支付|拨款|下拨|兑现|发放|列支")
_PARENS = re.compile(r"（[^（）]*）|\([^()]*\)")


@dataclass(frozen=True)
class _Section:
    start: int
    kind: str | None  # target | actual | None (neither: fall back to wording)
    year: int | None


def _report_sections(view: DocView, year: int | None) -> list[_Section]:
    """A work report's top-level sections, each read as a review (actuals) or a plan (targets)."""
    if view.header.doc_type != "work_report":
        return []
    out: list[_Section] = []
    for m in _HEADING.finditer(view.text, view.span.start, view.span.end):
        head = m["head"]
        ym = _YEAR.search(head)
        head_year = int(ym[1]) if ym else None
        kind = _section_kind(head, head_year, year)
        if kind is None and out and out[-1].kind == "target":
            # `四、全面加强政府自身建设`: once the plan has begun, later sections plan too.
            kind, head_year = "target", out[-1].year
        out.append(_Section(m.start(), kind, head_year))
    return out or _keyword_sections(view)


def _keyword_sections(view: DocView) -> list[_Section]:
    """Fallback when no `一、` headings survived: the section names alone still mark review and plan."""
    return [
        _Section(m.start(), "actual" if m.group() == "工作回顾" else "target", None)
        for m in _SECTION_WORDS.finditer(view.text, view.span.start, view.span.end)
    ]


def _section_kind(head: str, head_year: int | None, year: int | None) -> str | None:
    if head_year is not None and year is not None and head_year != year:
        return "actual" if head_year < year else "target"
    if _REVIEW_WORDS.search(head):
        return "actual"
    if _PLAN_WORDS.search(head) or (head_year is not None and head_year == year):
        return "target"
    return None


def _kind_and_year(
    view: DocView, sections: list[_Section], year: int | None, fig: _Figure, scan: _Scan
) -> tuple[str, int | None]:
    k = bisect.bisect_right([s.start for s in sections], fig.start) - 1
    section = sections[k] if k >= 0 else None
    text = view.text
    sent_lo, sent_hi = scan.sentence(fig.start)
    sentence = text[sent_lo:sent_hi]
    if section is not None and section.kind == "actual":
        return "actual", section.year or (year - 1 if year else None)
    baseline = _BASELINE.search(text, scan.part_start(fig.start), fig.start) is not None
    if section is not None and section.kind == "target" and not baseline:
        return "target", _target_year(sentence, section.year or year)
    if _goal_wording(text, fig, scan) or (
        _plan_like(view.header) and not baseline and not _past_wording(sentence, year)
    ):
        return "target", _target_year(sentence, year)
    years = _YEAR.findall(_PARENS.sub("", text[sent_lo : fig.start]))
    return "actual", int(years[0]) if years else year


def _goal_wording(text: str, fig: _Figure, scan: _Scan) -> bool:
    """`力争…` earlier in the same part of the sentence (up to `；`), planning nouns in the clause."""
    clause_lo, part_lo = scan.clause_start(fig.start), scan.part_start(fig.start)
    if _GOAL_IN_SENTENCE.search(text, part_lo, fig.start) or _GOAL_AFTER.match(text, fig.end):
        return True
    return bool(_GOAL_IN_CLAUSE.search(text, clause_lo, fig.start)) and not _SHARE_OF_PLAN.search(
        text, clause_lo, fig.start
    )


def _is_spending(text: str, clause_lo: int, fig: _Figure) -> bool:
    return fig.unit.endswith("元") and _SPENDING.search(text, clause_lo, fig.start) is not None


def _plan_like(header: DocHeader) -> bool:
    """Plans (方案, 规划, 工作要点 …) state goals unless the wording says otherwise."""
    return header.doc_type == "plan" or bool(header.title and _PLAN_TITLE.search(header.title))


def _target_year(sentence: str, default: int | None) -> int | None:
    m = re.search(r"到\s*(20\d\d)\s*年", sentence)
    return int(m[1]) if m else default


def _past_wording(sentence: str, year: int | None) -> bool:
    if _PAST_WORDING.search(sentence):
        return True
    return year is not None and any(int(y) < year for y in _YEAR.findall(sentence))


# ---------------------------------------------------------------- putting it together


def _qualifier(fig: _Figure, pre: str | None) -> str:
    if fig.value_max is not None:
        return "range"
    return _QUAL_AFTER.get(fig.post or "") or pre or "exact"


@dataclass
class _Scan:
    """Where clauses (`，`), sentence parts (`；`) and sentences (`。`) end inside the document."""

    clause_ends: list[int]
    part_ends: list[int]
    sentence_ends: list[int]
    lo: int
    hi: int

    def clause_start(self, pos: int) -> int:
        return self._around(self.clause_ends, pos)[0]

    def part_start(self, pos: int) -> int:
        return self._around(self.part_ends, pos)[0]

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._around(self.sentence_ends, pos)

    def _around(self, ends: list[int], pos: int) -> tuple[int, int]:
        k = bisect.bisect_left(ends, pos)
        start = ends[k - 1] + 1 if k > 0 else self.lo
        return start, ends[k] if k < len(ends) else self.hi


def _scan(view: DocView) -> _Scan:
    lo, hi, text = view.span.start, view.span.end, view.text
    return _Scan(
        [m.start() for m in _CLAUSE_END.finditer(text, lo, hi)],
        [m.start() for m in _PART_END.finditer(text, lo, hi)],
        [m.start() for m in _SENTENCE_END.finditer(text, lo, hi)],
        lo,
        hi,
    )


_COPULA = re.compile(r"^(?:为|是|达到|达|在)$")
_RESPECTIVELY = re.compile(r"^(?P<items>.+?)分别(?P<verb>[^、，]*?)$")


def _respectively(
    text: str, region_lo: int, figs: list[_Figure], first: int, hi: int
) -> list[tuple[_Figure, _Indicator]] | None:
    """`确保生猪、肉牛、肉羊分别出栏940万头、50万头、240万只以上`: one indicator per listed item."""
    region = text[region_lo : figs[first].start]
    m = _RESPECTIVELY.match(region.strip())
    if m is None:
        return None
    offset = region_lo + (len(region) - len(region.lstrip()))
    items_lo, _, _ = _strip_left(text, offset, offset + m.end("items"))
    items = [
        squeeze(x) for x in re.split(r"[、，,]|和|及", text[items_lo : offset + m.end("items")]) if x.strip()
    ]
    group = [figs[first]]
    for fig in figs[first + 1 :]:
        if len(group) == len(items) or text[group[-1].end : fig.start].strip() != "、":
            break
        group.append(fig)
    if len(group) != len(items) or len(items) < 2:
        return None
    verb, end, shared = _COPULA.sub("", squeeze(m["verb"])), group[-1].end, group[-1].post
    return [
        (replace(fig, post=fig.post or shared), _Indicator(item + verb, offset, end, None))
        for item, fig in zip(items, group, strict=True)
    ]


def extract_targets(view: DocView) -> list[Target]:
    """Every quantified indicator in the document span, in reading order."""
    year = view.year or (view.header.date.year if view.header.date else None)
    sections = _report_sections(view, year)
    scan = _scan(view)
    out: list[Target] = []
    for fig, ind in _indicated_figures(view.text, scan):
        clause_lo = scan.clause_start(fig.start)
        if _inside_quote(view.text, clause_lo, fig.start) or _class_threshold(view.text, fig, scan.hi):
            continue
        kind, fig_year = _kind_and_year(view, sections, year, fig, scan)
        if kind == "target" and _is_spending(view.text, clause_lo, fig):
            continue
        out.append(
            Target(
                indicator=ind.name,
                value=fig.value,
                unit=fig.unit,
                qualifier=_qualifier(fig, ind.pre_qualifier),
                kind=kind,
                year=fig_year,
                text=squeeze(view.text[ind.start : ind.end]),
                span=Span(ind.start, ind.end),
                value_max=fig.value_max,
            )
        )
    return out


def _indicated_figures(text: str, scan: _Scan) -> Iterator[tuple[_Figure, _Indicator]]:
    """Pair each figure with its indicator; a figure's left context starts after the previous one."""
    figs = list(_figures(text, scan.lo, scan.hi))
    prev_end, prev_name, prev_sentence = scan.lo, "", -1
    i = 0
    while i < len(figs):
        fig = figs[i]
        if fig.start < prev_end:  # swallowed by the previous figure's counted noun
            i += 1
            continue
        region_lo = _cell_aware_start(text, scan, max(scan.clause_start(fig.start), prev_end), fig.start)
        group = _respectively(text, region_lo, figs, i, scan.hi)
        found = group if group is not None else _single(text, region_lo, fig, scan.hi, prev_end, prev_name)
        sentence = scan.sentence(fig.start)[0]
        for f, ind in found:
            name = _with_subject(ind.name, prev_name if sentence == prev_sentence else "")
            yield f, _Indicator(name, ind.start, ind.end, ind.pre_qualifier)
            prev_name, prev_sentence = name, sentence
        if found:
            prev_end = max(ind.end for _, ind in found)
        i += max(1, len(found))


def _cell_aware_start(text: str, scan: _Scan, region_lo: int, pos: int) -> int:
    """A figure alone in a table cell (`新增规上工业企业\t20家`) takes its indicator from the cell before."""
    if text[region_lo:pos].strip() or region_lo <= scan.lo or text[region_lo - 1] not in _CELL_SEPARATORS:
        return region_lo
    return scan.clause_start(region_lo - 1)


def _single(
    text: str, region_lo: int, fig: _Figure, hi: int, prev_end: int, prev_name: str
) -> list[tuple[_Figure, _Indicator]]:
    ind = _indicator(text, region_lo, fig, hi)
    if ind is None and prev_name and text[prev_end : fig.start].strip() in ("、", "和", "及", "与"):
        ind = _Indicator(prev_name, fig.start, fig.end, None)  # `增长11%、8.7%`: the list shares it
    return [] if ind is None else [(fig, ind)]
