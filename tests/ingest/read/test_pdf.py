from __future__ import annotations

from pathlib import Path

import pytest

from duban.config import Settings
from duban.errors import CorruptFile, EncryptedFile, UnreadableFile
from duban.ingest.read import FakeOcrEngine, read_source
from duban.ingest.types import Source

from .samples import SENTENCE, SENTENCE_2, TITLE, blank_image, encrypted_pdf, image_bytes, mixed_pdf, text_pdf


def test_text_layer_comes_back_with_one_start_per_page(settings: Settings) -> None:
    ocr = FakeOcrEngine(["不应被调用"])
    raw = read_source(
        Source("纪要.pdf", text_pdf([[TITLE, SENTENCE], [SENTENCE_2]])), settings=settings, ocr=ocr
    )
    assert raw.reader == "pdf"
    assert raw.text == f"{TITLE}\n{SENTENCE}\n{SENTENCE_2}"
    assert raw.pages == 2
    assert raw.page_starts == (0, len(TITLE) + len(SENTENCE) + 2)
    assert raw.text[raw.page_starts[1] :] == SENTENCE_2
    assert raw.ocr_pages == 0
    assert ocr.calls == []


def test_page_without_text_layer_is_rendered_and_ocred(settings: Settings) -> None:
    ocr = FakeOcrEngine(["区招商局具体负责实施。", "年底前完成。"])
    raw = read_source(
        Source("混合.pdf", mixed_pdf([TITLE, SENTENCE], blank_image())), settings=settings, ocr=ocr
    )
    assert raw.text == f"{TITLE}\n{SENTENCE}\n区招商局具体负责实施。\n年底前完成。"
    assert raw.ocr_pages == 1
    assert raw.page_starts == (0, len(TITLE) + len(SENTENCE) + 2)
    # Rendered at settings.ocr_dpi: an A4 page (595.3 x 841.9 pt) at 200 dpi.
    [(width, height)] = ocr.calls
    assert abs(width - 595.3 * 200 / 72) <= 1
    assert abs(height - 841.9 * 200 / 72) <= 1


def test_ocr_dpi_setting_is_used(settings: Settings) -> None:
    ocr = FakeOcrEngine(["扫描件"])
    low = settings.model_copy(update={"ocr_dpi": 72})
    data = image_bytes(blank_image(), "PDF", resolution=72)
    read_source(Source("scan.pdf", data), settings=low, ocr=ocr)
    assert ocr.calls == [(400, 300)]


def test_scanned_pages_without_ocr_are_reported(settings: Settings) -> None:
    no_ocr = settings.model_copy(update={"ocr_enabled": False})
    raw = read_source(Source("混合.pdf", mixed_pdf([TITLE], blank_image())), settings=no_ocr)
    assert raw.text == f"{TITLE}\n"
    assert raw.ocr_pages == 0
    assert raw.warnings == ("第2页没有文字层，OCR未开启，已跳过。",)


def test_scanned_pdf_without_ocr_is_unreadable(settings: Settings) -> None:
    no_ocr = settings.model_copy(update={"ocr_enabled": False})
    data = image_bytes(blank_image(), "PDF", resolution=72)
    with pytest.raises(UnreadableFile, match=r"扫描\.pdf"):
        read_source(Source("扫描.pdf", data), settings=no_ocr)


def test_encrypted_pdf_is_refused(settings: Settings) -> None:
    with pytest.raises(EncryptedFile, match=r"机密\.pdf"):
        read_source(Source("机密.pdf", encrypted_pdf()), settings=settings)


@pytest.mark.parametrize("keep", [0.5, 0.98])
def test_truncated_pdf_is_corrupt(keep: float, settings: Settings) -> None:
    data = text_pdf([[SENTENCE]])
    with pytest.raises(CorruptFile, match=r"截断\.pdf"):
        read_source(Source("截断.pdf", data[: int(len(data) * keep)]), settings=settings)


def test_pdf_name_on_other_content_is_corrupt(settings: Settings) -> None:
    with pytest.raises(CorruptFile, match=r"不是\.pdf"):
        read_source(Source("不是.pdf", SENTENCE.encode() * 5), settings=settings)


def test_pdf_header_followed_by_garbage_is_corrupt(settings: Settings) -> None:
    with pytest.raises(CorruptFile, match=r"坏\.pdf"):
        read_source(Source("坏.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4), settings=settings)


def test_pdf_is_recognised_by_content_even_named_txt(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "纪要.txt"
    path.write_bytes(text_pdf([[SENTENCE]]))
    raw = read_source(Source(path.name, path.read_bytes(), path), settings=settings)
    assert (raw.reader, raw.text) == ("pdf", SENTENCE)
