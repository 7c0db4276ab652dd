"""Chinese-aware tokens for the search index, and queries parsed into phrases of the same tokens.

Chinese has no spaces, so words cannot be found by splitting; instead every
run of CJK characters becomes its overlapping character bigrams (`财政局` →
`财政 政局`), and a query becomes the phrase of its own bigrams. Any query of
two or more characters is then an exact phrase match, which the database's
full-text index answers (SQLite FTS5 and PostgreSQL tsvector alike, both fed
these tokens, never their own word splitting).

Two extra rules keep phrases exact at the edges:
- a CJK run of two or more characters also yields its first character
  before its bigrams and its last character after them, so a query mixing
  scripts (`5G网络`, `3月`) finds `5G网络建设` and `3月份`: the query asks
  for the edge character next to the ASCII word, and the text has it;
- punctuation (anything but whitespace) between two runs leaves a gap of
  one position, so `5G网络` does not match `5G，网络`.

Runs of letters and digits (after NFKC width folding, lower-cased) are whole
words: `５Ｇ` → `5g`, `GDP` → `gdp`, `6.5` stays one word.

Every token keeps the character range it came from in the original text, so
hits are highlighted on the text as stored, not on a normalised copy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "GAP",
    "MAX_TERMS",
    "ParsedQuery",
    "Phrase",
    "Token",
    "find_phrases",
    "index_text",
    "index_tokens",
    "parse_query",
    "tokenize",
]

# Stands for a gap between runs in the indexed text. Never produced for a query:
# it is neither a CJK character nor a letter or digit.
GAP = "|"
MAX_TERMS = 10
# Longer letter/digit runs (hashes, base64 in a pasted file) are not words anyone searches for.
MAX_WORD = 64

_CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_WORD = f"[^\\W_{_CJK_RANGES}]"
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
_RUN = re.compile(f"(?P<c>[{_CJK_RANGES}]+)|(?P<w>{_WORD}+(?:(?<=\\d)\\.(?=\\d){_WORD}+)*)")


def _fold_table() -> dict[int, str]:
    """Width and case folding that keeps every character one character (so offsets hold):
    `５Ｇ` → `5g`, compatibility ideographs → unified ones. Characters whose NFKC form is
    longer (`㎡`) stay as they are."""
    table = {}
    for code in (*range(0xD800), *range(0xE000, 0x10000), *range(0x2F800, 0x2FA20)):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char).lower()
        if len(folded) == 1 and folded != char:
            table[code] = folded
    return table


_FOLD = _fold_table()


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character range in the original text
    end: int


@dataclass(frozen=True)
class _Run:
    cjk: bool
    start: int
    text: str  # folded, as long as the original run
    gap_before: bool  # punctuation separates it from the previous run


def _runs(text: str) -> Iterator[_Run]:
    folded = text.translate(_FOLD)
    end = 0
    gap = False
    for m in _RUN.finditer(folded):
        start = m.start()
        # Only punctuation breaks a phrase; whitespace between runs does not.
        gap = gap or (not folded[end:start].isspace() and start > end)
        end = m.end()
        if m.lastgroup == "w" and end - start > MAX_WORD:
            gap = True
            continue
        yield _Run(m.lastgroup == "c", start, m.group(), gap)
        gap = False


def _run_strings(run: _Run, first: bool, last: bool) -> list[str]:
    """A word run is one token; a CJK run its bigrams, with its edge characters where asked."""
    s = run.text
    if not run.cjk or len(s) == 1:
        return [s]
    grams = [s[i : i + 2] for i in range(len(s) - 1)]
    return ([s[0]] if first else []) + grams + ([s[-1]] if last else [])


def index_tokens(text: str) -> list[str | None]:
    """The tokens of `text` for the index, in order; `None` marks a gap. Fast: no offsets."""
    out: list[str | None] = []
    for run in _runs(text):
        if run.gap_before and out:
            out.append(None)
        out += _run_strings(run, first=True, last=True)
    return out


def tokenize(text: str) -> list[Token | None]:
    """`index_tokens` with each token's character range in `text` (for highlighting)."""
    out: list[Token | None] = []
    for run in _runs(text):
        if run.gap_before and out:
            out.append(None)
        if not run.cjk or len(run.text) == 1:
            out.append(Token(run.text, run.start, run.start + len(run.text)))
            continue
        s, at = run.text, run.start
        out.append(Token(s[0], at, at + 1))
        out += [Token(s[i : i + 2], at + i, at + i + 2) for i in range(len(s) - 1)]
        out.append(Token(s[-1], at + len(s) - 1, at + len(s)))
    return out


def index_text(tokens: Sequence[str | None]) -> str:
    """Tokens as the space-separated text the full-text index is fed, gaps as `GAP`."""
    return " ".join(GAP if t is None else t for t in tokens)


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the query as searched (trimmed, shortened)
    phrases: tuple[Phrase, ...]  # every phrase must occur (AND)
    too_short: tuple[str, ...]  # single Chinese characters, which the bigram index cannot find
    # Per phrase, its runs as typed (folded): ("5g", "网络") for `5G网络`, for ranking by plain text search.
    surfaces: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.phrases


def _term_phrases(term: str) -> Iterator[tuple[Phrase, tuple[str, ...]]]:
    """One whitespace-separated query term → its phrases (split where punctuation leaves a gap)."""
    group: list[_Run] = []
    for run in _runs(term):
        if run.gap_before and group:
            yield _group_phrase(group), tuple(r.text for r in group)
            group = []
        group.append(run)
    if group:
        yield _group_phrase(group), tuple(r.text for r in group)


def _group_phrase(runs: list[_Run]) -> Phrase:
    # Inside the query only the sides touching another run need the edge character:
    # `财政局` alone is `财政 政局`, found anywhere inside a longer run of the text.
    tokens: list[str] = []
    for i, run in enumerate(runs):
        tokens += _run_strings(run, first=i > 0, last=i < len(runs) - 1)
    return tuple(tokens)


def parse_query(query: str, max_chars: int = 100) -> ParsedQuery:
    """Terms split on whitespace, each an exact phrase, all required; no input is a syntax error.

    Nothing the user types reaches the database as query syntax: quotes,
    `*`, `AND`, `NEAR(` are only characters, folded into tokens or dropped
    like any punctuation.
    """
    text = " ".join(query.split())[:max_chars].strip()
    phrases: dict[Phrase, tuple[str, ...]] = {}
    short: list[str] = []
    for term in text.split():
        for phrase, surface in _term_phrases(term):
            if len(phrase) == 1 and _CJK_CHAR.fullmatch(phrase[0]):
                short.append(phrase[0])
            else:
                phrases.setdefault(phrase, surface)
    kept = list(phrases.items())[:MAX_TERMS]
    return ParsedQuery(text, tuple(p for p, _ in kept), tuple(short), tuple(s for _, s in kept))


def find_phrases(tokens: Sequence[Token | None], phrases: Sequence[Phrase]) -> list[tuple[int, int]]:
    """Character ranges where any phrase occurs in `tokens`, sorted and merged where they touch."""
    firsts: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        firsts.setdefault(phrase[0], []).append(phrase)
    found: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if token is None or token.text not in firsts:
            continue
        for phrase in firsts[token.text]:
            window = tokens[i : i + len(phrase)]
            if len(window) == len(phrase) and all(
                t is not None and t.text == p for t, p in zip(window, phrase, strict=True)
            ):
                last = window[-1]
                assert last is not None
                found.append((token.start, last.end))
    return _merge(found)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
