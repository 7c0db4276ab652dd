"""Who a 督查通报 praises (通报表扬) and who it criticises (通报批评): configurable rules over the ranking.

Both rules read the unit scores of `workflow.scoring` (on-time rate =
on time ÷ decided, decided = done + overdue) for sub-periods of the year,
scored as of the day of issue.

- 通报表扬 (praise): in every month or quarter of the circular's year up to
  the end of its period, the unit had at least `min_due` decided tasks and
  an on-time rate of at least `min_rate` (default: every quarter, 100 %).
  A quarter still running with nothing decided yet is not held against a
  unit; at least one period must qualify.
- 通报批评 (criticism): in `consecutive` months or quarters in a row, ending
  with the one that holds the end of the circular's period (or today, if
  that is earlier), the unit had at least `min_due` decided tasks and an
  on-time rate below `below_rate` (default: two months below 60 %).
  A unit criticised is not also praised.

The rules come from a TOML file (`Settings.report_rules_file`); either
table may be left out (its defaults apply) or switched off with
`enabled = false`:

    [praise]
    label = "通报表扬"
    period = "quarter"     # "quarter" or "month"
    min_rate = 1.0         # 0.0–1.0
    min_due = 1

    [criticism]
    label = "通报批评"
    period = "month"       # "month" or "quarter"
    consecutive = 2        # 1–12
    below_rate = 0.6       # 0.0–1.0
    min_due = 1

An unknown table or key, a wrong type or a value out of range is refused
with a message naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from duban.errors import DomainError
from duban.workflow.scoring import Period, UnitScore, score_units

__all__ = [
    "CriticismRule",
    "PraiseRule",
    "Rules",
    "RulesError",
    "Verdict",
    "Verdicts",
    "evaluate",
    "load_rules",
]

GRAINS = ("month", "quarter")
_GRAIN_LABEL = {"month": "月", "quarter": "季度"}


class RulesError(DomainError):
    """The rules file cannot be used: the circular is not issued rather than issued with guessed rules."""

    status = 500
    code = "report_rules_invalid"


@dataclass(frozen=True)
class PraiseRule:
    enabled: bool = True
    label: str = "通报表扬"
    period: str = "quarter"
    min_rate: float = 1.0
    min_due: int = 1


@dataclass(frozen=True)
class CriticismRule:
    enabled: bool = True
    label: str = "通报批评"
    period: str = "month"
    consecutive: int = 2
    below_rate: float = 0.6
    min_due: int = 1


@dataclass(frozen=True)
class Rules:
    praise: PraiseRule = field(default_factory=PraiseRule)
    criticism: CriticismRule = field(default_factory=CriticismRule)

    def describe(self) -> dict[str, Any]:
        """The rules as plain data, kept with each issued circular."""
        return {
            "praise": {f.name: getattr(self.praise, f.name) for f in fields(self.praise)},
            "criticism": {f.name: getattr(self.criticism, f.name) for f in fields(self.criticism)},
        }


# --- loading ---------------------------------------------------------------------------------


def _fail(path: Path, what_zh: str, what_en: str) -> RulesError:
    return RulesError(f"督查通报评比规则文件“{path}”有误：{what_zh}", f"rules file {path}: {what_en}")


_LIMITS: dict[str, tuple[float, float]] = {
    "min_rate": (0.0, 1.0),
    "below_rate": (0.0, 1.0),
    "min_due": (1, 10_000),
    "consecutive": (1, 12),
}


def _checked(path: Path, table: str, rule: Any, values: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(rule)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise _fail(
                path,
                f"[{table}] 中没有“{key}”这一项（可用：{'、'.join(known)}）",
                f"unknown key {table}.{key}",
            )
        expected = type(getattr(rule, key))
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            names = {bool: "true/false", str: "文字", int: "整数", float: "小数"}
            raise _fail(
                path, f"[{table}] {key} 应为{names[expected]}", f"{table}.{key} must be {expected.__name__}"
            )
        if key == "period" and value not in GRAINS:
            raise _fail(
                path,
                f'[{table}] period 应为 "month" 或 "quarter"',
                f"{table}.period must be month or quarter",
            )
        if key == "label" and not value.strip():
            raise _fail(path, f"[{table}] label 不能为空", f"{table}.label is empty")
        if key in _LIMITS:
            lo, hi = _LIMITS[key]
            if not lo <= value <= hi:
                raise _fail(
                    path, f"[{table}] {key} 应在 {lo:g} 到 {hi:g} 之间", f"{table}.{key} out of range"
                )
        changes[key] = value
    return replace(rule, **changes)


def load_rules(path: Path | None) -> Rules:
    """The rules in `path`, or the defaults when no file is configured."""
    if path is None:
        return Rules()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, "文件不存在", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"无法读取（{exc}）", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"不是有效的 TOML（{exc}）", f"not valid TOML: {exc}") from None
    rules = Rules()
    for table, value in data.items():
        if table not in ("praise", "criticism"):
            raise _fail(
                path, f"未知的表 [{table}]，只能有 [praise] 和 [criticism]", f"unknown table [{table}]"
            )
        if not isinstance(value, dict):
            raise _fail(path, f"{table} 应为表 [{table}]", f"{table} must be a table")
        rules = replace(rules, **{table: _checked(path, table, getattr(rules, table), value)})
    return rules


# --- evaluating --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    unit_id: int
    unit_name: str
    reason: str  # e.g. 2026年第一季度、第二季度到期任务均按期办结


@dataclass(frozen=True)
class Verdicts:
    praise: list[Verdict]
    criticism: list[Verdict]


def _grain_period(grain: str, year: int, index: int) -> Period:
    return Period.parse(f"{year}Q{index}" if grain == "quarter" else f"{year}-{index:02d}")


def _grain_of(grain: str, day: dt.date) -> Period:
    return _grain_period(grain, day.year, (day.month - 1) // 3 + 1 if grain == "quarter" else day.month)


def _previous(grain: str, period: Period) -> Period:
    return _grain_of(grain, period.start - dt.timedelta(days=1))


def _rate(score: UnitScore) -> str:
    rate = score.on_time_rate
    return "—" if rate is None else f"{rate:.0%}"


def _praise(session: Session, rule: PraiseRule, period: Period, today: dt.date) -> list[Verdict]:
    cut = min(period.end, today)
    count = 4 if rule.period == "quarter" else 12
    periods = [
        p for p in (_grain_period(rule.period, cut.year, i) for i in range(1, count + 1)) if p.start <= cut
    ]
    by_unit: dict[int, list[tuple[Period, UnitScore | None]]] = {}
    names: dict[int, str] = {}
    scored = [(p, {s.unit_id: s for s in score_units(session, p, today)}) for p in periods]
    for _, scores in scored:
        for s in scores.values():
            names[s.unit_id] = s.unit_name
    for unit_id in names:
        by_unit[unit_id] = [(p, scores.get(unit_id)) for p, scores in scored]
    verdicts = []
    for unit_id, results in by_unit.items():
        counted: list[Period] = []
        ok = True
        for p, score in results:
            running = p.end > today
            if score is None or score.decided == 0:
                if running:
                    continue
                ok = False
                break
            if score.decided < rule.min_due or (score.on_time_rate or 0.0) < rule.min_rate:
                ok = False
                break
            counted.append(p)
        if ok and counted:
            labels = "、".join(p.label.removeprefix(f"{p.start.year}年") for p in counted)
            how = "均按期办结" if rule.min_rate >= 1.0 else f"按期办结率均不低于{rule.min_rate:.0%}"
            verdicts.append(Verdict(unit_id, names[unit_id], f"{cut.year}年{labels}到期任务{how}"))
    return sorted(verdicts, key=lambda v: v.unit_name)


def _criticism(session: Session, rule: CriticismRule, period: Period, today: dt.date) -> list[Verdict]:
    last = _grain_of(rule.period, min(period.end, today))
    window = [last]
    while len(window) < rule.consecutive:
        window.insert(0, _previous(rule.period, window[0]))
    scored = [{s.unit_id: s for s in score_units(session, p, today)} for p in window]
    verdicts = []
    for unit_id, latest in scored[-1].items():
        series = [scores.get(unit_id) for scores in scored]
        if all(
            s is not None and s.decided >= rule.min_due and (s.on_time_rate or 0.0) < rule.below_rate
            for s in series
        ):
            rates = "、".join(
                f"{p.label}为{_rate(s)}" for p, s in zip(window, series, strict=True) if s is not None
            )
            grain = _GRAIN_LABEL[rule.period]
            lead = f"连续{rule.consecutive}个{grain}" if rule.consecutive > 1 else "本" + grain
            verdicts.append(
                Verdict(
                    unit_id,
                    latest.unit_name,
                    f"{lead}按期办结率低于{rule.below_rate:.0%}（{rates}）",
                )
            )
    return sorted(verdicts, key=lambda v: v.unit_name)


def evaluate(session: Session, rules: Rules, period: Period, today: dt.date) -> Verdicts:
    """The units a circular for `period`, issued `today`, praises and criticises under `rules`."""
    criticism = _criticism(session, rules.criticism, period, today) if rules.criticism.enabled else []
    praise = _praise(session, rules.praise, period, today) if rules.praise.enabled else []
    criticised = {v.unit_id for v in criticism}
    return Verdicts([v for v in praise if v.unit_id not in criticised], criticism)
