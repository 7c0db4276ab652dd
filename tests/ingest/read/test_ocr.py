"""Box ordering and the fake run instantly; the tests marked `ocr` run the real rapidocr engine."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from duban.config import Settings
from duban.ingest.read import FakeOcrEngine, RapidOcrEngine, read_source
from duban.ingest.read.ocr import OcrBox, reading_order, to_rgb
from duban.ingest.types import Source

from .samples import SENTENCE, SENTENCE_2, TITLE, image_bytes, text_image


def box(text: str, left: float, top: float, right: float | None = None, height: float = 40) -> OcrBox:
    return OcrBox(text, left, top, right if right is not None else left + 40 * len(text), top + height)


def test_boxes_read_top_to_bottom_then_left_to_right() -> None:
    boxes = [
        box("责任单位", 600, 300),
        box("第二行", 100, 200),
        box("任务", 100, 302),  # same row as 责任单位, a little lower
        box("标题", 300, 100),
    ]
    assert reading_order(boxes) == ["标题", "第二行", "任务\t责任单位"]


def test_a_skewed_row_stays_one_line() -> None:
    boxes = [box("会议决定，", 100, 100), box("由区财政局负责", 400, 112), box("下一行", 100, 160)]
    assert reading_order(boxes) == ["会议决定，\t由区财政局负责", "下一行"]


def test_blank_boxes_are_dropped() -> None:
    assert reading_order([box(" ", 0, 0), box("文字", 0, 50)]) == ["文字"]


def test_transparent_background_becomes_white() -> None:
    clear = Image.new("RGBA", (2, 2), (0, 0, 0, 0))
    assert to_rgb(clear).getpixel((0, 0)) == (255, 255, 255)
    assert to_rgb(Image.new("L", (2, 2), 0)).mode == "RGB"


def test_fake_engine_returns_its_lines_and_counts_calls() -> None:
    fake = FakeOcrEngine(["一", "二"])
    assert fake.recognize(Image.new("RGB", (5, 6))) == ["一", "二"]
    assert fake.calls == [(5, 6)]


KEY_PHRASES = ("会议决定", "区财政局", "服务期按3年", "区招商局")


@pytest.mark.ocr
def test_real_ocr_reads_a_png(rapid_ocr: RapidOcrEngine, cjk_font: Path, settings: Settings) -> None:
    image = text_image([TITLE, SENTENCE, SENTENCE_2], cjk_font)
    raw = read_source(Source("扫描件.png", image_bytes(image, "PNG")), settings=settings, ocr=rapid_ocr)
    assert (raw.reader, raw.pages, raw.ocr_pages) == ("image", 1, 1)
    # Every character back, line by line; OCR may put a space next to a digit, normalize removes those.
    assert ["".join(line.split()) for line in raw.text.splitlines()] == [TITLE, SENTENCE, SENTENCE_2]


@pytest.mark.ocr
def test_real_ocr_reads_a_scanned_pdf(rapid_ocr: RapidOcrEngine, cjk_font: Path, settings: Settings) -> None:
    page = text_image([TITLE, SENTENCE, SENTENCE_2], cjk_font)
    page = page.crop((0, 0, 1654, 2339))  # a full A4 page at 200 dpi, text at the top
    data = image_bytes(page, "PDF", resolution=200)
    started = time.perf_counter()
    raw = read_source(Source("扫描件.pdf", data), settings=settings, ocr=rapid_ocr)
    elapsed = time.perf_counter() - started
    assert (raw.reader, raw.pages, raw.ocr_pages) == ("pdf", 1, 1)
    for phrase in KEY_PHRASES:
        assert phrase in raw.text
    print(f"OCR of one A4 page at {settings.ocr_dpi} dpi: {elapsed:.2f} s")
