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

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "GAP",
    "MAX_TERMS",
    "ParsedQuery",
    "Phrase",
    "Token",
    "find_phrases",
    "index_text",
    "parse_query",
    "tokenize",
]

# Stands for a gap between runs in the indexed text. Never produced for a query:
# it is neither a CJK character nor a letter or digit.
GAP = "|"
MAX_TERMS = 10
_CJK = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # character range in the original text
    end: int


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK)


@lru_cache(maxsize=8192)
def _fold(char: str) -> tuple[str, str]:
    """(class, folded): class is `c` (CJK), `w` (word character), `s` (whitespace) or `p` (other)."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    if len(folded) == 1 and _is_cjk(folded):
        return "c", folded
    if folded and all(ch.isalnum() and not _is_cjk(ch) for ch in folded):
        return "w", folded
    if not folded or folded.isspace():
        return "s", ""
    return "p", ""


@dataclass(frozen=True)
class _Run:
    kind: str  # c | w
    start: int
    chars: tuple[str, ...]  # one folded string per original character
    gap_before: bool  # punctuation separates it from the previous run


def _runs(text: str) -> Iterator[_Run]:
    kind = ""
    start = 0
    chars: list[str] = []
    punct = False
    for i, char in enumerate(text):
        cls, folded = _fold(char)
        # A `.` between digits keeps a decimal number one word (`6.5`).
        if cls == "p" and char in ".．" and kind == "w" and chars and chars[-1][-1:].isdigit():
            nxt = text[i + 1 : i + 2]
            if nxt and _fold(nxt)[1][:1].isdigit():
                cls, folded = "w", "."
        if cls == kind and cls in "cw":
            chars.append(folded)
            continue
        if kind in ("c", "w"):
            yield _Run(kind, start, tuple(chars), punct)
            punct = False
        if cls in "cw":
            kind, start, chars = cls, i, [folded]
        else:
            kind, chars = "", []
            punct = punct or cls == "p"
    if kind in ("c", "w"):
        yield _Run(kind, start, tuple(chars), punct)


def _run_tokens(run: _Run, first: bool, last: bool) -> list[Token]:
    """A word run is one token; a CJK run its bigrams, with its edge characters where asked."""
    if run.kind == "w":
        return [Token("".join(run.chars), run.start, run.start + len(run.chars))]
    chars = run.chars
    if len(chars) == 1:
        return [Token(chars[0], run.start, run.start + 1)]
    tokens = [Token(chars[0], run.start, run.start + 1)] if first else []
    tokens += [
        Token(chars[i] + chars[i + 1], run.start + i, run.start + i + 2) for i in range(len(chars) - 1)
    ]
    if last:
        end = run.start + len(chars)
        tokens.append(Token(chars[-1], end - 1, end))
    return tokens


def tokenize(text: str) -> list[Token | None]:
    """The index tokens of `text` in order; `None` marks a gap (punctuation between runs)."""
    out: list[Token | None] = []
    for run in _runs(text):
        if run.gap_before and out:
            out.append(None)
        out.extend(_run_tokens(run, first=True, last=True))
    return out


def index_text(tokens: Sequence[Token | None]) -> str:
    """Tokens as the space-separated text the full-text index is fed, gaps as `GAP`."""
    return " ".join(GAP if t is None else t.text for t in tokens)


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the query as searched (trimmed, shortened)
    phrases: tuple[Phrase, ...]  # every phrase must occur (AND)
    too_short: tuple[str, ...]  # single Chinese characters, which the bigram index cannot find

    @property
    def empty(self) -> bool:
        return not self.phrases


def _term_phrases(term: str) -> Iterator[Phrase]:
    """One whitespace-separated query term → its phrases (split where punctuation leaves a gap)."""
    group: list[_Run] = []
    for run in _runs(term):
        if run.gap_before and group:
            yield _group_phrase(group)
            group = []
        group.append(run)
    if group:
        yield _group_phrase(group)


def _group_phrase(runs: list[_Run]) -> Phrase:
    # Inside the query only the sides touching another run need the edge character:
    # `财政局` alone is `财政 政局`, found anywhere inside a longer run of the text.
    tokens: list[str] = []
    for i, run in enumerate(runs):
        tokens += [t.text for t in _run_tokens(run, first=i > 0, last=i < len(runs) - 1)]
    return tuple(tokens)


def parse_query(query: str, max_chars: int = 100) -> ParsedQuery:
    """Terms split on whitespace, each an exact phrase, all required; no input is a syntax error.

    Nothing the user types reaches the database as query syntax: quotes,
    `*`, `AND`, `NEAR(` are only characters, folded into tokens or dropped
    like any punctuation.
    """
    text = " ".join(query.split())[:max_chars].strip()
    phrases: list[Phrase] = []
    short: list[str] = []
    for term in text.split():
        for phrase in _term_phrases(term):
            if len(phrase) == 1 and len(phrase[0]) == 1 and _is_cjk(phrase[0]):
                short.append(phrase[0])
            elif phrase not in phrases:
                phrases.append(phrase)
    return ParsedQuery(text, tuple(phrases[:MAX_TERMS]), tuple(short))


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
