"""Relevance of a candidate, computed from its text the same way on both databases.

BM25's shape without its IDF: each phrase's occurrences count with
saturation (the tenth mention adds little), bodies longer than usual count
each mention less, and a hit in the title weighs five times one in the
body. The index has already bounded the candidates (at most RANK_POOL), so
this runs over a few hundred short texts; counting is plain regular-expression
search for each phrase as typed, with any whitespace between its runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["TITLE_WEIGHT", "patterns", "score"]

TITLE_WEIGHT = 5.0
K1 = 1.2
B = 0.75
TYPICAL_BODY = 400  # characters


def patterns(surfaces: Sequence[Sequence[str]]) -> list[re.Pattern[str]]:
    """One pattern per phrase: its runs in order, whitespace allowed between them, any case."""
    return [re.compile(r"\s*".join(re.escape(run) for run in runs), re.IGNORECASE) for runs in surfaces]


def _saturated(count: int, k: float) -> float:
    return count * (K1 + 1) / (count + k) if count else 0.0


def score(title: str, body: str, phrases: Sequence[re.Pattern[str]]) -> float:
    length = K1 * (1 - B + B * len(body) / TYPICAL_BODY)
    total = 0.0
    for pattern in phrases:
        total += TITLE_WEIGHT * _saturated(len(pattern.findall(title)), K1)
        total += _saturated(len(pattern.findall(body)), length)
    return total
