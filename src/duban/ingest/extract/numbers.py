"""Number grammar shared by the money and target extractors.

Official documents write figures in Arabic digits (`1005.06`, `1,300`), sometimes
full-width (`１３００`), and occasionally in Chinese numerals (`十万`, `三千五百`).
Scale characters (`万`, `亿`) usually sit between the number and the unit.
"""

from __future__ import annotations

import re
import unicodedata

import cn2an

# Arabic number: thousands separators or plain digits, optional decimals (ASCII or full-width point).
ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:[.．]\d+)?"

# Chinese numeral: must start with a digit character (or 十), so that bare scale words
# such as `万元` in `亿元以上项目` or `千万元级` never read as a number.
_CN_DIGIT = "零〇一二两三四五六七八九"
CHINESE = rf"[{_CN_DIGIT}十][{_CN_DIGIT}十百千万亿]*(?:点[{_CN_DIGIT}]+)?"

# Scale characters written between a number and its unit, longest first.
SCALE = r"(?:万亿|千万|百万|十万|亿|万|千|百)"

_SCALES = {"十": 10.0, "百": 100.0, "千": 1e3, "万": 1e4, "亿": 1e8}
_WS = re.compile(r"\s+")


def parse_number(text: str) -> float | None:
    """Read one Arabic or Chinese number (`1,300`, `４.５`, `三千五百`, `1.5万`); None if unreadable."""
    s = unicodedata.normalize("NFKC", _WS.sub("", text)).replace(",", "")
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    try:
        value = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def scale_factor(scale: str | None) -> float:
    """`万` → 1e4, `千万` → 1e7; empty or None → 1."""
    factor = 1.0
    for ch in scale or "":
        factor *= _SCALES.get(ch, 1.0)
    return factor


def squeeze(text: str) -> str:
    """Drop whitespace: the contract's `text` fields read without stray spaces."""
    return _WS.sub("", text)
