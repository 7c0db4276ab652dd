"""PDF: the text layer page by page (pypdfium2); pages without one are rendered and OCRed.

Page texts are joined with "\\n"; `page_starts[i]` is where page i+1 starts in the text.
PDFium ends lines with "\\r\\n": they become "\\n" (this text is the reader's output, offsets refer to it).
"""

from __future__ import annotations

import threading
from typing import Any

from PIL import Image

from duban.errors import CorruptFile, EncryptedFile, UnreadableFile
from duban.ingest.read.base import ReadContext, page_starts_of, type_score
from duban.ingest.types import RawText, Source

_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024  # the header may follow some junk, as readers tolerate
_MIN_LAYER_CHARS = 10  # fewer non-space characters than this: a scan (maybe with a page number), so OCR
_FPDF_ERR_PASSWORD = 4
# PDFium is not thread-safe, not even across documents: every call into it holds this lock.
# OCR runs outside it, so a long scan does not block other PDFs.
PDFIUM_LOCK = threading.RLock()


class PdfReader:
    name = "pdf"
    suffixes = frozenset({".pdf"})

    def score(self, source: Source) -> float:
        return type_score(source, self.suffixes, _MAGIC in source.data[:_MAGIC_WINDOW])

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        import pypdfium2 as pdfium

        if _MAGIC not in source.data[:_MAGIC_WINDOW]:
            raise _corrupt(source)
        try:
            with PDFIUM_LOCK:
                pdf = pdfium.PdfDocument(source.data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD:
                raise EncryptedFile(
                    f"PDF文件“{source.name}”已加密，请去掉密码后重新上传。",
                    f"'{source.name}' is a password-protected PDF; remove the password and upload again.",
                ) from exc
            raise _corrupt(source) from exc
        try:
            return self._read_pages(source, ctx, pdf)
        except pdfium.PdfiumError as exc:
            raise _corrupt(source) from exc
        finally:
            with PDFIUM_LOCK:
                pdf.close()

    def _read_pages(self, source: Source, ctx: ReadContext, pdf: Any) -> RawText:
        settings = ctx.settings
        texts: list[str] = []
        warnings: list[str] = []
        ocr_pages = 0
        with PDFIUM_LOCK:
            count = len(pdf)
        for index in range(count):
            with PDFIUM_LOCK:
                text, scan = _page(pdf, index, settings.ocr_dpi if settings.ocr_enabled else None)
            if scan is not None:
                ocr_pages += 1
                ocr_text = "\n".join(ctx.ocr().recognize(scan))
                if len(ocr_text.strip()) >= len(text.strip()):
                    text = ocr_text
            elif _is_scan(text):
                warnings.append(f"第{index + 1}页没有文字层，OCR未开启，已跳过。")
            texts.append(text)
        if not texts:
            raise _corrupt(source)
        if ocr_pages == 0 and warnings and not "".join(texts).strip():
            raise UnreadableFile(
                f"PDF文件“{source.name}”是扫描件（没有文字层），而OCR未开启，无法读取文字。",
                f"'{source.name}' is a scanned PDF without a text layer and OCR is disabled.",
            )
        return RawText(
            source=source,
            text="\n".join(texts),
            reader=self.name,
            pages=len(texts),
            ocr_pages=ocr_pages,
            warnings=tuple(warnings),
            page_starts=page_starts_of(texts),
        )


def _is_scan(text: str) -> bool:
    return len("".join(text.split())) < _MIN_LAYER_CHARS


def _page(pdf: Any, index: int, ocr_dpi: int | None) -> tuple[str, Image.Image | None]:
    """The page's text layer, and its rendering when it has (almost) none and OCR is on."""
    page = pdf[index]
    try:
        text = _layer_text(page)
        scan = _render(page, ocr_dpi) if ocr_dpi is not None and _is_scan(text) else None
    finally:
        page.close()
    return text, scan


def _layer_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        text: str = textpage.get_text_range()
    finally:
        textpage.close()
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _render(page: Any, dpi: int) -> Image.Image:
    bitmap = page.render(scale=dpi / 72)
    try:
        # A copy: the PIL image may share the bitmap's buffer, which close() frees.
        image: Image.Image = bitmap.to_pil().convert("RGB")
        return image
    finally:
        bitmap.close()


def _corrupt(source: Source) -> CorruptFile:
    return CorruptFile(
        f"文件“{source.name}”不是有效的PDF文件，可能已损坏或不完整。",
        f"'{source.name}' is not a valid PDF; it may be damaged or truncated.",
    )
