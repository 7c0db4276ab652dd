"""Images (PNG, JPEG, TIFF, BMP): OCR every frame; a multi-page TIFF is one page per frame."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from duban.errors import CorruptFile, FileTooLarge, UnreadableFile
from duban.ingest.read.base import ReadContext, page_starts_of, type_score
from duban.ingest.types import RawText, Source

_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def _is_bmp(data: bytes) -> bool:
    # "BM" alone is too weak (a text file may start with it): the 4 reserved header bytes are zero.
    return data.startswith(b"BM") and data[6:10] == b"\x00\x00\x00\x00"


class ImageReader:
    name = "image"
    suffixes = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"})

    def score(self, source: Source) -> float:
        data = source.data
        return type_score(source, self.suffixes, data.startswith(_MAGICS) or _is_bmp(data))

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        if not ctx.settings.ocr_enabled:
            raise UnreadableFile(
                f"文件“{source.name}”是图片，需要OCR识别文字，而OCR未开启。",
                f"'{source.name}' is an image and needs OCR, which is disabled.",
            )
        texts: list[str] = []
        for frame in _frames(source):
            texts.append("\n".join(ctx.ocr().recognize(frame)))
        return RawText(
            source=source,
            text="\n".join(texts),
            reader=self.name,
            pages=len(texts),
            ocr_pages=len(texts),
            page_starts=page_starts_of(texts),
        )


def _frames(source: Source) -> Iterator[Image.Image]:
    """Each frame upright (EXIF orientation applied), decoded one at a time to bound memory."""
    with _image_errors(source), warnings.catch_warnings():
        # Pillow only warns between 89 and 179 megapixels; refuse those like larger images.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(source.data))
    with image:
        frames = ImageSequence.Iterator(image)
        while True:
            with _image_errors(source):
                try:
                    frame = next(frames)
                except StopIteration:
                    return
                frame.load()
                upright = ImageOps.exif_transpose(frame)  # a copy, independent of the file
            yield upright


@contextmanager
def _image_errors(source: Source) -> Iterator[None]:
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FileTooLarge(
            f"图片“{source.name}”像素过多，无法识别。",
            f"'{source.name}' has too many pixels to read.",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFile(
            f"文件“{source.name}”不是可以打开的图片，可能已损坏或不完整。",
            f"'{source.name}' is not an image that can be opened; it may be damaged or truncated.",
        ) from exc
