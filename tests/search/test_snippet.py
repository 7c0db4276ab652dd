"""Snippets: a window around the first hit of a long text, highlight ranges inside it, one line."""

from __future__ import annotations

from duban.search.snippet import WIDTH, highlights, make_snippet
from duban.search.text import parse_query


def test_a_window_around_the_first_hit_with_every_hit_in_it() -> None:
    text = "甲" * 5000 + "推进5G网络建设，5G 网络覆盖全区。" + "乙" * 5000
    shown = make_snippet(text, parse_query("5g网络").phrases)
    assert shown.text.startswith("…") and shown.text.endswith("…") and len(shown.text) == WIDTH + 2
    assert [shown.text[a:b] for a, b in shown.highlights] == ["5G网络", "5G 网络"]


def test_no_hit_in_the_body_shows_its_start() -> None:
    shown = make_snippet("第一行\n第二行" + "字" * 300, parse_query("财政").phrases)
    assert shown.text.startswith("第一行 第二行") and shown.highlights == ()


def test_a_short_text_is_shown_whole() -> None:
    shown = make_snippet("区财政局负责。", parse_query("财政").phrases)
    assert shown.text == "区财政局负责。" and shown.highlights == ((1, 3),)


def test_a_hit_deep_in_a_document_is_found_without_tokenizing_all_of_it() -> None:
    text = "工作部署。" * 30000 + "最后推进乡村振兴。"
    shown = make_snippet(text, parse_query("乡村振兴").phrases)
    assert [shown.text[a:b] for a, b in shown.highlights] == ["乡村振兴"]


def test_lookalike_runs_are_not_highlighted() -> None:
    # "财政，局" has the characters but not the phrase 财政局.
    assert make_snippet("财政，局长", parse_query("财政局").phrases).highlights == ()
    assert highlights("区财政局", parse_query("财政局").phrases) == ((1, 4),)
