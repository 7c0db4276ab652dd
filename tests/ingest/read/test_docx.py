from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml import parse_xml

from duban.config import Settings
from duban.errors import CorruptFile, EmptyFile, EncryptedFile, UnsupportedFileType
from duban.ingest.read import read_source
from duban.ingest.types import Source

from .samples import FOOTER_TEXT, HEADER_TEXT, SENTENCE, SENTENCE_2, TASK_HEADER, TASK_ROWS, TITLE, task_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_paragraphs_and_table_rows_come_in_document_order(settings: Settings) -> None:
    raw = read_source(Source("纪要.docx", task_docx()), settings=settings)
    rows = ["\t".join(row) for row in (TASK_HEADER, *TASK_ROWS)]
    assert raw.reader == "docx"
    assert raw.text == "\n".join([TITLE, SENTENCE, "任务分工如下：", *rows, SENTENCE_2]) + "\n"


def test_header_and_footer_are_not_body_text(settings: Settings) -> None:
    text = read_source(Source("纪要.docx", task_docx()), settings=settings).text
    assert HEADER_TEXT not in text
    assert FOOTER_TEXT not in text


def test_each_block_start_is_recorded(settings: Settings) -> None:
    raw = read_source(Source("纪要.docx", task_docx()), settings=settings)
    starts = raw.page_starts
    assert len(starts) == 5  # heading, 2 paragraphs, the table, the last paragraph
    assert raw.text[starts[3] :].startswith("序号\t任务")
    assert raw.text[starts[4] :].startswith(SENTENCE_2)


def test_merged_cells_repeat_down_and_span_across(settings: Settings) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("1", "任务甲", "区财政局"), ("2", "任务乙", ""), ("说明", "", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(0, 2).merge(table.cell(1, 2))  # 区财政局 responsible for both tasks
    table.cell(2, 0).merge(table.cell(2, 2))  # a note across the whole row
    text = read_source(Source("t.docx", docx_bytes(document)), settings=settings).text
    assert text.splitlines() == ["1\t任务甲\t区财政局", "2\t任务乙\t区财政局", "说明"]


def test_cell_paragraphs_stay_on_the_row_line(settings: Settings) -> None:
    document = docx.Document()
    cell = document.add_table(rows=1, cols=2).cell(0, 1)
    cell.text = "区财政局"
    cell.add_paragraph("区招商局")
    text = read_source(Source("t.docx", docx_bytes(document)), settings=settings).text
    assert text == "\t区财政局 区招商局\n"


def test_tracked_insertions_count_and_deletions_do_not(settings: Settings) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("服务期按")
    paragraph._p.append(
        parse_xml(f'<w:del {W} w:id="1" w:author="a"><w:r><w:delText>2</w:delText></w:r></w:del>')
    )
    paragraph._p.append(parse_xml(f'<w:ins {W} w:id="2" w:author="a"><w:r><w:t>3</w:t></w:r></w:ins>'))
    paragraph.add_run("年。")
    text = read_source(Source("t.docx", docx_bytes(document)), settings=settings).text
    assert text == "服务期按3年。\n"


def test_tabs_and_line_breaks_inside_a_paragraph_are_kept(settings: Settings) -> None:
    document = docx.Document()
    run = document.add_paragraph().add_run("签发人：\t张三")
    run.add_break()
    run.add_text("2026年3月6日")
    text = read_source(Source("t.docx", docx_bytes(document)), settings=settings).text
    assert text == "签发人：\t张三\n2026年3月6日\n"


def test_docx_without_text_is_empty(settings: Settings) -> None:
    with pytest.raises(EmptyFile, match=r"空\.docx"):
        read_source(Source("空.docx", docx_bytes(docx.Document())), settings=settings)


def test_docx_that_is_not_a_zip_is_corrupt(settings: Settings) -> None:
    with pytest.raises(CorruptFile, match=r"假文件\.docx"):
        read_source(Source("假文件.docx", SENTENCE.encode() * 10), settings=settings)


def test_truncated_docx_is_corrupt(settings: Settings) -> None:
    data = task_docx()
    with pytest.raises(CorruptFile, match=r"半个\.docx"):
        read_source(Source("半个.docx", data[: len(data) // 2]), settings=settings)


def zip_of(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buf.getvalue()


def test_zip_named_docx_without_a_document_is_corrupt(settings: Settings) -> None:
    with pytest.raises(CorruptFile, match=r"附件\.docx"):
        read_source(Source("附件.docx", zip_of({"readme.txt": "hello"})), settings=settings)


def test_docx_is_recognised_by_content_whatever_its_name(settings: Settings) -> None:
    raw = read_source(Source("upload.bin", task_docx()), settings=settings)
    assert raw.reader == "docx"
    assert SENTENCE in raw.text


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def test_legacy_doc_renamed_docx_is_unsupported_with_a_hint(settings: Settings) -> None:
    with pytest.raises(UnsupportedFileType, match=r"旧版\.docx") as info:
        read_source(Source("旧版.docx", OLE + b"WordDocument".ljust(512, b"\x00")), settings=settings)
    assert ".docx" in info.value.message_zh


def test_password_protected_docx_is_encrypted(settings: Settings) -> None:
    data = OLE + "EncryptedPackage".encode("utf-16-le").ljust(512, b"\x00")
    with pytest.raises(EncryptedFile, match=r"加密\.docx"):
        read_source(Source("加密.docx", data), settings=settings)


NS = (
    f"{W} xmlns:mc='http://schemas.openxmlformats.org/markup-compatibility/2006'"
    " xmlns:wps='http://schemas.microsoft.com/office/word/2010/wordprocessingShape'"
    " xmlns:v='urn:schemas-microsoft-com:vml'"
)


def test_text_box_is_read_once_not_twice(settings: Settings) -> None:
    # Word stores a text box twice: the DrawingML choice and a VML fallback with the same text.
    box = "<w:txbxContent><w:p><w:r><w:t>红头标题</w:t></w:r></w:p></w:txbxContent>"
    run = parse_xml(
        f"<w:r {NS}><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )
    document = docx.Document()
    document.add_paragraph("正文")._p.append(run)
    text = read_source(Source("t.docx", docx_bytes(document)), settings=settings).text
    assert text == "正文\n红头标题\n"


def test_content_controls_are_read_in_place(settings: Settings) -> None:
    document = docx.Document()
    first = document.add_paragraph("第一段")
    document.add_paragraph("第三段")
    sdt = parse_xml(
        f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    first._p.addnext(sdt)
    text = read_source(Source("t.docx", docx_bytes(document)), settings=settings).text
    assert text == "第一段\n第二段\n第三段\n"
