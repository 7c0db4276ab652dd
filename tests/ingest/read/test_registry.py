"""read_source: choosing a reader, the checks before parsing, and errors a user can read."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest

from duban.config import Settings
from duban.errors import EmptyFile, FileTooLarge, UnreadableFile, UnsupportedFileType
from duban.ingest import read
from duban.ingest.read import ReadContext, choose_reader, read_source, register
from duban.ingest.read.base import SCORE_SUFFIX_AND_MAGIC, type_score
from duban.ingest.types import RawText, Source

from .samples import SENTENCE, task_docx, text_pdf


@pytest.fixture
def registry() -> Iterator[list[read.Reader]]:
    saved = list(read.READERS)
    yield read.READERS
    read.READERS[:] = saved


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("附件1.txt", SENTENCE)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
        ("附件.zip", zip_bytes()),
        ("纪要.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200),
        ("无后缀", SENTENCE.encode()),
    ],
)
def test_unknown_types_are_unsupported(name: str, data: bytes, settings: Settings) -> None:
    with pytest.raises(UnsupportedFileType, match=re.escape(name)) as info:
        read_source(Source(name, data), settings=settings)
    assert ".docx" in info.value.message_zh  # tells what is supported


def test_legacy_word_gets_a_save_as_hint(settings: Settings) -> None:
    with pytest.raises(UnsupportedFileType, match="另存为"):
        read_source(Source("纪要.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 100), settings=settings)


def test_size_is_checked_before_parsing(settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    too_big = b"%PDF-1.7 not really a pdf" + b"x" * (1024 * 1024)
    with pytest.raises(FileTooLarge, match=r"大文件\.pdf") as info:
        read_source(Source("大文件.pdf", too_big), settings=small)
    assert "1 MB" in info.value.message_zh
    assert info.value.status == 413


def test_file_at_the_limit_is_read(settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    data = SENTENCE.encode().ljust(1024 * 1024, b" ")
    assert read_source(Source("刚好.txt", data), settings=small).text.startswith(SENTENCE)


@pytest.mark.parametrize("name", ["空.txt", "空.pdf", "空.docx", "空.png", "空.exe"])
@pytest.mark.parametrize("data", [b"", b" \r\n\t "], ids=["zero-bytes", "whitespace"])
def test_empty_files_are_empty_whatever_their_type(name: str, data: bytes, settings: Settings) -> None:
    with pytest.raises(EmptyFile, match=re.escape(name)) as info:
        read_source(Source(name, data), settings=settings)
    assert info.value.message_en != info.value.message_zh


@pytest.mark.parametrize(
    ("name", "data", "reader"),
    [
        ("纪要.txt", SENTENCE.encode(), "txt"),
        ("纪要.TXT", SENTENCE.encode(), "txt"),
        ("纪要.docx", task_docx(), "docx"),
        ("纪要.pdf", text_pdf([[SENTENCE]]), "pdf"),
        ("纪要.txt", text_pdf([[SENTENCE]]), "pdf"),  # content wins over a wrong suffix
        ("纪要.pdf", task_docx(), "docx"),
    ],
)
def test_reader_is_chosen_by_suffix_and_magic(name: str, data: bytes, reader: str) -> None:
    assert choose_reader(Source(name, data)).name == reader


class OfdReader:
    """What a new format looks like: one class, one register call."""

    name = "ofd"
    suffixes = frozenset({".ofd"})

    def score(self, source: Source) -> float:
        return type_score(source, self.suffixes, source.data.startswith(b"PK\x03\x04"))

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        return RawText(source=source, text="OFD正文", reader=self.name)


def test_a_new_format_is_one_registered_reader(registry: list[read.Reader], settings: Settings) -> None:
    register(OfdReader())
    raw = read_source(Source("公文.ofd", zip_bytes()), settings=settings)
    assert (raw.reader, raw.text) == ("ofd", "OFD正文")
    assert type_score(Source("公文.ofd", b"PK\x03\x04"), OfdReader.suffixes, True) == SCORE_SUFFIX_AND_MAGIC


class BrokenReader:
    name = "broken"
    suffixes = frozenset({".bad"})

    def score(self, source: Source) -> float:
        return 1.0 if source.suffix == ".bad" else 0.0

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        raise KeyError("a library bug")


def test_unexpected_failures_become_a_readable_error(registry: list[read.Reader], settings: Settings) -> None:
    register(BrokenReader())
    with pytest.raises(UnreadableFile, match=r"x\.bad") as info:
        read_source(Source("x.bad", b"data"), settings=settings)
    assert isinstance(info.value.__cause__, KeyError)


def test_errors_carry_both_languages(settings: Settings) -> None:
    with pytest.raises(UnsupportedFileType) as info:
        read_source(Source("setup.exe", b"MZ"), settings=settings)
    assert "不支持" in info.value.message_zh
    assert "not a supported file type" in info.value.message_en


def test_default_settings_are_used_when_none_given() -> None:
    assert read_source(Source("纪要.txt", SENTENCE.encode())).text == SENTENCE
