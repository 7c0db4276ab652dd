"""周报: the week's counts, units' table, overdue and next week's lists, and three charts as inline PNGs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine

from duban.config import Settings
from duban.db.models import OwnerRole
from duban.db.session import read_session, write_session
from duban.errors import Forbidden, Rejected
from duban.reports import queries
from duban.reports.issue import issue_weekly, read_report_file
from duban.reports.word.layout import BODY_FONT, TITLE_FONT
from duban.reports.word.weekly import DUE_HEADERS, UNIT_HEADERS
from tests.personas import World
from tests.reports.docx_checks import (
    image_parts,
    inline_picture_count,
    open_docx,
    paragraph,
    png_size,
    styles_of,
    table_rows,
    texts,
)
from tests.reports.ledger import NOW, TODAY, task

D = dt.date
MONDAY = D(2026, 11, 16)


def _ledger(engine: Engine, world: World) -> None:
    a, b = world.unit_a, world.unit_b
    with write_session(engine) as s:
        task(s, a, D(2026, 12, 10), assigned=D(2026, 11, 17), text="新交办：完成年度预算调整。")
        task(s, a, D(2026, 11, 20), done=D(2026, 11, 18), assigned=D(2026, 10, 1))
        task(s, b, D(2026, 11, 19), assigned=D(2026, 10, 1), text="区住建局完成危房排查。")
        task(s, b, D(2026, 11, 25), assigned=D(2026, 10, 1), text="区住建局完成冬季供暖保障。")
        # Overdue since October: overdue at the end of every week since, not this week's new overdue.
        task(s, b, D(2026, 10, 30), assigned=D(2026, 9, 1), others=[(a, OwnerRole.SUPPORTING)])
        task(s, a, D(2026, 11, 30), status="draft")


def test_week_counts_are_rebuilt_from_the_timestamps(engine: Engine, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with read_session(engine) as s:
            this_week = queries.week_counts(s, MONDAY, TODAY)
            last_week = queries.week_counts(s, MONDAY - dt.timedelta(weeks=1), TODAY)
            trend = queries.weekly_trend(s, MONDAY, TODAY)
    assert (this_week.new, this_week.completed, this_week.overdue) == (1, 1, 2)
    # A week earlier only the October task was overdue; nothing was handed out or finished.
    assert (last_week.new, last_week.completed, last_week.overdue) == (0, 0, 1)
    assert len(trend) == queries.TREND_WEEKS and trend[-1] == this_week and trend[0].start == D(2026, 9, 28)


def test_a_weekly_report_has_the_counts_tables_and_three_charts(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, org_name="开发区督查室")
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with write_session(engine) as s:
            report = issue_weekly(s, world.supervisor, settings, D(2026, 11, 19))
            content = read_report_file(settings, report)
    assert report.doc_number is None and report.number is None
    assert report.title == "督办工作周报（2026年第47周）" and report.params["week_of"] == "2026-11-16"
    document = open_docx(content)
    lines = [t for t in texts(document) if t]
    assert lines[:3] == ["督办工作周报", "2026年第47周（11月16日—11月22日）", "本周督办工作情况"]
    assert styles_of(paragraph(document, "本周督办工作情况")) == {(TITLE_FONT, 22.0)}
    overview = paragraph(document, "本周（11月16日至11月22日）")
    assert styles_of(overview) == {(BODY_FONT, 16.0)}
    assert "新交办任务1项，办结1项；本周到期仍未办结1项" in overview.text
    assert "在办任务4项（待签收0项、办理中4项、待验收0项）" in overview.text
    assert "待确认任务1项" in overview.text

    pictures = image_parts(document)
    assert inline_picture_count(document) == 3 and len(pictures) == 3
    for png in pictures:
        width, height = png_size(png)
        assert width > height > 200
    assert [line for line in lines if line.startswith("图")] == [
        "图1　任务状态分布",
        "图2　各单位任务办理情况",
        "图3　近8周新交办、办结和逾期任务",
    ]

    units, overdue, next_week = document.tables
    assert table_rows(units) == [
        list(UNIT_HEADERS),
        ["区住建局", "0", "3", "0", "0", "2", "0.0%"],
        ["区财政局", "0", "1", "0", "1", "0", "50.0%"],
    ]
    assert table_rows(overdue) == [
        list(DUE_HEADERS),
        ["1", "区住建局完成危房排查。", "区住建局", "2026年11月19日"],
    ]
    assert table_rows(next_week)[1][1:] == ["区住建局完成冬季供暖保障。", "区住建局", "2026年11月25日"]
    assert lines[-2:] == ["开发区督查室", "2026年11月22日"]


def test_an_empty_ledger_still_gives_a_report_with_its_charts(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    with time_machine.travel(NOW, tick=False), write_session(engine) as s:
        content = read_report_file(settings, issue_weekly(s, world.supervisor, settings, TODAY))
    document = open_docx(content)
    assert document.tables == []
    assert inline_picture_count(document) == 2  # no unit has a task: no units' chart
    assert {"尚无已交办的任务。", "本周到期的任务均已办结。", "下周没有到期的任务。"} <= set(texts(document))


def test_a_week_that_has_not_started_is_refused(engine: Engine, world: World, tmp_path: Path) -> None:
    with (
        time_machine.travel(NOW, tick=False),
        pytest.raises(Rejected, match="尚未开始"),
        write_session(engine) as s,
    ):
        issue_weekly(s, world.supervisor, Settings(data_dir=tmp_path), D(2026, 11, 23))


def test_unit_users_do_not_issue_weekly_reports(engine: Engine, world: World, tmp_path: Path) -> None:
    with pytest.raises(Forbidden), write_session(engine) as s:
        issue_weekly(s, world.unit_a_user, Settings(data_dir=tmp_path), TODAY)
