"""通报表扬 / 通报批评: the rules file (defaults, validation) and who the rules pick on a small ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine

from duban.db.session import read_session, write_session
from duban.reports.rules import CriticismRule, PraiseRule, Rules, RulesError, evaluate, load_rules
from duban.workflow.scoring import Period
from tests.personas import World, add_unit
from tests.reports.ledger import NOW, TODAY, task

D = dt.date


def test_without_a_file_the_defaults_apply() -> None:
    rules = load_rules(None)
    assert rules.praise == PraiseRule(
        enabled=True, label="通报表扬", period="quarter", min_rate=1.0, min_due=1
    )
    assert rules.criticism == CriticismRule(
        enabled=True, label="通报批评", period="month", consecutive=2, below_rate=0.6, min_due=1
    )


def test_a_file_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[criticism]\nperiod = "quarter"\nbelow_rate = 0.5\nconsecutive = 3\n\n[praise]\nmin_rate = 1\n'
    )
    rules = load_rules(path)
    assert rules.criticism == CriticismRule(period="quarter", below_rate=0.5, consecutive=3)
    assert rules.praise == PraiseRule(min_rate=1.0)
    assert rules.describe()["criticism"]["below_rate"] == 0.5


def test_a_rule_can_be_switched_off(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[praise]\nenabled = false\nlabel = "表扬"\n')
    assert load_rules(path).praise == PraiseRule(enabled=False, label="表扬")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[praise]\nmin_rate = 1.5\n", "min_rate 应在 0 到 1 之间"),
        ('[praise]\nperiod = "week"\n', "period 应为"),
        ('[criticism]\nconsecutive = "two"\n', "consecutive 应为整数"),
        ("[criticism]\nconsecutive = 0\n", "consecutive 应在 1 到 12 之间"),
        ("[criticism]\nconsecutive = true\n", "consecutive 应为整数"),
        ("[praise]\nthreshold = 0.9\n", "没有“threshold”这一项"),
        ("[reward]\nmin_rate = 0.9\n", "未知的表 [reward]"),
        ("praise = 1\n", "praise 应为表"),
        ('[praise]\nlabel = " "\n', "label 不能为空"),
        ("[praise\nmin_rate = 1\n", "不是有效的 TOML"),
    ],
)
def test_a_bad_file_is_refused_with_its_path_and_the_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert needle in caught.value.message_zh
    assert str(path) in caught.value.message_zh
    assert caught.value.status == 500


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="文件不存在"):
        load_rules(tmp_path / "none.toml")


# --- evaluation on a ledger as of 2026-11-22 -----------------------------------------------------


def _ledger(engine: Engine, world: World) -> dict[str, int]:
    with write_session(engine) as s:
        d = add_unit(s, "区卫健委").id
        e = add_unit(s, "区民政局").id
        a, b, c = world.unit_a, world.unit_b, world.unit_c
        # A (区财政局): on time in Q1, Q2, Q3; Q4 still running with only an open task → praised.
        task(s, a, D(2026, 2, 10), done=D(2026, 2, 9))
        task(s, a, D(2026, 5, 10), done=D(2026, 5, 10))
        task(s, a, D(2026, 8, 10), done=D(2026, 8, 1))
        task(s, a, D(2026, 12, 20))
        # B (区住建局): Q3 done late → not praised; a late task in October and one in November,
        # but a month on time in between counts only for consecutive months (Oct 0 %, Nov 100 %).
        task(s, b, D(2026, 2, 10), done=D(2026, 2, 1))
        task(s, b, D(2026, 5, 10), done=D(2026, 5, 1))
        task(s, b, D(2026, 8, 10), done=D(2026, 8, 20))
        task(s, b, D(2026, 10, 10), done=D(2026, 10, 20))
        task(s, b, D(2026, 11, 10), done=D(2026, 11, 9))
        # C (区教育局): October 1 of 3 on time, November overdue → criticised (two months below 60 %).
        task(s, c, D(2026, 10, 5), done=D(2026, 10, 5))
        task(s, c, D(2026, 10, 15))
        task(s, c, D(2026, 10, 25), done=D(2026, 11, 2))
        task(s, c, D(2026, 11, 10))
        # D (区卫健委): no task due in Q2 → not praised although never late.
        task(s, d, D(2026, 2, 10), done=D(2026, 2, 9))
        task(s, d, D(2026, 8, 10), done=D(2026, 8, 9))
        # E (区民政局): on time in Q1–Q3, but overdue in November: Q4 is 50 % so far (not praised),
        # and October was on time (not two poor months in a row, so not criticised).
        task(s, e, D(2026, 2, 10), done=D(2026, 2, 9))
        task(s, e, D(2026, 5, 10), done=D(2026, 5, 9))
        task(s, e, D(2026, 8, 10), done=D(2026, 8, 9))
        task(s, e, D(2026, 10, 10), done=D(2026, 10, 9))
        task(s, e, D(2026, 11, 1))
        return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_default_rules_praise_on_time_every_quarter_and_criticise_two_poor_months(
    engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with read_session(engine) as session:
            verdicts = evaluate(session, Rules(), Period.parse("2026"), TODAY)
    assert [(v.unit_name, v.reason) for v in verdicts.praise] == [
        ("区财政局", "2026年第一季度、第二季度、第三季度到期任务均按期办结")
    ]
    assert [v.unit_name for v in verdicts.criticism] == ["区教育局"]
    assert verdicts.criticism[0].reason == "连续2个月按期办结率低于60%（2026年10月为33%、2026年11月为0%）"


def test_a_circular_for_an_earlier_period_judges_the_quarters_up_to_its_end(
    engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with read_session(engine) as session:
            verdicts = evaluate(session, Rules(), Period.parse("2026Q2"), TODAY)
    # Up to Q2: A, B and E were on time in Q1 and Q2; D had nothing due in Q2.
    assert [v.unit_name for v in verdicts.praise] == ["区住建局", "区民政局", "区财政局"]
    # Criticism looks at May and June: nobody was poor then.
    assert verdicts.criticism == []


def test_thresholds_and_periods_come_from_the_rules(engine: Engine, world: World) -> None:
    rules = Rules(
        praise=PraiseRule(period="month", min_rate=0.5),
        criticism=CriticismRule(period="quarter", consecutive=1, below_rate=0.7),
    )
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with read_session(engine) as session:
            verdicts = evaluate(session, rules, Period.parse("2026-11"), TODAY)
    # Monthly praise needs a decided task in every month so far: nobody has one in each month.
    assert verdicts.praise == []
    # Q4 so far: B 1 of 2 on time (50 %), C 1 of 4 (25 %), E 1 of 2 (50 %): all below 70 %.
    assert [v.unit_name for v in verdicts.criticism] == ["区住建局", "区教育局", "区民政局"]
    assert verdicts.criticism[1].reason.startswith("本季度按期办结率低于70%")


def test_a_unit_criticised_is_not_praised(engine: Engine, world: World) -> None:
    rules = Rules(praise=PraiseRule(min_rate=0.0), criticism=CriticismRule(consecutive=1, below_rate=1.0))
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with read_session(engine) as session:
            verdicts = evaluate(session, rules, Period.parse("2026"), TODAY)
    praised = {v.unit_name for v in verdicts.praise}
    assert "区教育局" in {v.unit_name for v in verdicts.criticism}
    assert praised.isdisjoint(v.unit_name for v in verdicts.criticism)


def test_switched_off_rules_pick_nobody(engine: Engine, world: World) -> None:
    rules = Rules(praise=PraiseRule(enabled=False), criticism=CriticismRule(enabled=False))
    with time_machine.travel(NOW, tick=False):
        _ledger(engine, world)
        with read_session(engine) as session:
            verdicts = evaluate(session, rules, Period.parse("2026"), TODAY)
    assert verdicts.praise == [] and verdicts.criticism == []
