"""Builders of test inputs: every file is generated in the test, none is checked in."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

TITLE = "关于政府采购服务项目的会议纪要"
SENTENCE = "会议决定，由区财政局负责组织采购，服务期按3年。"
SENTENCE_2 = "同意由自然资源和规划分局负责办理，区招商局具体负责实施。"
TASK_HEADER = ("序号", "任务", "责任单位", "完成时限")
TASK_ROWS = (
    ("1", "完成服务采购招标", "区财政局", "2026年10月底前"),
    ("2", "制定项目实施方案", "区招商局", "2026年12月底前"),
)
HEADER_TEXT = "某某区人民政府办公室文件"
FOOTER_TEXT = "第1页 共1页"


def text_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF with a real text layer, one list of lines per page (reportlab's built-in CJK font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for lines in pages:
        pdf.setFont("STSong-Light", 14)
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 24 * i, line)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt="secret")
    pdf.drawString(72, 760, "secret")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def text_image(lines: Sequence[str], font: Path, *, width: int = 1654, size: int = 40) -> Image.Image:
    """Black text on white, like a clean scan at 200 dpi."""
    image = Image.new("RGB", (width, 160 + 110 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(str(font), size)
    for i, line in enumerate(lines):
        draw.text((120, 100 + 110 * i), line, fill="black", font=face)
    return image


def blank_image(width: int = 400, height: int = 300) -> Image.Image:
    return Image.new("RGB", (width, height), "white")


def image_bytes(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def mixed_pdf(first_page_lines: Sequence[str], scan: Image.Image) -> bytes:
    """Page 1 has a text layer; page 2 is only an image (a scanned page)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont("STSong-Light", 14)
    for i, line in enumerate(first_page_lines):
        pdf.drawString(72, 760 - 24 * i, line)
    pdf.showPage()
    pdf.drawImage(ImageReader(scan), 0, 0, width=595, height=842)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def task_docx() -> bytes:
    """A 会议纪要 with a heading, paragraphs, a 任务分工 table between them, a header and a footer."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT
    section.footer.paragraphs[0].text = FOOTER_TEXT
    document.add_heading(TITLE, level=1)
    document.add_paragraph(SENTENCE)
    document.add_paragraph("任务分工如下：")
    table = document.add_table(rows=1 + len(TASK_ROWS), cols=len(TASK_HEADER))
    for r, row in enumerate((TASK_HEADER, *TASK_ROWS)):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph(SENTENCE_2)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
