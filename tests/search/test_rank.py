"""Ranking a candidate from its text: title hits weigh more, repeated mentions saturate, long bodies count less."""

from __future__ import annotations

from duban.search.rank import patterns, score
from duban.search.text import parse_query


def _score(title: str, body: str, query: str) -> float:
    return score(title, body, patterns(parse_query(query).surfaces))


def test_a_title_hit_outweighs_a_body_hit() -> None:
    assert _score("防汛工作通知", "各单位", "防汛") > _score("通知", "做好防汛工作", "防汛")


def test_more_mentions_count_more_but_saturate() -> None:
    once, twice, many = (_score("", "防汛" * n, "防汛") for n in (1, 2, 50))
    assert once < twice < many < 2.2 * once


def test_a_hit_in_a_short_body_counts_more_than_in_a_long_one() -> None:
    assert _score("", "防汛" + "字" * 50, "防汛") > _score("", "防汛" + "字" * 5000, "防汛")


def test_mixed_phrases_match_across_case_and_spaces() -> None:
    assert _score("", "5G 网络", "5g网络") > 0 and _score("", "5G，网络", "5g网络") == 0
