"""The GB/T 9704 page: margins, fonts in the East Asian slot, sizes, line spacing, letterhead, 落款, page numbers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import RGBColor

from duban.reports.word.layout import (
    BODY_FONT,
    HEADING1_FONT,
    HEADING2_FONT,
    TITLE_FONT,
    TITLE_LINE_EMS,
    Letterhead,
    OfficialDocument,
    date_zh,
    ordinal_zh,
    text_width,
    title_lines,
    xml_safe,
)
from tests.reports.docx_checks import bottom_border, open_docx, paragraph, run_style, styles_of, table_rows

CREATED = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)


def _sample(letterhead: Letterhead | None = None) -> bytes:
    doc = OfficialDocument(
        letterhead=letterhead or Letterhead("开发区党政办公室督查室", "督办〔2026〕7号"),
        title="关于某事的通知",
        author="督查室",
        created=CREATED,
    )
    doc.title("关于某事的通知")
    doc.addressee(["区财政局", "区住建局"])
    doc.body("现将有关事项通知如下。")
    doc.heading(1, "一、总体情况")
    doc.heading(2, "（一）进展")
    doc.heading(3, "1.具体事项")
    doc.body("任务内容。", lead="（一）", lead_font=HEADING2_FONT)
    doc.table(["序号", "单位"], [["1", "区财政局"], ["2", "区住建局"]], [20, 136])
    doc.signoff("开发区党政办公室督查室", dt.date(2026, 11, 22))
    return doc.to_bytes()


def test_the_page_is_a4_with_the_gb_t_9704_margins() -> None:
    section = open_docx(_sample()).sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]


def test_body_is_fangsong_sanhao_on_a_fixed_line_with_two_characters_indent() -> None:
    document = open_docx(_sample())
    body = paragraph(document, "现将有关事项通知如下。")
    assert styles_of(body) == {(BODY_FONT, 16.0)}
    fmt = body.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert round(fmt.line_spacing.pt, 2) == 28.95
    assert round(fmt.first_line_indent.pt) == 32
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT


def test_the_east_asian_font_is_set_not_only_the_western_name() -> None:
    run = paragraph(open_docx(_sample()), "现将有关事项通知如下。").runs[0]
    fonts = run._element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == BODY_FONT
    assert fonts.get(qn("w:ascii")) == "Times New Roman"


def test_title_is_xiaobiaosong_erhao_centred() -> None:
    title = paragraph(open_docx(_sample()), "关于某事的通知")
    assert styles_of(title) == {(TITLE_FONT, 22.0)}
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_headings_use_heiti_kaiti_and_bold_fangsong() -> None:
    document = open_docx(_sample())
    assert styles_of(paragraph(document, "一、总体情况")) == {(HEADING1_FONT, 16.0)}
    assert styles_of(paragraph(document, "（一）进展")) == {(HEADING2_FONT, 16.0)}
    level3 = paragraph(document, "1.具体事项")
    assert styles_of(level3) == {(BODY_FONT, 16.0)} and level3.runs[0].font.bold
    lead, rest = paragraph(document, "（一）任务内容。").runs
    assert run_style(lead) == (HEADING2_FONT, 16.0) and run_style(rest) == (BODY_FONT, 16.0)


def test_letterhead_is_red_with_the_number_centred_over_a_red_line() -> None:
    document = open_docx(_sample())
    masthead = document.paragraphs[0]
    assert masthead.text == "开发区党政办公室督查室"
    assert masthead.alignment == WD_ALIGN_PARAGRAPH.CENTER
    font, size = run_style(masthead.runs[0])
    assert font == TITLE_FONT and size is not None and 22 <= size <= 36
    assert masthead.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    number = paragraph(document, "督办〔2026〕7号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert styles_of(number) == {(BODY_FONT, 16.0)}
    border = bottom_border(number)
    assert border is not None and border["val"] == "single" and border["color"] == "FF0000"
    # Order: masthead, the number, then the title.
    order = [p.text for p in document.paragraphs if p.text]
    assert order[:3] == ["开发区党政办公室督查室", "督办〔2026〕7号", "关于某事的通知"]


def test_a_short_masthead_is_larger_than_a_long_one_and_never_wider_than_the_page() -> None:
    short = open_docx(_sample(Letterhead("督查室", None))).paragraphs[0]
    long_name = "某某省某某市某某区人民政府办公室督查室"
    long = open_docx(_sample(Letterhead(long_name, None))).paragraphs[0]
    short_pt, long_pt = short.runs[0].font.size.pt, long.runs[0].font.size.pt
    assert short_pt > long_pt
    assert long_pt * text_width(long_name) <= 442  # the 版心 is 156 mm = 442 pt wide
    # Without a number the red line goes under the masthead itself.
    assert bottom_border(short) is not None


def test_addressee_line_ends_with_a_full_width_colon() -> None:
    line = paragraph(open_docx(_sample()), "区财政局、区住建局：")
    assert line.paragraph_format.first_line_indent is None
    assert styles_of(line) == {(BODY_FONT, 16.0)}


def test_a_long_signoff_sits_two_characters_in_and_the_date_follows_it() -> None:
    document = open_docx(_sample())
    office = [p for p in document.paragraphs if p.text == "开发区党政办公室督查室"][-1]
    date = paragraph(document, "2026年11月22日")
    assert office.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # The signature (11 characters) is longer than the date (7 em): the signature sits 右空二字 and
    # the date starts two characters right of its start: 2 + 11 - 2 - 7 = 4 characters from the edge.
    assert round(office.paragraph_format.right_indent.pt) == 32  # 2 characters at 16 pt
    assert round(date.paragraph_format.right_indent.pt) == 64


def test_a_short_signoff_starts_two_characters_left_of_the_date_which_sits_two_characters_in() -> None:
    doc = OfficialDocument(letterhead=None, title="t", author="a", created=CREATED)
    doc.signoff("督查室", dt.date(2026, 11, 22))
    document = open_docx(doc.to_bytes())
    office, date = paragraph(document, "督查室"), paragraph(document, "2026年11月22日")
    # Date: 7 em wide, 2 em from the right edge, so it starts 9 em in; the office starts 11 em in.
    assert round(date.paragraph_format.right_indent.pt / 16, 2) == 2
    assert round(office.paragraph_format.right_indent.pt / 16 + 3, 2) == 11


def test_footer_has_a_page_field_between_dashes_in_songti_sihao() -> None:
    document = open_docx(_sample())
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        par = footer.paragraphs[0]
        assert par.alignment == align
        assert par.text == "— 1 —"
        instructions = [el.text for el in par._element.iter(qn("w:instrText"))]
        assert instructions == [" PAGE "]
        assert styles_of(par) == {("宋体", 14.0)}


def test_tables_are_fangsong_in_a_smaller_size_with_a_heiti_header() -> None:
    table = open_docx(_sample()).tables[0]
    assert table_rows(table) == [["序号", "单位"], ["1", "区财政局"], ["2", "区住建局"]]
    header = table.rows[0].cells[1].paragraphs[0]
    body = table.rows[1].cells[1].paragraphs[0]
    assert styles_of(header) == {(HEADING1_FONT, 12.0)}
    assert styles_of(body) == {(BODY_FONT, 12.0)}
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_core_properties_name_the_title_and_office() -> None:
    props = open_docx(_sample()).core_properties
    assert props.title == "关于某事的通知" and props.author == "督查室"
    assert props.created == CREATED


def test_control_characters_from_extracted_text_do_not_break_the_file() -> None:
    doc = OfficialDocument(letterhead=None, title="t", author="a", created=CREATED)
    doc.body("第一段\x0b第二段\x00。")
    assert paragraph(open_docx(doc.to_bytes()), "第一段第二段。")
    assert xml_safe("a\tb\x07c") == "a\tbc"


@pytest.mark.parametrize(
    ("n", "zh"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (99, "九十九")],
)
def test_heading_numerals(n: int, zh: str) -> None:
    assert ordinal_zh(n) == zh


def test_heading_numerals_stop_at_99() -> None:
    with pytest.raises(ValueError):
        ordinal_zh(100)


def test_date_uses_arabic_numerals_without_leading_zeros() -> None:
    assert date_zh(dt.date(2026, 3, 6)) == "2026年3月6日"


def test_a_long_title_breaks_into_balanced_lines_never_before_closing_punctuation() -> None:
    text = "关于进一步加强全区安全生产专项整治三年行动重点任务督查督办工作的通知（试行）"
    lines = title_lines(text)
    assert "".join(lines) == text and len(lines) == 2
    assert all(text_width(line) <= TITLE_LINE_EMS for line in lines)
    assert text_width(lines[0]) >= text_width(lines[1]) - 1
    assert not lines[1].startswith(("（", "）", "，"))


def test_a_break_hint_is_used_only_when_the_title_is_too_long() -> None:
    assert title_lines("关于2026年第三季度\n督办事项办理情况的通报") == [
        "关于2026年第三季度",
        "督办事项办理情况的通报",
    ]
    assert title_lines("关于2026年3月\n督办事项办理情况的通报") == ["关于2026年3月督办事项办理情况的通报"]
    doc = OfficialDocument(letterhead=None, title="t", author="a", created=CREATED)
    doc.title("关于2026年第三季度\n督办事项办理情况的通报")
    title = open_docx(doc.to_bytes()).paragraphs[0]
    assert title.text == "关于2026年第三季度\n督办事项办理情况的通报"  # one run with a line break
    assert len(title.runs) == 1


def test_table_rows_never_split_across_pages() -> None:
    table = open_docx(_sample()).tables[0]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)


def test_the_signature_keeps_the_last_body_paragraph_on_its_page() -> None:
    doc = OfficialDocument(letterhead=None, title="t", author="a", created=CREATED)
    doc.body("最后一段正文。")
    doc.signoff("督查室", dt.date(2026, 11, 22))
    paragraphs = open_docx(doc.to_bytes()).paragraphs
    assert [bool(p.paragraph_format.keep_with_next) for p in paragraphs] == [True, True, True, False]


def test_no_thumbnail_of_the_template_is_left_in_the_package() -> None:
    with zipfile.ZipFile(io.BytesIO(_sample())) as package:
        assert not any("thumbnail" in name for name in package.namelist())
