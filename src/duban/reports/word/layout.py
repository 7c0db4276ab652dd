"""A Word document in the layout of GB/T 9704-2012 (党政机关公文格式), built with python-docx.

The page is A4 with the standard margins (top 37 mm, bottom 35 mm, left
28 mm, right 26 mm), which leave the 156 × 225 mm 版心. Body text is
仿宋_GB2312 三号 (16 pt) on a fixed 28.95 pt line, so 22 lines fill a page;
the title is 方正小标宋简体 二号 (22 pt), centred; level-one headings
(一、) are 黑体, level-two (（一）) 楷体_GB2312, level-three (1.) bold 仿宋.
The letterhead is the red 发文机关标志, the 发文字号 centred under it and a
red line as wide as the 版心; the 发文机关署名 and 成文日期 close the body as
for documents without a seal (7.3.5.2: the date 右空二字, the signature
above it starting two characters further left); page numbers `— 1 —` in
宋体 四号 sit right on odd pages and left on even pages, one character in.

Chinese font names go into `w:rFonts/@w:eastAsia`: python-docx's
`font.name` sets only the Western (ascii/hAnsi) fonts, and Word picks the
font of a Chinese character from the East Asian slot. Where the 公文 fonts
are not installed (LibreOffice on a server) the reader substitutes a CJK
font; the names stay what a government office's Word expects.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor

__all__ = [
    "BODY_FONT",
    "BODY_PT",
    "HEADING1_FONT",
    "HEADING2_FONT",
    "LINE_PT",
    "MARGINS_MM",
    "MASTHEAD_FONT",
    "PAGE_NUMBER_FONT",
    "PAGE_NUMBER_PT",
    "RED",
    "TABLE_PT",
    "TITLE_FONT",
    "TITLE_PT",
    "Issuer",
    "Letterhead",
    "OfficialDocument",
    "date_zh",
    "east_asian_font",
    "ordinal_zh",
    "text_width",
    "title_lines",
    "xml_safe",
]

# GB/T 9704-2012 5.2.1: 天头 37 mm, 订口 28 mm; the 版心 is 156 × 225 mm.
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
PAGE_MM = (210.0, 297.0)
TEXT_WIDTH_PT = (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72
# 225 mm / 22 lines; Word templates for 公文 round it to 28.95 pt ("固定值 28.95 磅").
LINE_PT = 28.95

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
MASTHEAD_FONT = TITLE_FONT
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
WESTERN_FONT = "Times New Roman"

BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
PAGE_NUMBER_PT = 14.0  # 四号
TABLE_PT = 12.0  # 小四: a ranking table of eight columns fits the 版心 at this size
CAPTION_PT = 14.0
MASTHEAD_MAX_PT = 36.0  # 小初
MASTHEAD_MIN_PT = 22.0

RED = RGBColor(0xFF, 0x00, 0x00)
_RED_HEX = "FF0000"
# Below the 发文字号: the red line, 1.5 pt wide, about 4 mm under the text.
_RULE_EIGHTHS = 12
_RULE_SPACE_PT = 11

_DIGITS_ZH = "〇一二三四五六七八九"


def ordinal_zh(n: int) -> str:
    """一, 二, … 十, 十一, … 九十九: the numerals of 公文 headings."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS_ZH[tens] + "十")
    return head + (_DIGITS_ZH[ones] if ones else "")


def date_zh(day: dt.date) -> str:
    """成文日期 with Arabic numerals, as GB/T 9704-2012 7.3.5.1 writes it: 2026年11月22日."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text: str) -> float:
    """Width in ems: full-width characters count 1, half-width (digits, Latin) ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def xml_safe(text: str) -> str:
    """`text` without the control characters XML cannot hold (they come in with extracted text)."""
    return "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")


# A title line holds at most this many ems of 二号 type (the 版心 is 442 pt wide), with a little slack.
TITLE_LINE_EMS = int(TEXT_WIDTH_PT // TITLE_PT) - 1
# Never start a line with closing punctuation, nor end one with opening punctuation.
_NO_LINE_START = set("，。、；：？！）》」』〕”’%")
_NO_LINE_END = set("（《「『〔“‘")


def title_lines(text: str, max_ems: int = TITLE_LINE_EMS) -> list[str]:
    """`text` in as few lines as fit, of nearly equal width, upper lines no shorter than lower ones.

    A newline in `text` marks where a long title should break (关于…季度 / 督办事项…通报); it is
    ignored when the whole title fits on one line.
    """
    flat = text.replace("\n", "")
    if text_width(flat) <= max_ems:
        return [flat]
    if "\n" in text:
        return [line for part in text.split("\n") for line in title_lines(part, max_ems)]
    count = int(-(-text_width(flat) // max_ems))
    target = text_width(flat) / count
    lines: list[str] = []
    start, width = 0, 0.0
    for i, char in enumerate(flat):
        width += text_width(char)
        rest = flat[i + 1 :]
        can_break = (
            rest
            and len(lines) < count - 1
            and rest[0] not in _NO_LINE_START
            and char not in _NO_LINE_END
            and not (char.isascii() and char.isalnum() and rest[0].isascii() and rest[0].isalnum())
        )
        if can_break and (width >= target or width + text_width(rest[0]) > max_ems):
            lines.append(flat[start : i + 1])
            start, width = i + 1, 0.0
    lines.append(flat[start:])
    return lines


def east_asian_font(run: Any) -> str | None:
    """The East Asian font name of a python-docx run (what Word uses for its Chinese characters)."""
    rpr = run._element.rPr
    fonts = rpr.rFonts if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _set_fonts(rpr: Any, east_asian: str, western: str = WESTERN_FONT) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), western)
    fonts.set(qn("w:hAnsi"), western)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:cs"), western)


def style_run(
    run: Any,
    font: str,
    size_pt: float,
    *,
    bold: bool = False,
    color: RGBColor | None = None,
    western: str = WESTERN_FONT,
) -> Any:
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _set_fonts(run._element.get_or_add_rPr(), font, western)
    return run


def _exact_lines(paragraph: Any, line_pt: float = LINE_PT) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(line_pt)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _single_lines(paragraph: Any) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing = 1.0
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _chars(n: float, size_pt: float = BODY_PT) -> Length:
    return Pt(n * size_pt)


@dataclass(frozen=True)
class Issuer:
    """Who issues the documents: the 发文机关标志 and the 落款 (Settings.org_name, report_signoff)."""

    org: str
    signoff: str
    contact: str | None = None


@dataclass(frozen=True)
class Letterhead:
    """版头: the issuing office in red, the document number under it and the red line."""

    masthead: str  # 发文机关标志
    doc_number: str | None = None  # 发文字号; None draws the line under the masthead instead
    issue_line: str | None = None  # e.g. 周报's “第47周 · 2026年11月22日”, in place of a number


class OfficialDocument:
    """One 公文: call the parts in reading order, then `to_bytes`."""

    def __init__(
        self,
        *,
        letterhead: Letterhead | None,
        title: str,
        author: str,
        created: dt.datetime,
    ) -> None:
        self.doc: Any = Document()
        self._setup_page()
        self._setup_styles()
        self._setup_footer()
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = title, author, author
        props.created = props.modified = created.astimezone(dt.UTC).replace(tzinfo=None)
        props.revision = 1
        self._drop_thumbnail()
        self._figures = 0
        if letterhead is not None:
            self._letterhead(letterhead)

    # --- page, styles, footer ------------------------------------------------------------

    def _drop_thumbnail(self) -> None:
        """python-docx's template carries a preview picture of an empty page; file managers would show it."""
        rels = self.doc.part.package.rels
        for rel_id, rel in list(rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del rels[rel_id]

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.header_distance = Mm(15)
        # The page number's top sits about 7 mm under the 版心 (GB/T 9704-2012 7.5).
        section.footer_distance = Mm(22)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))

    def _setup_styles(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        rpr = normal.element.get_or_add_rPr()
        _set_fonts(rpr, BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        fmt = normal.paragraph_format
        fmt.line_spacing = Pt(LINE_PT)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False  # 公文 lines run to the page's end; Word must not pull lines over

    def _setup_footer(self) -> None:
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        self._page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        self._page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    def _page_number(self, footer: Any, align: WD_ALIGN_PARAGRAPH) -> None:
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        _single_lines(paragraph)
        indent = _chars(1, PAGE_NUMBER_PT)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = indent
        else:
            paragraph.paragraph_format.left_indent = indent

        def text(value: str) -> None:
            style_run(paragraph.add_run(value), PAGE_NUMBER_FONT, PAGE_NUMBER_PT, western=PAGE_NUMBER_FONT)

        def field_char(kind: str) -> None:
            run = style_run(paragraph.add_run(), PAGE_NUMBER_FONT, PAGE_NUMBER_PT, western=PAGE_NUMBER_FONT)
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)

        text("— ")
        field_char("begin")
        instr_run = style_run(paragraph.add_run(), PAGE_NUMBER_FONT, PAGE_NUMBER_PT, western=PAGE_NUMBER_FONT)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = " PAGE "
        instr_run._element.append(instr)
        field_char("separate")
        text("1")
        field_char("end")
        text(" —")

    # --- 版头 ------------------------------------------------------------------------------

    def _letterhead(self, head: Letterhead) -> None:
        masthead = self.doc.add_paragraph()
        masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _single_lines(masthead)
        size = max(
            MASTHEAD_MIN_PT, min(MASTHEAD_MAX_PT, 0.92 * TEXT_WIDTH_PT / max(1.0, text_width(head.masthead)))
        )
        style_run(masthead.add_run(xml_safe(head.masthead)), MASTHEAD_FONT, round(size), color=RED)
        self.blank()
        under = head.doc_number or head.issue_line
        if under is None:
            self._red_rule(masthead)
        else:
            line = self.doc.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _exact_lines(line)
            style_run(line.add_run(xml_safe(under)), BODY_FONT, BODY_PT)
            self._red_rule(line)
        self.blank()

    @staticmethod
    def _red_rule(paragraph: Any) -> None:
        ppr = paragraph._element.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        bottom.set(qn("w:val"), "single")
        bottom.set(qn("w:sz"), str(_RULE_EIGHTHS))
        bottom.set(qn("w:space"), str(_RULE_SPACE_PT))
        bottom.set(qn("w:color"), _RED_HEX)
        borders.append(bottom)
        ppr.append(borders)

    # --- 主体 ------------------------------------------------------------------------------

    def blank(self) -> Any:
        paragraph = self.doc.add_paragraph()
        _exact_lines(paragraph)
        return paragraph

    def title(self, text: str) -> Any:
        """The title, centred; a long one broken into balanced lines (梯形), not one word on the last."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_lines(paragraph, 35.0)  # a 22 pt title needs more than the body's 28.95 pt line
        run = style_run(paragraph.add_run(), TITLE_FONT, TITLE_PT)
        for i, line in enumerate(title_lines(xml_safe(text))):
            if i:
                run.add_break()
            run.add_text(line)
        self.blank()
        return paragraph

    def addressee(self, names: Sequence[str]) -> Any:
        """主送机关: flush left, names joined by 、, ending in a full-width colon."""
        paragraph = self.doc.add_paragraph()
        _exact_lines(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        style_run(paragraph.add_run(xml_safe("、".join(names)) + "："), BODY_FONT, BODY_PT)
        return paragraph

    def body(
        self,
        text: str,
        *,
        indent: bool = True,
        lead: str | None = None,
        lead_font: str = BODY_FONT,
        lead_bold: bool = False,
    ) -> Any:
        """A body paragraph, first line indented two characters; `lead` is a run-in lead (（一）, 1.)."""
        paragraph = self.doc.add_paragraph()
        _exact_lines(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            paragraph.paragraph_format.first_line_indent = _chars(2)
        if lead:
            style_run(paragraph.add_run(xml_safe(lead)), lead_font, BODY_PT, bold=lead_bold)
        style_run(paragraph.add_run(xml_safe(text)), BODY_FONT, BODY_PT)
        return paragraph

    def heading(self, level: int, text: str) -> Any:
        """一、 in 黑体, （一） in 楷体_GB2312, 1. in bold 仿宋; all 三号, indented like the body."""
        font, bold = {1: (HEADING1_FONT, False), 2: (HEADING2_FONT, False), 3: (BODY_FONT, True)}[level]
        paragraph = self.doc.add_paragraph()
        _exact_lines(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = _chars(2)
        paragraph.paragraph_format.keep_with_next = True
        style_run(paragraph.add_run(xml_safe(text)), font, BODY_PT, bold=bold)
        return paragraph

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float]) -> Any:
        """A grid table in 仿宋 小四 with a 黑体 header row repeated on every page; numbers centred."""
        table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        header_row = table.rows[0]
        trpr = header_row._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        trpr.append(repeat)
        for row in table.rows:  # a row never breaks across two pages
            cant_split = OxmlElement("w:cantSplit")
            row._tr.get_or_add_trPr().append(cant_split)
        for r, values in enumerate([list(headers), *[list(row) for row in rows]]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.width = Mm(widths_mm[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                _exact_lines(paragraph, TABLE_PT * 1.5)
                short = text_width(value) <= 4
                paragraph.alignment = (
                    WD_ALIGN_PARAGRAPH.CENTER if r == 0 or short else WD_ALIGN_PARAGRAPH.LEFT
                )
                font = HEADING1_FONT if r == 0 else BODY_FONT
                style_run(paragraph.add_run(xml_safe(value)), font, TABLE_PT)
        for c, width in enumerate(widths_mm):
            table.columns[c].width = Mm(width)
        # A table directly followed by a heading would glue them; the blank line is the usual spacing.
        self.blank()
        return table

    def picture(self, png: bytes, *, width_mm: float, caption: str) -> Any:
        """A figure centred on its own line (single spacing: a fixed line would crop it), captioned 图N."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _single_lines(paragraph)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self._figures += 1
        label = self.doc.add_paragraph()
        label.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact_lines(label)
        style_run(label.add_run(f"图{self._figures}　{xml_safe(caption)}"), BODY_FONT, CAPTION_PT)
        return paragraph

    def signoff(self, office: str, day: dt.date) -> None:
        """发文机关署名 and 成文日期 without a seal (GB/T 9704-2012 7.3.5.2).

        One blank line under the body; the date 右空二字; the signature above
        it, its first character two characters left of the date's, moved
        right when the date is the longer of the two.
        """
        date_text = date_zh(day)
        office_right = max(2.0, text_width(date_text) + 4 - text_width(office))
        date_right = office_right + text_width(office) - 2 - text_width(date_text)
        # The signature never stands alone on a page: the last body paragraph goes over with it.
        if self.doc.paragraphs:
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        self.blank().paragraph_format.keep_with_next = True
        for text, right in ((office, office_right), (date_text, date_right)):
            paragraph = self.doc.add_paragraph()
            _exact_lines(paragraph)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = _chars(right)
            paragraph.paragraph_format.keep_with_next = text == office
            style_run(paragraph.add_run(xml_safe(text)), BODY_FONT, BODY_PT)

    def copy_to(self, names: Sequence[str]) -> Any:
        """版记's 抄送 line: 四号仿宋, one character in on both sides, between two rules."""
        paragraph = self.doc.add_paragraph()
        _exact_lines(paragraph)
        paragraph.paragraph_format.left_indent = _chars(1, PAGE_NUMBER_PT)
        paragraph.paragraph_format.right_indent = _chars(1, PAGE_NUMBER_PT)
        paragraph.paragraph_format.keep_together = True
        style_run(paragraph.add_run("抄送：" + xml_safe("、".join(names)) + "。"), BODY_FONT, PAGE_NUMBER_PT)
        borders = OxmlElement("w:pBdr")
        for side in ("top", "bottom"):
            rule = OxmlElement(f"w:{side}")
            rule.set(qn("w:val"), "single")
            rule.set(qn("w:sz"), "8")
            rule.set(qn("w:space"), "1")
            rule.set(qn("w:color"), "000000")
            borders.append(rule)
        paragraph._element.get_or_add_pPr().append(borders)
        return paragraph

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()
