"""The normalizer repairs PDF/OCR damage and never loses the way back to the raw text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from duban.ingest.normalize import normalize
from duban.ingest.types import CleanText, RawText, Source, Span


def clean(text: str) -> CleanText:
    return normalize(RawText(source=Source("t.txt", b""), text=text, reader="test"))


def test_spaces_between_cjk_characters_are_removed() -> None:
    assert clean("政 府 工 作 报 告").text == "政府工作报告"
    assert clean("实 际到 位省 外 资金 385.4 亿 元").text == "实际到位省外资金385.4亿元"


def test_spaces_between_latin_words_are_kept() -> None:
    assert clean("MINI car line").text == "MINI car line"


def test_full_width_digits_and_letters_are_folded_but_punctuation_is_kept() -> None:
    assert clean("２０２６年ＡＢ，（一）").text == "2026年AB，（一）"


def test_roster_line_keeps_one_space_between_name_and_title() -> None:
    assert clean("吴 鹏 区管委会四级调研员").text == "吴鹏 区管委会四级调研员"
    assert clean("组 长：何 冬 市政府副市长").text == "组长：何冬 市政府副市长"


def test_line_broken_inside_a_sentence_is_joined() -> None:
    text = "会议听取了市场监管分局关于市场监管工作汇报及申请工作\n\n经费有关情况汇报。"
    assert clean(text).text == "会议听取了市场监管分局关于市场监管工作汇报及申请工作经费有关情况汇报。"


def test_heading_line_is_not_joined_to_its_paragraph() -> None:
    text = "（一）学习习近平总书记重要指示精神\n会议集体学习了重要指示精神。"
    assert clean(text).text == "（一）学习习近平总书记重要指示精神\n会议集体学习了重要指示精神。"


def test_hard_wrapped_file_joins_full_lines_only() -> None:
    body = "\n\n".join(
        [
            "现在我代表市人民政府向大会报告工",
            "作请予审议并请市政协委员和其他列",
            "席人士提出意见。",
            "第一条 总则",
        ]
    )
    lines = [body] * 4
    out = clean("\n\n".join(lines)).text
    assert "现在我代表市人民政府向大会报告工作请予审议并请市政协委员和其他列席人士提出意见。" in out
    assert "\n第一条总则" in out


def test_page_marker_and_running_header_are_dropped() -> None:
    text = "推进文化惠民工作。②7\n李慧灵 市商务局副局长\n 办 公 室 文 件\n马松根 市水文局副局长"
    out = clean(text).text
    assert "②7" not in out
    assert "文件" not in out
    assert "马松根 市水文局副局长" in out


def test_markdown_residue_is_dropped() -> None:
    assert clean("## 标题\n**会议决定**，同意。").text == "标题\n会议决定，同意。"


def test_clean_span_maps_back_to_the_raw_characters() -> None:
    raw = "会议决定，由 区 财 政 局\n\n负责组织采购。"
    c = clean(raw)
    start = c.text.index("区财政局")
    back = c.to_raw(Span(start, start + 4))
    assert raw[back.start : back.end].replace(" ", "") == "区财政局"


_alphabet = st.sampled_from(list("会议决定区财政局负责一二三（）、，。：；12 \n\n\u3000２Ａ#*②-"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_alphabet, max_size=200))
def test_offset_map_always_points_inside_the_original(text: str) -> None:
    c = clean(text)
    assert len(c.raw_index) == len(c.text)
    assert all(0 <= i < max(1, len(text)) for i in c.raw_index)
    assert list(c.raw_index) == sorted(c.raw_index)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_alphabet, min_size=1, max_size=200), st.data())
def test_mapping_a_span_back_and_forth_is_stable(text: str, data: st.DataObject) -> None:
    c = clean(text)
    if not c.text:
        return
    start = data.draw(st.integers(0, len(c.text) - 1))
    end = data.draw(st.integers(start + 1, len(c.text)))
    raw_span = c.to_raw(Span(start, end))
    again = c.from_raw(raw_span)
    assert again.start <= start and again.end >= end
    assert c.to_raw(again) == raw_span


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_alphabet, max_size=200))
def test_every_clean_character_comes_from_its_raw_character(text: str) -> None:
    c = clean(text)
    for ch, i in zip(c.text, c.raw_index, strict=True):
        if ch in "\n ":
            continue
        assert ch == text[i] or ch == chr(ord(text[i]) - 0xFEE0) or (text[i], ch) == ("％", "%")
