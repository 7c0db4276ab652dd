"""The segmenter cuts one file into its documents: a newspaper page into articles, a bulletin into its parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from duban.ingest.normalize import normalize
from duban.ingest.segment import is_newspaper, segment
from duban.ingest.types import CleanText, RawText, Source

CORPUS = Path(__file__).parents[2] / "examples" / "corpus"


def clean_as_is(text: str) -> CleanText:
    """Text that is already clean: every character maps to itself."""
    raw = RawText(source=Source("t.txt", text.encode("utf-8")), text=text, reader="test")
    return CleanText(raw=raw, text=text, raw_index=tuple(range(len(text))))


def pieces(text: str) -> list[str]:
    return [text[s.span.start : s.span.end] for s in segment(clean_as_is(text)).items]


ARTICLE_1 = (
    "区市场监管局开展食品安全检查\n"
    "本报讯 3月5日，区市场监管局组织执法人员对辖区内12家商超开展食品安全专项检查，"
    "共发现问题隐患8处，已全部督促整改到位。\n"
    "记者 张明 通讯员 李华"
)
ARTICLE_2 = (
    "高新区召开安全生产工作会议\n"
    "部署全年安全生产重点工作\n"
    "本报讯 3月6日上午，高新区召开2026年安全生产工作会议，部署全年安全生产重点工作。"
    "会议要求，各单位要压实安全生产责任，坚决遏制重大事故发生。\n"
    "记者 张明"
)
ARTICLE_3 = "本报讯 3月7日，区教育局组织开展校园安全隐患排查，覆盖全区中小学校和幼儿园共计36所。\n通讯员 王强"
PAGE = "\n".join([ARTICLE_1, ARTICLE_2, ARTICLE_3])


def test_a_page_with_a_benbaoxun_dateline_is_a_newspaper() -> None:
    assert is_newspaper(PAGE)
    assert not is_newspaper("会议听取了财政金融局关于资金拨付有关情况汇报。")


def test_newspaper_page_splits_into_one_document_per_article() -> None:
    assert pieces(PAGE) == [ARTICLE_1, ARTICLE_2, ARTICLE_3]


def test_article_spans_follow_each_other_without_overlap() -> None:
    items = segment(clean_as_is(PAGE)).items
    assert [s.span.start for s in items] == [0, len(ARTICLE_1) + 1, len(ARTICLE_1) + len(ARTICLE_2) + 2]
    assert items[-1].span.end == len(PAGE)


def test_headline_block_is_the_articles_headline_and_its_body_starts_at_the_dateline() -> None:
    first, second, third = segment(clean_as_is(PAGE)).items
    assert first.headline == "区市场监管局开展食品安全检查"
    assert second.headline == "高新区召开安全生产工作会议"
    assert PAGE[first.body_start :].startswith("本报讯 3月5日")
    assert PAGE[second.body_start :].startswith("本报讯 3月6日上午")
    # an article that opens with its dateline has no headline and starts its body at once
    assert third.headline is None
    assert third.body_start == third.span.start


def test_column_label_above_a_headline_is_a_kicker_not_the_headline() -> None:
    page = "■新年开新局\n" + PAGE
    first = segment(clean_as_is(page)).items[0]
    assert first.span.start == 0
    assert first.headline == "区市场监管局开展食品安全检查"
    assert first.kickers == ("■新年开新局",)


def test_byline_closes_the_article_before_it_and_does_not_open_a_new_one() -> None:
    for piece in pieces(PAGE):
        assert piece.count("本报讯") == 1
    assert pieces(PAGE)[0].endswith("记者 张明 通讯员 李华")


REPORT = (
    "政府工作报告\n"
    "——2024年2月21日在驻马店市第五届人民代表大会第二次会议上\n"
    "各位代表：\n"
    "现在，我代表市人民政府，向大会报告工作，请予审议，并请市政协委员和其他列席人士提出意见。"
    "过去一年，全市生产总值增长4.5%，规上工业增加值增长3.5%，固定资产投资增长7.5%，社会消费品零售总额增长6.5%。\n"
    "今年经济社会发展的主要预期目标是：生产总值增长6%左右，一般公共预算收入增长5%，居民人均可支配收入增长与经济增长同步。"
    "我们将坚持稳中求进工作总基调，扎实推进各项工作，奋力书写新时代更加出彩的绚丽篇章！"
)
NOTICE = (
    "驻马店市人民政府\n"
    "关于印发驻马店市城市道路管理办法的通知\n"
    "驻政〔2024〕3号\n"
    "各县区人民政府，市人民政府各部门：\n"
    "现将《驻马店市城市道路管理办法》印发给你们，请认真贯彻实施。\n"
    "2024年1月15日\n"
    "驻马店市城市道路管理办法\n"
    "第一条 为加强城市道路管理，保障城市道路完好，充分发挥城市道路功能，根据《城市道路管理条例》等有关法律法规，"
    "结合本市实际，制定本办法。\n"
    "第二条 市城市管理局负责全市城市道路的管理工作，每季度组织一次城市道路设施检查，检查结果向社会公布。\n"
    "第三条 城市道路养护维修实行分级负责，区人民政府负责辖区内支路、街巷的日常养护，"
    "发现路面破损、井盖缺失等问题应当及时修复。\n"
    "第四条 本办法自印发之日起施行。"
)
SECOND_NOTICE = (
    "驻政办〔2024〕8号\n"
    "各县区人民政府，市直有关单位：\n"
    "为加快推进全市智慧城市建设，市政府决定成立驻马店市智慧城市建设工作领导小组，现通知如下：\n"
    "一、领导小组办公室设在市大数据局，负责日常工作。\n"
    "2024年3月20日"
)
BULLETIN = "\n".join([REPORT, NOTICE, SECOND_NOTICE])


def test_bulletin_splits_into_report_notice_and_numbered_notice() -> None:
    assert pieces(BULLETIN) == [REPORT, NOTICE, SECOND_NOTICE]


def test_issuer_line_above_a_notice_title_belongs_to_the_notice() -> None:
    notice = segment(clean_as_is(BULLETIN)).items[1]
    assert BULLETIN[notice.span.start :].startswith("驻马店市人民政府\n关于印发")


def test_a_title_or_number_quoted_before_any_body_does_not_cut_the_document() -> None:
    # The 发文字号 right under the notice's own title opens no new document.
    assert len(pieces(NOTICE)) == 1


SHORT_NOTICE = (
    "驻政办〔2024〕7号\n"
    "各县区人民政府，市直有关单位：\n"
    "经市政府同意，2024年清明节放假时间为4月4日至6日，共3天。请各单位妥善安排值班和安全保卫等工作。\n"
    "2024年3月20日"
)


@pytest.mark.xfail(
    strict=True,
    reason="_official_starts cuts at a 发文字号 only after 200 body characters; a short notice closed by its 成文日期 "
    "is merged with the next one",
)
def test_two_short_notices_each_with_number_and_date_split_in_two() -> None:
    assert pieces(SHORT_NOTICE + "\n" + SECOND_NOTICE) == [SHORT_NOTICE, SECOND_NOTICE]


MINUTES = (
    "区管委会主任办公会议纪要\n"
    "高新管纪〔2025〕7号\n"
    "2025年3月12日上午，区管委会主任李明主持召开2025年第3次主任办公会议，研究道路维修、招商引资等工作。纪要如下：\n"
    "一、关于道路维修有关问题\n"
    "会议听取了区住房和城乡建设局关于城区道路维修工作的汇报。会议决定，由区财政局安排维修资金共50万元，"
    "区住房和城乡建设局负责组织实施，确保6月底前完工。\n"
    "二、关于招商引资有关问题\n"
    "会议听取了区招商投资发展局关于2025年一季度招商引资工作情况的汇报。会议要求，区招商投资发展局要加大招商力度，"
    "确保全年引进亿元以上项目10个以上。区财政局要按照有关规定及时兑现招商奖励政策，切实优化营商环境。\n"
    "出席：李明 王强 张伟\n"
    "列席：区财政局 区住房和城乡建设局 区招商投资发展局"
)


def test_minutes_stay_one_document_from_title_to_last_line() -> None:
    [only] = segment(clean_as_is(MINUTES)).items
    assert (only.span.start, only.span.end) == (0, len(MINUTES))


def test_empty_text_has_no_documents() -> None:
    assert segment(clean_as_is("\n \n")).items == ()


def test_real_newspaper_page_splits_into_its_six_articles() -> None:
    text = (CORPUS / "001_11e814b0cf7c5a9c.txt").read_text(encoding="utf-8")
    clean = normalize(RawText(source=Source("001.txt", b""), text=text, reader="test"))
    items = segment(clean).items
    assert len(items) == 6
    for item in items:
        assert clean.text[item.span.start : item.span.end].count("本报讯") == 1
