from __future__ import annotations

import pytest
from PIL import Image

from duban.config import Settings
from duban.errors import CorruptFile, FileTooLarge, UnreadableFile
from duban.ingest.read import FakeOcrEngine, read_source
from duban.ingest.types import Source

from .samples import SENTENCE, blank_image, image_bytes


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("扫描.png", "PNG"),
        ("扫描.jpg", "JPEG"),
        ("扫描.jpeg", "JPEG"),
        ("扫描.tif", "TIFF"),
        ("扫描.bmp", "BMP"),
    ],
)
def test_each_image_format_is_ocred(name: str, fmt: str, settings: Settings) -> None:
    ocr = FakeOcrEngine(["会议决定，", SENTENCE])
    raw = read_source(Source(name, image_bytes(blank_image(), fmt)), settings=settings, ocr=ocr)
    assert (raw.reader, raw.text) == ("image", f"会议决定，\n{SENTENCE}")
    assert (raw.pages, raw.ocr_pages, raw.page_starts) == (1, 1, (0,))
    assert ocr.calls == [(400, 300)]


def test_multi_page_tiff_is_one_page_per_frame(settings: Settings) -> None:
    data = image_bytes(blank_image(), "TIFF", save_all=True, append_images=[blank_image(300, 200)])
    raw = read_source(Source("两页.tiff", data), settings=settings, ocr=FakeOcrEngine(["第一行", "第二行"]))
    assert raw.text == "第一行\n第二行\n第一行\n第二行"
    assert (raw.pages, raw.ocr_pages, raw.page_starts) == (2, 2, (0, 8))


def test_exif_rotation_is_applied_before_ocr(settings: Settings) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    ocr = FakeOcrEngine(["文字"])
    read_source(
        Source("手机.jpg", image_bytes(blank_image(400, 300), "JPEG", exif=exif)), settings=settings, ocr=ocr
    )
    assert ocr.calls == [(300, 400)]


def test_image_is_recognised_by_content_whatever_its_name(settings: Settings) -> None:
    raw = read_source(
        Source("scan", image_bytes(blank_image(), "PNG")), settings=settings, ocr=FakeOcrEngine(["字"])
    )
    assert raw.reader == "image"


def test_image_pil_cannot_open_is_corrupt(settings: Settings) -> None:
    with pytest.raises(CorruptFile, match=r"照片\.png"):
        read_source(Source("照片.png", SENTENCE.encode() * 10), settings=settings, ocr=FakeOcrEngine([]))


def test_truncated_image_is_corrupt(settings: Settings) -> None:
    data = image_bytes(Image.effect_noise((600, 600), 50).convert("RGB"), "PNG")
    with pytest.raises(CorruptFile, match=r"半张\.png"):
        read_source(Source("半张.png", data[: len(data) // 2]), settings=settings, ocr=FakeOcrEngine([]))


def test_image_with_too_many_pixels_is_too_large(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100)
    for size in [(150, 100), (300, 300)]:  # Pillow warns, then refuses: both are too large
        with pytest.raises(FileTooLarge, match=r"大图\.png"):
            read_source(Source("大图.png", image_bytes(blank_image(*size), "PNG")), settings=settings)


def test_image_without_ocr_is_unreadable(settings: Settings) -> None:
    no_ocr = settings.model_copy(update={"ocr_enabled": False})
    with pytest.raises(UnreadableFile, match=r"扫描\.png"):
        read_source(Source("扫描.png", image_bytes(blank_image(), "PNG")), settings=no_ocr)
