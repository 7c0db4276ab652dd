"""OCR behind a Protocol: the real rapidocr engine, loaded once per process, and a fake for tests."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from PIL import Image


class OcrEngine(Protocol):
    def recognize(self, image: Image.Image) -> list[str]:
        """Text lines of the image in reading order."""
        ...


@dataclass(frozen=True)
class OcrBox:
    """One recognised text box, in image pixels."""

    text: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


def reading_order(boxes: Sequence[OcrBox]) -> list[str]:
    """Lines top to bottom; boxes on the same visual row left to right, joined by a tab.

    A row is boxes whose vertical extents overlap by more than half the smaller height, so a
    slightly skewed scan still keeps a row together. A tab marks the gap between boxes of one
    row (table cells, 签发人 fields) the way the DOCX reader separates table cells.
    """
    rows: list[list[OcrBox]] = []
    for box in sorted((b for b in boxes if b.text.strip()), key=lambda b: (b.top + b.bottom) / 2):
        if rows and _same_row(rows[-1], box):
            rows[-1].append(box)
        else:
            rows.append([box])
    return ["\t".join(b.text for b in sorted(row, key=lambda b: b.left)) for row in rows]


def _same_row(row: list[OcrBox], box: OcrBox) -> bool:
    top = sum(b.top for b in row) / len(row)
    bottom = sum(b.bottom for b in row) / len(row)
    overlap = min(bottom, box.bottom) - max(top, box.top)
    return overlap > 0.5 * min(bottom - top, box.height)


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB on a white background: transparent pixels are often black, which would hide black text."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


_MODEL_FILES = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


class RapidOcrEngine:
    """rapidocr 3.10 with the PP-OCRv6 models shipped in its wheel.

    The models are named by path so rapidocr never takes its download branch: this works offline.
    They load on the first `recognize` (about 1 s); use `default_ocr_engine()` to share one per process.
    """

    def __init__(self, *, threads: int | None = None) -> None:
        self._threads = threads
        self._engine: Any = None
        # rapidocr keeps per-call state on the engine object, so calls are serialised.
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._engine is None:
            import rapidocr  # slow import (OpenCV, onnxruntime): only when OCR is really needed

            models = Path(rapidocr.__file__).parent / "models"
            # "error": rapidocr logs a warning for every page without text (blank pages are normal).
            params: dict[str, Any] = {"Global.log_level": "error"}
            for key, filename in _MODEL_FILES.items():
                path = models / filename
                if not path.is_file():
                    raise RuntimeError(f"rapidocr model missing: {path} (reinstall rapidocr==3.10.0)")
                params[key] = str(path)
            if self._threads is not None:
                params["EngineConfig.onnxruntime.intra_op_num_threads"] = self._threads
            self._engine = rapidocr.RapidOCR(params=params)
        return self._engine

    def recognize(self, image: Image.Image) -> list[str]:
        with self._lock:
            result = self._load()(to_rgb(image))
        texts = getattr(result, "txts", None)
        corners = getattr(result, "boxes", None)
        if not texts or corners is None:
            return []
        boxes = []
        for text, quad in zip(texts, corners.tolist(), strict=True):
            xs = [float(p[0]) for p in quad]
            ys = [float(p[1]) for p in quad]
            boxes.append(OcrBox(str(text), min(xs), min(ys), max(xs), max(ys)))
        return reading_order(boxes)


@lru_cache(maxsize=1)
def default_ocr_engine() -> RapidOcrEngine:
    """The process-wide engine: the model load is slow, so it happens once."""
    return RapidOcrEngine()


class FakeOcrEngine:
    """Returns the same lines for every image and remembers the image sizes it was given."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        self.calls: list[tuple[int, int]] = []

    def recognize(self, image: Image.Image) -> list[str]:
        self.calls.append(image.size)
        return list(self.lines)
