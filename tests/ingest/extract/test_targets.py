"""Quantified indicators: the figure, its indicator, its qualifier, and whether it is a goal or a result."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duban.ingest.extract.targets import extract_targets
from duban.ingest.types import DocHeader, DocView, Span, Target


def view_of(text: str, doc_type: str = "news", year: int | None = 2024, title: str | None = None) -> DocView:
    header = DocHeader(title=title, doc_type=doc_type, date=dt.date(year, 2, 21) if year else None)
    return DocView(text=text, span=Span(0, len(text)), body_start=0, header=header, year=year)


def targets_of(text: str, **kw: object) -> list[Target]:
    return extract_targets(view_of(text, **kw))  # type: ignore[arg-type]


def only(text: str, **kw: object) -> Target:
    [target] = targets_of(text, **kw)
    return target


PLAN = {"doc_type": "plan", "title": "2024年重点工作实施方案"}

# ---------------------------------------------------------------- the figure and its qualifier


def test_about_qualifier_from_zuoyou() -> None:
    t = only("力争全年经济增长6.5%左右。", **PLAN)
    assert (t.indicator, t.value, t.unit, t.qualifier) == ("经济增长", 6.5, "%", "about")


@pytest.mark.parametrize(
    ("sentence", "qualifier"),
    [
        ("确保进出口增长3%以上。", "at_least"),
        ("力争休闲农业营业收入突破17亿元。", "at_least"),
        ("新能源汽车渗透率不低于30%。", "at_least"),
        ("居民消费价格涨幅3%以内。", "at_most"),
        ("单位生产总值能耗增幅不超过2%。", "at_most"),
        ("新认定国家高新技术企业60家。", "exact"),
    ],
)
def test_qualifier_words(sentence: str, qualifier: str) -> None:
    assert only(sentence, **PLAN).qualifier == qualifier


def test_range_sets_value_max() -> None:
    t = only("柔性引进院士2-3名。", **PLAN)
    assert (t.value, t.value_max, t.unit, t.qualifier) == (2, 3, "名", "range")


def test_scale_stays_in_the_unit_as_written() -> None:
    t = only("实现重点行业5G基站突破1万个。", **PLAN)
    assert (t.indicator, t.value, t.unit, t.qualifier) == ("重点行业5G基站", 1, "万个", "at_least")


def test_space_between_number_and_unit() -> None:
    t = only("新增绿地 6.2 万平方米。", **PLAN)
    assert (t.value, t.unit, t.text) == (6.2, "万平方米", "新增绿地6.2万平方米")


def test_pre_qualifier_verb_is_not_part_of_the_indicator() -> None:
    t = only("高新技术产业对规上工业贡献率稳定在50%以上。", **PLAN)
    assert t.indicator == "高新技术产业对规上工业贡献率"
    assert t.qualifier == "at_least"


# ---------------------------------------------------------------- the indicator


def test_verb_figure_noun_names_the_counted_thing() -> None:
    found = targets_of("打造5个中小企业数字转型标杆、3个制造企业内网改造标杆。", **PLAN)
    assert [(t.indicator, t.value) for t in found] == [
        ("中小企业数字转型标杆", 5),
        ("制造企业内网改造标杆", 3),
    ]
    assert found[0].text == "打造5个中小企业数字转型标杆"


def test_list_items_after_a_comma_each_get_their_own_indicator() -> None:
    found = targets_of("新增省级以上智能工厂（车间）5家、绿色工厂2家。", **PLAN)
    assert [(t.indicator, t.value, t.unit) for t in found] == [
        ("新增省级以上智能工厂（车间）", 5, "家"),
        ("绿色工厂", 2, "家"),
    ]


def test_respectively_list_gives_one_target_per_item_sharing_the_span() -> None:
    text = "确保生猪、肉牛、肉羊分别出栏940万头、50万头、240万只以上。"
    found = targets_of(text, **PLAN)
    assert [(t.indicator, t.value, t.unit, t.qualifier) for t in found] == [
        ("生猪出栏", 940, "万头", "at_least"),
        ("肉牛出栏", 50, "万头", "at_least"),
        ("肉羊出栏", 240, "万只", "at_least"),
    ]
    assert len({t.span for t in found}) == 1


def test_examples_before_deng_are_not_the_indicator() -> None:
    t = only("谋划实施市中医院新院区、市妇幼保健院等66个重点项目。", **PLAN)
    assert (t.indicator, t.value, t.unit) == ("重点项目", 66, "个")


def test_bare_growth_clause_takes_the_previous_subject() -> None:
    found = targets_of("实现旅游综合收入396.5亿元，增长33.4%。", doc_type="news")
    assert [t.indicator for t in found] == ["旅游综合收入", "旅游综合收入增长"]


def test_span_reads_as_text() -> None:
    text = "一、2024年主要目标\n规上工业增加值增长 6.5%，新建高标准农田示范区 60 万亩，完成 40 所乡镇敬老院转型。"
    found = targets_of(text, doc_type="work_report")
    assert len(found) == 3
    for t in found:
        assert "".join(text[t.span.start : t.span.end].split()) == t.text


# ---------------------------------------------------------------- not indicators


@pytest.mark.parametrize(
    "sentence",
    [
        "办好第26届中国农产品加工投洽会。",
        "今年是新中国成立75周年。",
        "2019年以来，开发区紧紧围绕一个载体建设。",
        "固定资产投资增速全省第3，营商环境评价全省第5名。",
        "提前1个月完成任务，前11个月运行平稳。",
        "加快形成500亿级装备制造产业集群，推动6大产业聚能增效。",
        "推进2×100万千瓦火电项目纳入规划。",
        "聚焦“9+15”产业链群，落实《纲要（2022—2035年）》。",
        "加快实施正阳县年产20万吨鲜奶项目、汽车零部件产业园等项目建设。",
        "投资50亿元以上产业项目实现新突破。",
        "实施十件市定惠民工程。",
        "建成10万吨级码头，进入中国民营企业50强。",
    ],
)
def test_numbers_that_are_not_indicators(sentence: str) -> None:
    assert targets_of(sentence, **PLAN) == []


def test_spending_decision_is_an_amount_not_a_target() -> None:
    text = "会议决定，为确保市场监管工作顺利开展，同意拨付分局经费10万元。"
    assert [t for t in targets_of(text, doc_type="minutes") if t.kind == "target"] == []


# ---------------------------------------------------------------- goal or result

REPORT = (
    "政府工作报告\n"
    "一、2023年工作回顾\n"
    "一年来，全年生产总值增长4.5%，新增规上工业企业139家。\n"
    "二、2024年工作总体要求和主要目标\n"
    "主要预期目标是：经济增长6.5%左右，进出口增长3%以上。\n"
    "三、2024年重点工作安排\n"
    "完成造林0.94万亩，新改建农村公路300公里。\n"
)


def test_review_section_figures_are_actuals_of_the_reviewed_year() -> None:
    found = targets_of(REPORT, doc_type="work_report", year=2024)
    review = [(t.indicator, t.kind, t.year) for t in found if t.value in (4.5, 139)]
    assert review == [("生产总值增长", "actual", 2023), ("新增规上工业企业", "actual", 2023)]


def test_goal_and_plan_sections_give_targets_for_the_report_year() -> None:
    found = targets_of(REPORT, doc_type="work_report", year=2024)
    planned = [(t.indicator, t.kind, t.year) for t in found if t.value in (6.5, 3, 0.94, 300)]
    assert planned == [
        ("经济增长", "target", 2024),
        ("进出口增长", "target", 2024),
        ("造林", "target", 2024),
        ("新改建农村公路", "target", 2024),
    ]


def test_review_without_a_year_in_the_heading_belongs_to_the_year_before() -> None:
    text = "一、过去一年工作回顾\n城镇新增就业7.4万人。\n二、今年工作安排\n城镇新增就业6.4万人。"
    found = targets_of(text, doc_type="work_report", year=2024)
    assert [(t.value, t.kind, t.year) for t in found] == [(7.4, "actual", 2023), (6.4, "target", 2024)]


def test_news_completion_is_actual_and_assigned_quota_is_target() -> None:
    text = "全区完成新增城镇就业1175人，提前1个月完成市政府下达的新增城镇就业1100人的目标任务。"
    found = targets_of(text, doc_type="news", year=2019)
    assert [(t.indicator, t.value, t.kind, t.year) for t in found] == [
        ("新增城镇就业", 1175, "actual", 2019),
        ("新增城镇就业", 1100, "target", 2019),
    ]


def test_news_actual_takes_the_year_stated_in_the_sentence() -> None:
    t = only("2019年前11个月，开发区税务局共组织各项收入8.49亿元。", doc_type="news", year=2020)
    assert (t.kind, t.year) == ("actual", 2019)


def test_striving_wording_in_a_news_report_makes_a_target() -> None:
    t = only("会议提出，力争全年引进亿元以上项目20个。", doc_type="news", year=2024)
    assert (t.kind, t.value) == ("target", 20)


def test_to_year_sets_the_target_year() -> None:
    t = only("到2027年，全市规上工业企业达到1500家。", **PLAN)
    assert (t.kind, t.year, t.indicator) == ("target", 2027, "规上工业企业")


def test_plan_document_states_goals_but_past_wording_stays_actual() -> None:
    text = "2023年全市新增高标准农田90.7万亩。今年新建高标准农田示范区60万亩。"
    found = targets_of(text, **PLAN)
    assert [(t.value, t.kind) for t in found] == [(90.7, "actual"), (60, "target")]


def test_only_the_document_span_is_searched() -> None:
    text = "甲：新增企业5家。乙：新增企业8家。"
    view = view_of(text)
    view = DocView(text, Span(text.index("乙"), len(text)), text.index("乙"), view.header, view.year)
    assert [t.value for t in extract_targets(view)] == [8]


def test_time_limit_is_an_indicator_but_a_period_is_not() -> None:
    t = only("企业开办时间压缩至1个工作日以内。", **PLAN)
    assert (t.indicator, t.value, t.unit, t.qualifier) == ("企业开办时间", 1, "个工作日", "at_most")
    assert targets_of("提前50天完成全年任务，用时3天。", doc_type="news") == []


def test_share_of_the_annual_plan_is_a_result() -> None:
    found = targets_of(
        "全市重点项目完成投资268.5亿元，占年度计划的78.6%。", doc_type="supervision", year=2024
    )
    assert [(t.value, t.kind) for t in found] == [(268.5, "actual"), (78.6, "actual")]


def test_deadline_adverb_before_an_action_verb() -> None:
    t = only("年底前实现20个“一件事”集成办理。", **PLAN)
    assert (t.indicator, t.value, t.unit) == ("“一件事”集成办理", 20, "个")


def test_later_report_sections_keep_planning() -> None:
    text = "一、2023年工作回顾\n新增企业10家。\n二、2024年重点工作\n新增企业12家。\n三、加强政府自身建设\n一般性支出压减10%以上。"
    found = targets_of(text, doc_type="work_report", year=2024)
    assert [(t.value, t.kind) for t in found] == [(10, "actual"), (12, "target"), (10, "target")]


def test_year_of_a_result_is_read_across_semicolons() -> None:
    text = "会议指出，2024年全市共签约项目186个；实际利用省外资金达到420亿元。"
    found = targets_of(text, doc_type="news", year=2025)
    assert [(t.value, t.kind, t.year) for t in found] == [(186, "actual", 2024), (420, "actual", 2024)]


def test_striving_does_not_reach_past_a_semicolon() -> None:
    text = "确保网络舆情安全；加强南徐、孟营等13个基层文艺团体建设。"
    assert [t.kind for t in targets_of(text, doc_type="news")] == ["actual"]


def test_purpose_clause_with_queshe_is_not_a_goal() -> None:
    t = only("为确保项目按期投产，企业新建厂房3万平方米。", doc_type="news", year=2024)
    assert t.kind == "actual"


def test_two_figures_joined_by_he_share_the_indicator() -> None:
    found = targets_of("实现旅游收入98亿元，分别增长15.2%和18.6%。", doc_type="news")
    assert [(t.indicator, t.value) for t in found][1:] == [("旅游收入增长", 15.2), ("旅游收入增长", 18.6)]


def test_quoted_name_after_the_figure_may_hold_digits() -> None:
    t = only("建设3个“15分钟便民生活圈”。", **PLAN)
    assert (t.indicator, t.value, t.unit) == ("“15分钟便民生活圈”", 3, "个")


def test_a_verb_alone_names_what_is_measured_when_nothing_follows() -> None:
    t = only("开工建设高标准厂房，确保年内建成投用10万平方米。", **PLAN)
    assert (t.indicator, t.value, t.unit, t.kind) == ("建成投用", 10, "万平方米", "target")


def test_report_without_numbered_headings_still_splits_review_from_plan() -> None:
    text = "2023年工作回顾：全年新增企业10家。主要预期目标是：新增企业12家。"
    found = targets_of(text, doc_type="work_report", year=2024)
    assert [(t.value, t.kind, t.year) for t in found] == [(10, "actual", 2023), (12, "target", 2024)]


def test_baseline_inside_a_plan_is_not_a_goal() -> None:
    text = "我市现有规上工业企业1200家。全年新增规上工业企业100家。"
    found = targets_of(text, **PLAN)
    assert [(t.value, t.kind) for t in found] == [(1200, "actual"), (100, "target")]


def test_table_cells_are_separate_clauses() -> None:
    text = "1\t新增规上工业企业\t20家\t市工信局\n2\t新建5G基站\t500个\t市通信办"
    found = targets_of(text, **PLAN)
    assert [(t.indicator, t.value, t.unit) for t in found] == [
        ("新增规上工业企业", 20, "家"),
        ("新建5G基站", 500, "个"),
    ]


_FRAGMENTS = st.sampled_from(
    [
        "新增",
        "企业",
        "12",
        "3.5",
        "万",
        "亿元",
        "家",
        "%",
        "以上",
        "左右",
        "，",
        "、",
        "。",
        "；",
        "\t",
        "\n",
        " ",
        "分别",
        "第",
        "“",
        "”",
        "力争",
        "一、2023年工作回顾",
        "二、2024年主要目标",
        "等",
        "2-3",
        "名",
        "个月",
        "的",
    ]
)


@given(st.lists(_FRAGMENTS, max_size=40), st.sampled_from(["news", "work_report", "plan", "minutes"]))
def test_any_text_gives_targets_whose_spans_read_as_their_text(parts: list[str], doc_type: str) -> None:
    text = "前言。" + "".join(parts) + "。结尾"
    start = 3
    header = DocHeader(doc_type=doc_type, date=dt.date(2024, 1, 1))
    view = DocView(text, Span(start, len(text) - 3), start, header, 2024)
    for t in extract_targets(view):
        assert start <= t.span.start < t.span.end <= len(text) - 3
        assert "".join(text[t.span.start : t.span.end].split()) == t.text
        assert t.kind in ("target", "actual")
        assert t.qualifier in ("about", "at_least", "at_most", "exact", "range")
