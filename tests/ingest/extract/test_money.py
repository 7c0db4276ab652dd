"""Money amounts: what counts as an amount, what it is worth, and where it stands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duban.ingest.extract.money import extract_amounts, parse_money
from duban.ingest.types import DocHeader, DocView, Span


def view_of(text: str, start: int = 0, end: int | None = None) -> DocView:
    end = len(text) if end is None else end
    return DocView(text=text, span=Span(start, end), body_start=start, header=DocHeader(), year=2024)


def yuan_of(text: str) -> list[float]:
    return [a.yuan for a in extract_amounts(view_of(text))]


def test_wan_yuan_with_decimals_from_a_minutes_decision() -> None:
    text = "会议决定，同意支付上述14笔费用共1005.06万元，按程序审签支付。"
    [amount] = extract_amounts(view_of(text))
    assert amount.yuan == 10050600
    assert amount.text == "1005.06万元"
    assert text[amount.span.start : amount.span.end] == "1005.06万元"


def test_space_between_number_and_unit_is_tolerated_and_dropped_from_text() -> None:
    text = "确认符合条件后将奖补资金的50%计 55 万元区级配套资金付至市财政局。"
    [amount] = extract_amounts(view_of(text))
    assert amount.yuan == 550000
    assert amount.text == "55万元"
    assert text[amount.span.start : amount.span.end] == "55 万元"


def test_yi_yuan_and_plain_yuan() -> None:
    assert yuan_of("税务局共组织各项收入8.49亿元，人均补助1200元。") == [849000000, 1200]


def test_qian_yuan_scale() -> None:
    assert yuan_of("每户奖励5千元。") == [5000]


def test_chinese_numerals() -> None:
    assert yuan_of("同意拨付分局工作经费十万元，另安排三千五百万元用于道路工程。") == [100000, 35000000]


def test_range_gives_both_ends_sharing_one_span() -> None:
    amounts = extract_amounts(view_of("对符合条件的企业给予10-20万元奖励。"))
    assert [a.yuan for a in amounts] == [100000, 200000]
    assert amounts[0].span == amounts[1].span


def test_range_with_unit_on_both_ends() -> None:
    assert yuan_of("项目补助标准为5万元至8万元。") == [50000, 80000]


def test_amount_in_a_headline_counts_like_one_in_the_body() -> None:
    text = "2019年前11个月开发区完成税收8.49亿元\n开发区税务局共组织各项收入8.49亿元，同比增长21.6%。"
    assert yuan_of(text) == [849000000, 849000000]


def test_amount_broken_across_a_line_keeps_its_value() -> None:
    assert yuan_of("税收收入完成7.27亿\n元，同比增长16.7%。") == [727000000]


def test_size_class_without_a_number_is_not_money() -> None:
    assert yuan_of("力争签约亿元以上项目400个以上，引进千万元级项目一批。") == []


def test_number_before_a_size_class_is_money() -> None:
    assert yuan_of("引进中兴新业港、青网科技等18亿元以上项目。") == [1800000000]


def test_percentages_counts_and_dates_are_not_money() -> None:
    assert yuan_of("2019年12月31日元旦前，完成5公里健步走，增长21.6%，新增企业12家。") == []


def test_vague_chinese_magnitudes_are_not_money() -> None:
    assert yuan_of("带动群众增收数十万元，节约上千万元。") == []


def test_a_lone_chinese_digit_before_yuan_is_a_word() -> None:
    assert yuan_of("破除城乡二元结构，一元复始。") == []


def test_foreign_currency_is_not_yuan() -> None:
    assert yuan_of("实际利用外资1200万美元。") == []


def test_only_the_document_span_is_searched() -> None:
    text = "甲文拨付经费10万元。乙文拨付经费20万元。"
    second = text.index("乙")
    amounts = extract_amounts(view_of(text, second))
    assert [a.yuan for a in amounts] == [200000]
    assert amounts[0].span.start > second


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("1005.06万元", 10050600),
        ("共计 20 万元", 200000),
        ("1,300元", 1300),
        ("2.64亿元", 264000000),
        ("1.5万亿元", 1.5e12),
        ("两千元", 2000),
        ("没有金额", None),
        ("亿元以上", None),
    ],
)
def test_parse_money_reads_one_amount(text: str, yuan: float | None) -> None:
    assert parse_money(text) == yuan


@given(st.integers(min_value=1, max_value=99_999), st.integers(min_value=0, max_value=99))
def test_any_wan_yuan_figure_reads_back(whole: int, cents: int) -> None:
    written = f"{whole}.{cents:02d}万元"
    assert parse_money(f"安排资金{written}。") == pytest.approx((whole + cents / 100) * 10_000)
