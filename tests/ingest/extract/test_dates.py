"""Dates as documents write them: full or without a year, periods, deadlines, quarters and rhythms."""

from __future__ import annotations

import datetime as dt

import pytest

from duban.ingest.extract.dates import Period, cn_int, find_dates, recurrence, reference_year, task_period

D = dt.date


def test_full_date_in_chinese_numerals_is_read() -> None:
    text = "二〇二六年四月十七日上午召开会议"
    [found] = find_dates(text, None)
    assert found.date == D(2026, 4, 17)
    assert text[found.span.start : found.span.end] == "二〇二六年四月十七日"


def test_full_date_in_arabic_numerals_keeps_its_own_year_whatever_the_context() -> None:
    [found] = find_dates("2026年4月17日上午", 2020)
    assert found.date == D(2026, 4, 17)


def test_month_day_takes_the_reference_year() -> None:
    text = "会议于3月6日下午召开，要求3月10日前报送材料。"
    found = find_dates(text, 2026)
    assert [f.date for f in found] == [D(2026, 3, 6), D(2026, 3, 10)]
    assert [text[f.span.start : f.span.end] for f in found] == ["3月6日", "3月10日"]


def test_month_day_without_a_reference_year_is_not_a_date() -> None:
    assert find_dates("会议于3月6日下午召开", None) == []


def test_impossible_dates_are_skipped() -> None:
    assert find_dates("2月30日和14月3日", 2026) == []
    assert find_dates("二〇二六年二月三十日", None) == []


def test_dates_are_found_only_inside_the_window() -> None:
    text = "2026年1月5日印发。2026年2月6日施行。"
    assert [f.date for f in find_dates(text, None, 11)] == [D(2026, 2, 6)]


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12), ("十", 10), ("十二", 12), ("二十一", 21), ("二〇二六", 2026)]
)
def test_chinese_numerals_become_integers(text: str, value: int) -> None:
    assert cn_int(text) == value


def test_reference_year_is_the_most_mentioned_year() -> None:
    assert reference_year("2025年工作回顾。2026年目标。2026年重点任务。") == 2026
    assert reference_year("总结2023年工作，2023年全市生产总值增长4.5%，2024年继续努力。") == 2023


def test_reference_year_on_a_tie_is_the_latest() -> None:
    assert reference_year("2025年和2026年") == 2026


def test_reference_year_ignores_numbers_that_are_not_years() -> None:
    assert reference_year("第26届运动会，75周年") is None
    assert reference_year("没有年份") is None


def test_period_from_year_month_to_year_month_runs_from_first_to_last_day() -> None:
    assert task_period("服务期按3年（2026年10月至2029年9月）", 2026) == Period(D(2026, 10, 1), D(2029, 9, 30))


def test_period_with_days_keeps_them() -> None:
    assert task_period("于2026年3月1日至2026年6月30日开展专项行动", 2026) == Period(
        D(2026, 3, 1), D(2026, 6, 30)
    )


def test_period_end_without_a_year_is_in_the_start_year() -> None:
    assert task_period("2026年10月至12月集中整治", None) == Period(D(2026, 10, 1), D(2026, 12, 31))


_NO_YEARLESS_PERIOD = pytest.mark.xfail(
    strict=True,
    reason="_PERIOD requires a 4-digit year before the first month; nothing else resolves a range",
)


@pytest.mark.parametrize(
    ("clause", "period"),
    [
        pytest.param(
            "3月1日至6月30日开展专项整治", Period(D(2026, 3, 1), D(2026, 6, 30)), marks=_NO_YEARLESS_PERIOD
        ),
        pytest.param(
            "3月至6月开展集中攻坚", Period(D(2026, 3, 1), D(2026, 6, 30)), marks=_NO_YEARLESS_PERIOD
        ),
        pytest.param(
            "2026年4月17日至18日开展督导",
            Period(D(2026, 4, 17), D(2026, 4, 18)),
            marks=pytest.mark.xfail(
                strict=True, reason="_PERIOD requires 月 in the end of the range (`至18日`)"
            ),
        ),
    ],
    ids=["month-day-range", "month-range", "day-range"],
)
def test_period_without_a_year_takes_the_reference_year(clause: str, period: Period) -> None:
    assert task_period(clause, 2026) == period


@pytest.mark.xfail(
    strict=True, reason="`即日起至6月30日` has no 前, so _DEADLINE does not match and no deadline is found"
)
def test_period_from_today_until_a_date_has_that_date_as_deadline() -> None:
    assert task_period("即日起至6月30日开展专项整治", 2026).deadline == D(2026, 6, 30)


@pytest.mark.parametrize(
    ("clause", "deadline"),
    [
        ("一季度完成全覆盖", D(2026, 3, 31)),
        ("第二季度完成验收", D(2026, 6, 30)),
        ("2025年三季度完成", D(2025, 9, 30)),
        ("确保6月底前开工建设", D(2026, 6, 30)),
        ("十二月底前完成", D(2026, 12, 31)),
        ("确保资金年底前拨付到位", D(2026, 12, 31)),
        ("2025年年底前建成", D(2025, 12, 31)),
        ("5月31日前报送区党政办公室", D(2026, 5, 31)),
        ("力争2025年6月底前完成", D(2025, 6, 30)),
    ],
)
def test_deadline_of_a_clause(clause: str, deadline: dt.date) -> None:
    assert task_period(clause, 2026) == Period(None, deadline)


@pytest.mark.parametrize("clause", ["同意支付机关聘用人员四季度工资", "同意支付一季度保安服务费"])
def test_a_quarter_that_names_what_is_paid_for_is_no_deadline(clause: str) -> None:
    assert task_period(clause, 2026) == Period(None, None)


def test_deadline_without_a_year_in_text_or_context_is_unknown() -> None:
    assert task_period("6月底前完成", None) == Period(None, None)


def test_clause_without_time_has_no_period() -> None:
    assert task_period("加强日常巡查，落实属地管理责任", 2026) == Period(None, None)


def test_year_end_deadline_keeps_its_own_year() -> None:
    assert task_period("2027年底前建成投用", 2026) == Period(None, D(2027, 12, 31))


@pytest.mark.parametrize(
    ("clause", "rhythm"),
    [
        ("市爱卫办每季度召开一次工作例会", "quarterly"),
        ("每个季度通报一次", "quarterly"),
        ("每半年向区党工委报告一次工作进展", "semiannual"),
        ("每年开展一次评估", "annual"),
        ("每年度考核一次", "annual"),
        ("每月5日前报送统计数据", "monthly"),
        ("每周调度一次项目进展", "weekly"),
        ("每星期五召开例会", "weekly"),
    ],
)
def test_recurrence_of_a_standing_duty(clause: str, rhythm: str) -> None:
    assert recurrence(clause) == rhythm


def test_first_rhythm_named_wins() -> None:
    assert recurrence("每月报送进展，每季度通报一次") == "monthly"


def test_clause_without_a_rhythm_has_no_recurrence() -> None:
    assert recurrence("年度考核结果向社会公布") is None
