"""The header parser reads 发文字号, title, type and date off the top and bottom of each document."""

from __future__ import annotations

import datetime as dt

import pytest

from duban.ingest.pipeline import parse
from duban.ingest.segment import segment
from duban.ingest.types import CleanText, DocHeader, RawText, Source


def headers(text: str) -> list[DocHeader]:
    """Segment already-clean text and parse every document's header, the reference year taken from the text."""
    raw = RawText(source=Source("t.txt", text.encode("utf-8")), text=text, reader="test")
    clean = CleanText(raw=raw, text=text, raw_index=tuple(range(len(text))))
    return [doc.view.header for doc in parse(segment(clean))]


def header(text: str) -> DocHeader:
    [only] = headers(text)
    return only


NOTICE = (
    "驻政办〔2025〕12号\n"
    "各县区人民政府，市直有关单位：\n"
    "为深入贯彻落实安全生产工作部署，切实防范化解重大安全风险，经市政府同意，现将有关事项通知如下：\n"
    "一、各县区要于6月底前完成自查自纠工作。\n"
    "二、市应急管理局负责牵头组织督导检查。\n"
    "驻马店市人民政府办公室\n"
    "二〇二五年五月八日\n"
    "驻马店市人民政府办公室 2025年5月9日印发"
)

MINUTES = (
    "高新区管委会主任办公会议纪要\n"
    "高新管纪〔2025〕7号\n"
    "3月12日上午，区管委会主任李明主持召开2025年第3次主任办公会议，研究道路维修等工作。纪要如下：\n"
    "一、关于道路维修有关问题\n"
    "会议听取了区住房和城乡建设局关于城区道路维修工作的汇报。会议决定，由区财政局安排维修资金共50万元。"
)


def test_doc_number_is_read_as_printed() -> None:
    assert header(NOTICE).doc_number == "驻政办〔2025〕12号"
    assert header(MINUTES).doc_number == "高新管纪〔2025〕7号"


def test_a_document_number_quoted_in_the_body_is_not_the_documents_own() -> None:
    text = "高新区安全生产工作方案\n根据《国务院关于加强安全生产工作的意见》（国发〔2024〕9号）精神，制定本方案。"
    assert header(text).doc_number is None


def test_title_is_the_first_header_line() -> None:
    assert header(MINUTES).title == "高新区管委会主任办公会议纪要"


def test_notice_without_title_has_none() -> None:
    assert header(NOTICE).title is None


def test_notice_title_is_the_guanyu_line_under_its_issuer() -> None:
    text = "驻马店市人民政府办公室\n关于开展2025年度安全生产大检查的通知\n" + NOTICE
    h = header(text)
    assert h.title == "关于开展2025年度安全生产大检查的通知"
    assert h.issuer == "驻马店市人民政府办公室"


def test_issuer_of_minutes_is_read_from_the_title() -> None:
    assert (
        header("高新区管委会会议纪要\n2025年3月12日上午，区管委会主任李明主持召开会议。").issuer
        == "高新区管委会"
    )


@pytest.mark.parametrize(
    ("text", "doc_type"),
    [
        (MINUTES, "minutes"),
        (NOTICE, "notice"),
        (
            "驻马店市人民政府\n关于印发驻马店市城市道路管理办法的通知\n现将办法印发给你们，请认真贯彻实施。",
            "notice",
        ),
        (
            "政府工作报告\n——2024年2月21日在驻马店市第五届人民代表大会第二次会议上\n各位代表：\n"
            "现在，我代表市人民政府，向大会报告工作，请予审议。",
            "work_report",
        ),
        (
            "驻马店市城市道路管理办法\n第一条 为加强城市道路管理，制定本办法。\n第二条 本办法自印发之日起施行。",
            "regulation",
        ),
        ("高新区2025年优化营商环境工作方案\n为持续优化营商环境，制定本方案。", "plan"),
        (
            "高新区召开安全生产工作会议\n本报讯 3月6日上午，高新区召开安全生产工作会议，部署2026年安全生产重点工作。\n记者 张明",
            "news",
        ),
        (
            "今日论坛\n本报讯 岁末年初，回望过去一年，开发区全体干部职工砥砺奋进，各项事业取得新成效。\n记者 张明",
            "commentary",
        ),
    ],
    ids=[
        "minutes",
        "notice-by-number",
        "notice-by-title",
        "work_report",
        "regulation",
        "plan",
        "news",
        "commentary",
    ],
)
def test_document_type_follows_title_wording_and_dateline(text: str, doc_type: str) -> None:
    assert header(text).doc_type == doc_type


def test_minutes_without_a_title_are_recognised_by_jiyao_ruxia() -> None:
    text = "2025年3月12日上午，区管委会主任李明主持召开主任办公会议，研究有关工作。纪要如下：\n一、关于道路维修有关问题"
    assert header(text).doc_type == "minutes"


def test_commentary_title_is_the_headline_under_its_column_label() -> None:
    text = (
        "今日论坛\n凯歌前行迎新年\n李清华\n"
        "本报讯 岁末年初，回望过去一年，开发区全体干部职工砥砺奋进，各项事业取得新成效。新的一年，我们要再接再厉。"
    )
    h = header(text)
    assert h.doc_type == "commentary"
    assert h.title == "凯歌前行迎新年"


def test_chengwen_date_of_a_notice_is_its_standalone_date_line_in_chinese_numerals() -> None:
    # not the 6月底前 in the body, not the 印发 date below it
    assert header(NOTICE).date == dt.date(2025, 5, 8)


def test_yinfa_line_gives_printing_organ_and_date() -> None:
    h = header(NOTICE)
    assert h.printed_by == "驻马店市人民政府办公室"
    assert h.printed_date == dt.date(2025, 5, 9)


def test_addressees_are_split_at_commas() -> None:
    assert header(NOTICE).addressees == ("各县区人民政府", "市直有关单位")


def test_meeting_date_without_a_year_takes_the_year_from_context() -> None:
    assert header(MINUTES).date == dt.date(2025, 3, 12)


def test_news_date_is_the_dateline_with_the_year_of_the_page() -> None:
    page = (
        "高新区召开安全生产工作会议\n"
        "本报讯 3月6日下午，高新区召开安全生产工作会议，总结2025年工作，部署2026年安全生产重点工作，"
        "确保2026年安全生产形势持续稳定。\n记者 张明"
    )
    assert header(page).date == dt.date(2026, 3, 6)


def test_work_report_is_dated_by_its_subtitle() -> None:
    text = (
        "政府工作报告\n——2024年2月21日在驻马店市第五届人民代表大会第二次会议上\n各位代表：\n"
        "现在，我代表市人民政府，向大会报告工作，请予审议。"
    )
    assert header(text).date == dt.date(2024, 2, 21)
