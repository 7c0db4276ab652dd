"""Fixtures for the reader tests: settings, a CJK font for drawing scans, and the real OCR engine."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from duban.config import Settings
from duban.ingest.read.ocr import RapidOcrEngine, default_ocr_engine

# Debian fonts-wqy-zenhei first (what CI installs), then other common CJK fonts.
_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ocr: runs the real rapidocr engine (seconds per page)")


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def _find_cjk_font() -> Path | None:
    for candidate in _FONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-list"):
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
        ).stdout
        for line in listing.splitlines():
            path = Path(line.split(":")[0].strip())
            if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.is_file():
                return path
    return None


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    font = _find_cjk_font()
    if font is None:
        pytest.fail("no CJK font found: install the Debian package fonts-wqy-zenhei")
    return font


@pytest.fixture(scope="session")
def rapid_ocr() -> RapidOcrEngine:
    """The real engine, shared by the whole session: its models load once."""
    return default_ocr_engine()
