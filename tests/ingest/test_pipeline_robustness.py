"""Whatever text comes in, the pipeline finishes and every span stays inside the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.ingest.output import extraction_json
from duban.ingest.pipeline import run_text

_pieces = st.sampled_from(
    [
        "会议决定，",
        "会议要求，",
        "（一）",
        "（二）",
        "一是要",
        "二是要",
        "本报讯",
        "记者 王某",
        "由区财政局负责",
        "同意拨付经费10万元。",
        "2026年10月至2029年9月",
        "一季度",
        "每季度召开一次",
        "驻政〔2024〕6号",
        "关于印发管理办法的通知",
        "组 长：何 冬 市政府副市长",
        "经济增长6.5%左右",
        "\n",
        "\n\n",
        " ",
        "。",
        "，",
        "、",
        "会议听取了招商局关于情况汇报。",
        "第一条 ",
        "②7",
        "**",
        "\t",
        "A",
        "1.",
        "与会人员：",
        "张三 局长",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_pieces, max_size=60).map("".join))
def test_pipeline_never_fails_and_spans_stay_inside_the_input(text: str) -> None:
    data = extraction_json(run_text(text))
    n = len(text)
    for doc in data["documents"]:
        s, e = doc["span"]
        assert 0 <= s <= e <= n
        for key in ("tasks", "targets", "amounts"):
            for item in doc[key]:
                s, e = item["span"]
                assert 0 <= s < e <= n


def test_empty_and_blank_texts_give_no_documents() -> None:
    assert run_text("").documents == ()
    assert run_text("\n \n\u3000\n").documents == ()
