"""Tokens for the index and queries parsed into phrases of them: bigrams, edges, gaps, folding, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duban.search.text import GAP, MAX_TERMS, find_phrases, index_text, index_tokens, parse_query, tokenize


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("财政局", ["财", "财政", "政局", "局"]),  # bigrams, and each run's edge characters
        ("局", ["局"]),  # a one-character run is that character
        ("５Ｇ网络", ["5g", "网", "网络", "络"]),  # width and case folded; letters and digits are one word
        (
            "GDP增长6.5%左右",
            ["gdp", "增", "增长", "长", "6.5", None, "左", "左右", "右"],
        ),  # decimals stay whole
        ("5G，网络", ["5g", None, "网", "网络", "络"]),  # punctuation leaves a gap
        ("5G 网络", ["5g", "网", "网络", "络"]),  # whitespace does not
        ("", []),
        ("。，、", []),
        ("x" * 65 + "财政", ["财", "财政", "政"]),  # an over-long word is no token
    ],
)
def test_index_tokens(text: str, tokens: list[str | None]) -> None:
    assert index_tokens(text) == tokens


def test_the_index_text_marks_gaps() -> None:
    assert index_text(index_tokens("5G，网络")) == f"5g {GAP} 网 网络 络"


def test_tokens_point_back_into_the_original_text() -> None:
    text = "关于５Ｇ网络，\n和ＧＤＰ"
    spans = [(t.text, text[t.start : t.end]) for t in tokenize(text) if t is not None]
    assert spans == [
        ("关", "关"), ("关于", "关于"), ("于", "于"), ("5g", "５Ｇ"), ("网", "网"), ("网络", "网络"),
        ("络", "络"), ("和", "和"), ("gdp", "ＧＤＰ"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "phrases", "short"),
    [
        ("财政", [("财政",)], []),
        ("财政局", [("财政", "政局")], []),
        ("安全生产", [("安全", "全生", "生产")], []),
        ("5G", [("5g",)], []),
        ("5G网络", [("5g", "网", "网络")], []),  # the edge next to the word must touch it
        ("网络5G", [("网络", "络", "5g")], []),
        ("3月", [("3", "月")], []),
        ("财政 道路", [("财政",), ("道路",)], []),  # terms are separate phrases, all required
        ("财政，道路", [("财政",), ("道路",)], []),  # so is punctuation inside a term
        ("局 财政", [("财政",)], ["局"]),  # single characters cannot be searched
        ("财政 财政", [("财政",)], []),
        ("", [], []),
        ("  \u3000 ", [], []),
    ],
)
def test_parse_query(query: str, phrases: list[tuple[str, ...]], short: list[str]) -> None:
    parsed = parse_query(query)
    assert list(parsed.phrases) == phrases and list(parsed.too_short) == short
    assert parsed.empty is (not phrases)


@pytest.mark.parametrize(
    "query",
    ['"', "*", "AND", "OR NOT", "NEAR(", 'NEAR("财政" "资金", 3)', '"财政" OR "资金"', "财政*", "^财政",
     "title:财政", "{title body}: 财政", "(财政)", "'", "\\", "'; DROP TABLE tasks; --", "!&|<->:*"],
)  # fmt: skip
def test_hostile_queries_become_plain_tokens(query: str) -> None:
    parsed = parse_query(query)
    for phrase in parsed.phrases:
        for token in phrase:
            assert token.replace(".", "").isalnum(), token
            assert not set(token) & set("\"'*()^:{}|&!<>-\\")


def test_queries_are_cut_to_length_and_term_count() -> None:
    assert len(parse_query("财政" * 80).text) == 100
    many = " ".join(f"词{n}号" for n in range(20))
    assert len(parse_query(many).phrases) == MAX_TERMS


def test_find_phrases_returns_merged_ranges_in_the_original() -> None:
    text = "财政局、财政局长和５Ｇ网络"
    ranges = find_phrases(tokenize(text), parse_query("财政局 5G网络").phrases)
    assert [text[a:b] for a, b in ranges] == ["财政局", "财政局", "５Ｇ网络"]
    assert find_phrases(tokenize("财政资金"), parse_query("财政 政资").phrases) == [
        (0, 3)
    ]  # touching hits merge


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E40)


@settings(max_examples=200, deadline=None)
@given(run=st.text(_CJK, min_size=2, max_size=12), data=st.data())
def test_every_substring_of_two_or_more_characters_is_found(run: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(run) - 2))
    end = data.draw(st.integers(start + 2, len(run)))
    text = f"前文。{run}，后文"
    hits = find_phrases(tokenize(text), parse_query(run[start:end]).phrases)
    assert any(text[a:b].find(run[start:end]) >= 0 for a, b in hits)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("财政局5GgＧ５，。 \n.6%"), max_size=30))
def test_index_tokens_equal_tokenize(text: str) -> None:
    assert index_tokens(text) == [None if t is None else t.text for t in tokenize(text)]
