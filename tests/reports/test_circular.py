"""督查通报: summary figures, the ranking table, the overdue list, praise and criticism by the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine

from duban.config import Settings
from duban.db.session import write_session
from duban.errors import Forbidden, Rejected
from duban.reports.issue import issue_circular, read_report_file
from duban.reports.numbering import last_number
from duban.reports.rules import RulesError
from duban.reports.word.circular import OVERDUE_HEADERS, RANKING_HEADERS
from duban.reports.word.layout import BODY_FONT, HEADING1_FONT, HEADING2_FONT, TITLE_FONT
from duban.workflow.principal import Principal
from duban.workflow.scoring import Period
from tests.personas import World
from tests.reports.docx_checks import open_docx, paragraph, styles_of, table_rows, texts
from tests.reports.ledger import NOW, task

D = dt.date
OCTOBER = Period.parse("2026-10")


def _ledger(engine: Engine, world: World) -> None:
    a, b, c = world.unit_a, world.unit_b, world.unit_c
    with write_session(engine) as s:
        # 区财政局: on time in every quarter so far, one open task handed out on 31 October.
        for deadline in (D(2026, 2, 10), D(2026, 5, 10), D(2026, 8, 10), D(2026, 10, 10)):
            task(s, a, deadline, done=deadline - dt.timedelta(days=1))
        task(s, a, D(2026, 11, 30))
        # 区住建局: one done late, one overdue in October.
        task(s, b, D(2026, 10, 10), done=D(2026, 10, 20))
        task(s, b, D(2026, 10, 20), text="区住建局完成保障房项目竣工验收。")
        # 区教育局: September overdue, October 1 of 3 on time: two poor months in a row.
        task(s, c, D(2026, 9, 10))
        task(s, c, D(2026, 10, 5), done=D(2026, 10, 5))
        task(s, c, D(2026, 10, 15), text="区教育局完成校舍安全排查。")
        task(s, c, D(2026, 10, 25), done=D(2026, 11, 2))
        # Neither drafts nor cancelled tasks are anyone's record.
        task(s, a, D(2026, 10, 12), status="draft")
        task(s, b, D(2026, 10, 12), status="cancelled")


def _issue(
    engine: Engine, who: Principal, settings: Settings, period: Period = OCTOBER
) -> tuple[str | None, bytes]:
    with write_session(engine) as s:
        report = issue_circular(s, who, settings, period)
        return report.doc_number, read_report_file(settings, report)


def test_a_circular_reports_the_period_ranks_units_lists_overdue_and_praises_and_criticises(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        number, content = _issue(engine, world.supervisor, settings)
    assert number == "督通〔2026〕1号"
    document = open_docx(content)
    lines = [t for t in texts(document) if t]
    title = "关于2026年10月督办事项办理情况的通报"
    assert lines[:4] == ["督查室", "督通〔2026〕1号", title, "各有关单位："]
    assert styles_of(paragraph(document, title)) == {(TITLE_FONT, 22.0)}
    assert styles_of(paragraph(document, "一、总体情况")) == {(HEADING1_FONT, 16.0)}
    summary = paragraph(document, "截至2026年11月22日").text
    assert (
        "2026年10月到期的督办任务共6项。其中，按期办结2项，逾期办结2项，逾期未办结2项，尚未到期0项" in summary
    )
    assert "按期办结率为33.3%" in summary and "新交办任务1项" in summary

    ranking, overdue = document.tables
    rows = table_rows(ranking)
    assert len(rows) == 3 + 1  # three ranked units and the header
    assert rows[0] == list(RANKING_HEADERS)
    assert [r[:2] for r in rows[1:]] == [["1", "区财政局"], ["2", "区教育局"], ["3", "区住建局"]]
    assert rows[1][6] == "100.0%" and rows[3][5] == "1"
    assert styles_of(ranking.rows[1].cells[1].paragraphs[0]) == {(BODY_FONT, 12.0)}

    overdue_rows = table_rows(overdue)
    assert overdue_rows[0] == list(OVERDUE_HEADERS)
    assert [r[1:] for r in overdue_rows[1:]] == [
        ["区教育局完成校舍安全排查。", "区教育局", "2026年10月15日", "38"],
        ["区住建局完成保障房项目竣工验收。", "区住建局", "2026年10月20日", "33"],
    ]
    assert any(line.startswith("截至2026年11月22日，以下2项任务已超过完成时限仍未办结") for line in lines)

    assert styles_of(paragraph(document, "（一）通报表扬")) == {(HEADING2_FONT, 16.0)}
    praise_at, criticism_at = lines.index("（一）通报表扬"), lines.index("（二）通报批评")
    praised = lines[praise_at + 1 : criticism_at - 1]
    assert praised == ["区财政局：2026年第一季度、第二季度、第三季度、第四季度到期任务均按期办结。"]
    assert (
        lines[criticism_at + 1] == "区教育局：连续2个月按期办结率低于60%（2026年9月为0%、2026年10月为33%）。"
    )
    assert lines[criticism_at + 2].startswith("对以上单位予以通报批评")
    assert lines[-2:] == ["督查室", "2026年11月22日"]


def test_circular_numbers_have_their_own_series(engine: Engine, world: World, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, circular_number_prefix="开督通")
    with time_machine.travel(NOW, tick=False):
        numbers = [
            _issue(engine, world.supervisor, settings, Period.parse(p))[0] for p in ("2026Q3", "2026-10")
        ]
    assert numbers == ["开督通〔2026〕1号", "开督通〔2026〕2号"]


def test_a_quiet_period_says_so_instead_of_empty_tables(engine: Engine, world: World, tmp_path: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        _, content = _issue(engine, world.supervisor, Settings(data_dir=tmp_path), Period.parse("2026-03"))
    document = open_docx(content)
    lines = texts(document)
    assert document.tables == []
    assert "本期没有到期的督办任务。" in lines
    assert "本期到期任务均已办结或尚未到期，无逾期未办结事项。" in lines
    assert "本期没有符合通报表扬条件的单位。" in lines and "本期没有符合通报批评条件的单位。" in lines


def test_the_rules_file_decides_the_sections(engine: Engine, world: World, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[praise]\nenabled = false\n\n[criticism]\nlabel = "通报约谈"\nconsecutive = 1\nbelow_rate = 0.5\n'
    )
    settings = Settings(data_dir=tmp_path, report_rules_file=rules)
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        _, content = _issue(engine, world.supervisor, settings)
    lines = texts(open_docx(content))
    assert "四、通报约谈" in lines and "（一）通报约谈" in lines
    assert not any("通报表扬" in line for line in lines)
    # October alone: 区教育局 33 % and 区住建局 0 % are below 50 %.
    picked = [line.split("：")[0] for line in lines if "按期办结率低于50%" in line]
    assert picked == ["区住建局", "区教育局"]


def test_a_bad_rules_file_stops_the_circular_and_uses_no_number(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[praise]\nmin_rate = 2\n")
    settings = Settings(data_dir=tmp_path, report_rules_file=rules)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(RulesError, match="min_rate"), write_session(engine) as s:
            issue_circular(s, world.supervisor, settings, OCTOBER)
        with write_session(engine) as s:
            assert last_number(s, "督通", 2026) == 0


def test_a_period_that_has_not_started_cannot_be_reported(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    with (
        time_machine.travel(NOW, tick=False),
        pytest.raises(Rejected, match="尚未开始"),
        write_session(engine) as s,
    ):
        issue_circular(s, world.supervisor, Settings(data_dir=tmp_path), Period.parse("2026-12"))


@pytest.mark.parametrize("who", ["unit_b_user", "leader"])
def test_only_the_supervision_office_issues_circulars(
    engine: Engine, world: World, tmp_path: Path, who: str
) -> None:
    with pytest.raises(Forbidden), write_session(engine) as s:
        issue_circular(s, getattr(world, who), Settings(data_dir=tmp_path), OCTOBER)
