"""Highlighted snippets computed on the original text, never on the index's tokens.

A snippet is a short window of the stored text around the first hit, with
the (start, end) ranges of every hit inside it, so callers escape the
pieces and wrap the ranges in `<mark>` themselves. Bodies can be long (a
government work report), so the first hit is located with plain substring
search on one literal piece of each phrase and confirmed by tokenizing only
a small window around it; the whole text is never tokenized.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from duban.search.text import Phrase, find_phrases, tokenize

__all__ = ["Snippet", "highlights", "make_snippet"]

WIDTH = 120  # characters shown
LEAD = 30  # of which before the first hit
_MARGIN = 24  # tokenized beyond a window, so runs cut at its edges still tokenize as in the full text
_TRIES = 200  # candidate positions checked per phrase before giving up on it


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]


def highlights(text: str, phrases: Sequence[Phrase]) -> tuple[tuple[int, int], ...]:
    """Every hit in a short text (a title, a name)."""
    return tuple(find_phrases(tokenize(text), phrases)) if phrases else ()


def _window_hits(text: str, start: int, end: int, phrases: Sequence[Phrase]) -> list[tuple[int, int]]:
    """Hits inside text[start:end], found by tokenizing a little more than that window."""
    lo, hi = max(0, start - _MARGIN), min(len(text), end + _MARGIN)
    found = find_phrases(tokenize(text[lo:hi]), phrases)
    # A run cut at lo or hi may tokenize differently there; only trust hits well inside.
    inner_lo = 0 if lo == 0 else _MARGIN // 2
    inner_hi = hi - lo if hi == len(text) else hi - lo - _MARGIN // 2
    return [(a + lo, b + lo) for a, b in found if a >= inner_lo and b <= inner_hi]


def _anchor(phrase: Phrase) -> re.Pattern[str]:
    """A literal piece of the phrase to look for: a CJK bigram if it has one, else its first word."""
    for token in phrase:
        if len(token) == 2 and not token.isascii() and token.isalpha():
            return re.compile(re.escape(token))
    return re.compile(re.escape(phrase[0]), re.IGNORECASE)


def _first_hit(text: str, phrase: Phrase, before: int) -> int | None:
    span = sum(len(t) for t in phrase) + 4
    for n, match in enumerate(_anchor(phrase).finditer(text, 0, before)):
        if n >= _TRIES:
            break
        at = match.start()
        hits = _window_hits(text, max(0, at - span), min(len(text), at + span), [phrase])
        if hits:
            return hits[0][0]
    return None


def make_snippet(text: str, phrases: Sequence[Phrase], width: int = WIDTH) -> Snippet:
    """A one-line window of `text` around its first hit (its start when there is none)."""
    first: int | None = None
    for phrase in phrases:
        at = _first_hit(text, phrase, len(text) if first is None else first + 1)
        if at is not None and (first is None or at < first):
            first = at
    start = 0 if first is None or first < LEAD else first - LEAD
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    ranges = _window_hits(text, start, end, phrases) if first is not None else []
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    # One line for display: every line break becomes one space, so the offsets still hold.
    piece = text[start:end].translate(_ONE_LINE)
    shift = len(head) - start
    kept = tuple((max(a, start) + shift, min(b, end) + shift) for a, b in ranges if a < end and b > start)
    return Snippet(head + piece + tail, kept)


_ONE_LINE = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
