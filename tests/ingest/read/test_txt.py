from __future__ import annotations

import codecs
import random

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from duban.config import Settings
from duban.errors import CorruptFile, EmptyFile
from duban.ingest.read import read_source
from duban.ingest.read.encoding import decode_text
from duban.ingest.types import Source

from .samples import SENTENCE, SENTENCE_2, TITLE

DOCUMENT = f"{TITLE}\n\n{SENTENCE}\n{SENTENCE_2}\n"


def read_txt(data: bytes, settings: Settings, name: str = "纪要.txt") -> tuple[str, str | None]:
    raw = read_source(Source(name, data), settings=settings)
    assert raw.reader == "txt"
    return raw.text, raw.encoding


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (DOCUMENT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + DOCUMENT.encode("utf-8"), "utf-8-sig"),
        (DOCUMENT.encode("gbk"), "gb18030"),
        (DOCUMENT.encode("gb18030"), "gb18030"),
        (codecs.BOM_UTF16_LE + DOCUMENT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + DOCUMENT.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + DOCUMENT.encode("utf-32-le"), "utf-32-le"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16le-bom", "utf16be-bom", "utf32le-bom"],
)
def test_text_round_trips_and_encoding_is_reported(data: bytes, encoding: str, settings: Settings) -> None:
    assert read_txt(data, settings) == (DOCUMENT, encoding)


@pytest.mark.parametrize(
    "short",
    [
        "会议决定，由区财政局负责组织采购。",  # 17 characters
        "区招商局具体负责实施，年底前完成。",
        "同意拨付分局经费10万元。",
        "张鑫琪 鄢陵 渑池 郏县",  # rare characters only
        "会议决定",  # charset-normalizer alone says CP949
        "财政局负责",
        "区长",  # charset-normalizer alone says Big5
    ],
)
def test_short_gbk_text_is_detected(short: str, settings: Settings) -> None:
    assert read_txt(short.encode("gbk"), settings) == (short, "gb18030")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text", [DOCUMENT, "会议决定由区财政局负责组织采购服务期按三年", "Meeting notes 2026\n"]
)
def test_utf16_without_bom_is_detected(codec: str, text: str, settings: Settings) -> None:
    assert read_txt(text.encode(codec), settings) == (text, codec)


def test_big5_text_is_not_mistaken_for_gbk(settings: Settings) -> None:
    text = "會議決定，由區財政局負責組織採購，服務期按3年。各單位要按照要求認真落實。"
    assert read_txt(text.encode("big5"), settings) == (text, "big5")


def test_newlines_are_kept_exactly_as_decoded(settings: Settings) -> None:
    text = f"{TITLE}\r\n{SENTENCE}\r{SENTENCE_2}\n"
    decoded, _ = read_txt(text.encode("gbk"), settings)
    assert decoded == text
    assert decoded.index("区财政局") == text.index("区财政局")


def test_bom_is_stripped_so_offsets_start_at_the_text(settings: Settings) -> None:
    text, _ = read_txt(codecs.BOM_UTF8 + SENTENCE.encode(), settings)
    assert text.startswith("会议决定")


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\x03" * 200,
        bytes(range(256)) * 8,
        random.Random(7).randbytes(4096),
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 64,  # a Windows executable
        "会议决定".encode() + b"\x00" * 400,
    ],
    ids=["control", "all-bytes", "random", "exe", "nul-padding"],
)
def test_binary_garbage_named_txt_is_refused(data: bytes, settings: Settings) -> None:
    with pytest.raises(CorruptFile, match=r"garbage\.txt"):
        read_source(Source("garbage.txt", data), settings=settings)


@pytest.mark.parametrize(
    "data", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE + "  \n".encode("utf-16-le"), "\u3000\n".encode()]
)
def test_text_of_only_whitespace_is_empty(data: bytes, settings: Settings) -> None:
    with pytest.raises(EmptyFile, match=r"空白\.txt"):
        read_source(Source("空白.txt", data), settings=settings)


_HANZI = "会议决定由区财政局负责组织采购服务期按年同意拨付分局经费万元招商局具体实施自然资源和规划鑫琪渑池"
_PUNCT = "，。；：、（）“”《》"
chinese_text = st.text(
    alphabet=st.sampled_from(_HANZI + _PUNCT + "0123456789\n"), min_size=8, max_size=300
).filter(lambda t: sum(ch in _HANZI for ch in t) >= 6)


@hyp_settings(max_examples=60, deadline=None)
@given(text=chinese_text, codec=st.sampled_from(["utf-8", "gb18030", "gbk"]))
def test_any_chinese_text_round_trips(text: str, codec: str) -> None:
    decoded = decode_text(text.encode(codec))
    assert decoded is not None
    assert decoded.text == text


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_a_last_character_cut_in_half_is_replaced_and_reported(codec: str, settings: Settings) -> None:
    data = DOCUMENT.rstrip("\n").encode(codec)[:-1]
    raw = read_source(Source("截断.txt", data), settings=settings)
    assert raw.text == DOCUMENT.rstrip("\n")[:-1] + "\ufffd"
    assert raw.encoding == ("utf-8" if codec == "utf-8" else "gb18030")
    assert len(raw.warnings) == 1


def test_one_bad_byte_in_utf8_text_is_tolerated(settings: Settings) -> None:
    data = bytearray((DOCUMENT * 5).encode())
    data[40] = 0xFF
    raw = read_source(Source("坏字节.txt", bytes(data)), settings=settings)
    assert raw.encoding == "utf-8"
    assert SENTENCE_2 in raw.text
