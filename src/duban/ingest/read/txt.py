"""Plain text files: the text exactly as decoded (a BOM stripped, newlines untouched), so offsets are
character offsets of the decoded input."""

from __future__ import annotations

from duban.errors import CorruptFile
from duban.ingest.read.base import SCORE_TEXT_SUFFIX, ReadContext
from duban.ingest.read.encoding import decode_text
from duban.ingest.types import RawText, Source


class TxtReader:
    name = "txt"
    suffixes = frozenset({".txt"})

    def score(self, source: Source) -> float:
        # Text has no magic bytes: a suffix match is all there is, and a magic match elsewhere wins.
        return SCORE_TEXT_SUFFIX if source.suffix in self.suffixes else 0.0

    def read(self, source: Source, ctx: ReadContext) -> RawText:
        decoded = decode_text(source.data)
        if decoded is None:
            raise CorruptFile(
                f"文件“{source.name}”不是文本文件：内容是二进制数据或无法识别的编码。",
                f"'{source.name}' is not a text file: binary content or an unknown encoding.",
            )
        warnings: tuple[str, ...] = ()
        if decoded.replaced:
            warnings = (f"有{decoded.replaced}处无法按{decoded.encoding}解码的字节，已显示为“\ufffd”。",)
        return RawText(
            source=source,
            text=decoded.text,
            reader=self.name,
            encoding=decoded.encoding,
            pages=1,
            warnings=warnings,
            page_starts=(0,),
        )
