"""Money amounts: `1005.06万元`, `20 万元`, `7.27亿元`, `十万元`, `10-20万元`.

An amount is a number, an optional scale (`万`, `亿`, `千万`…) and `元`. A bare scale
with no number (`亿元以上项目`, `千万元级`) names a size class, not an amount, and is
skipped; so are foreign currencies (`万美元`), which never put `元` right after the scale.
"""

from __future__ import annotations

import re

from duban.ingest.extract.numbers import ARABIC, CHINESE, SCALE, parse_number, scale_factor, squeeze
from duban.ingest.types import Amount, DocView, Span

_NUM = rf"(?:{ARABIC}|{CHINESE})"
_RANGE_SEP = r"(?:[-－~～—–]|至|到)"

_AMOUNT = re.compile(
    rf"""
    (?<![\d.．A-Za-z数几第])                # not inside a code or decimal; not a vague `数十万`
    (?P<lo>{_NUM})
    (?:\s*(?P<lo_scale>{SCALE})?\s*(?:元\s*)?{_RANGE_SEP}\s*(?P<hi>{_NUM}))?
    \s*(?P<scale>{SCALE})?
    \s*元
    (?![旦素宵件器化年])                     # 元旦, 元素, 元宵 … are words, not money
    """,
    re.VERBOSE,
)


def _yuan(number: str, scale: str | None) -> float | None:
    value = parse_number(number)
    return None if value is None else round(value * scale_factor(scale), 2)  # to the fen: 2.22万 is 22200


def _bare_chinese_digit(number: str) -> bool:
    return not any(ch.isdigit() for ch in number) and not any(ch in "十百千万亿" for ch in number)


def _amounts_of(match: re.Match[str]) -> list[float]:
    """The yuan values one match states: one, or both ends of a range."""
    if _bare_chinese_digit(match["lo"] + (match["lo_scale"] or match["scale"] or "")):
        return []  # `城乡二元结构`, `一元复始`: a lone Chinese digit before 元 is a word, not a sum
    low = _yuan(match["lo"], match["lo_scale"] or match["scale"])
    if low is None:
        return []
    if match["hi"] is None:
        return [low]
    high = _yuan(match["hi"], match["scale"])
    return [low] if high is None else [low, high]


def extract_amounts(view: DocView) -> list[Amount]:
    """Every money amount inside the document span, in reading order; a range gives both ends."""
    out: list[Amount] = []
    for m in _AMOUNT.finditer(view.text, view.span.start, view.span.end):
        span = Span(m.start(), m.end())
        text = squeeze(m.group())
        out.extend(Amount(text=text, yuan=yuan, span=span) for yuan in _amounts_of(m))
    return out


def parse_money(text: str) -> float | None:
    """Yuan value of the first amount in `text` (`1005.06万元` → 10050600.0), None if there is none."""
    m = _AMOUNT.search(text)
    if m is None:
        return None
    values = _amounts_of(m)
    return values[0] if values else None
