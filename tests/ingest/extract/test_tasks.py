"""Tasks: one per actionable clause, with its kind, owners, lead, period, rhythm and money."""

from __future__ import annotations

import datetime as dt

from duban.ingest.extract.tasks import enumerated_items, extract_tasks
from duban.ingest.extract.units import UnitRegistry
from duban.ingest.pipeline import parse
from duban.ingest.segment import segment
from duban.ingest.types import CleanText, DocView, RawText, Source, Task

D = dt.date


def views(text: str) -> list[DocView]:
    """Segment and parse already-clean text the way the pipeline does."""
    raw = RawText(source=Source("t.txt", text.encode("utf-8")), text=text, reader="test")
    clean = CleanText(raw=raw, text=text, raw_index=tuple(range(len(text))))
    return [doc.view for doc in parse(segment(clean))]


def tasks_of(text: str, registry: UnitRegistry | None = None) -> list[Task]:
    [view] = views(text)
    return extract_tasks(view, registry or UnitRegistry())


def starting(tasks: list[Task], head: str) -> Task:
    [task] = [t for t in tasks if t.text.startswith(head)]
    return task


MINUTES = (
    "高新区管委会主任办公会议纪要\n"
    "高新管纪〔2025〕9号\n"
    "2025年5月20日上午，区管委会主任李明主持召开2025年第5次主任办公会议，研究城区道路维修、招商引资和安全生产等工作。"
    "纪要如下：\n"
    "一、关于城区道路维修有关问题\n"
    "会议听取了住房和城乡建设局关于城区道路维修工作有关情况汇报。会议决定，（一）同意实施金山路、银河大道等5条道路维修工程，"
    "所需资金共320万元，按程序审签支付。（二）工程监理服务，由区财政局负责组织采购，服务期按2年（2025年7月至2027年6月）。"
    "（三）要加快推进施工图设计，确保6月底前开工建设。\n"
    "二、关于招商引资奖励资金兑现有关问题\n"
    "会议听取了招商投资发展局关于2025年一季度招商引资奖励资金兑现有关情况汇报。会议决定，同意兑现3家企业招商引资奖励资金"
    "共计86.5万元。会议要求，招商投资发展局要严格审核企业申报材料，确保奖励资金年底前足额拨付到位。\n"
    "三、关于安全生产工作有关问题\n"
    "会议听取了综合执法局关于安全生产大排查大整治工作有关情况汇报。会议强调，安全生产责任重于泰山，"
    "必须时刻绷紧安全生产这根弦，坚决守住安全底线。会议要求，（一）开展化工企业安全隐患专项排查，一季度完成全覆盖。"
    "（二）加强对金桥办事处、古城街道办事处属地巡查工作的督导。\n"
    "出席：李明 王强 张伟 刘洋\n"
    "列席：区财政局 区住房和城乡建设局 区招商投资发展局 区综合执法局"
)


def test_minutes_yield_one_task_per_numbered_clause_and_per_unnumbered_block() -> None:
    heads = [
        "（一）同意实施",
        "（二）工程监理",
        "（三）要加快",
        "同意兑现",
        "招商投资发展局要",
        "（一）开展化工",
        "（二）加强对",
    ]
    tasks = tasks_of(MINUTES)
    assert [t.text[: len(h)] for t, h in zip(tasks, heads, strict=False)] == heads
    assert len(tasks) == len(heads)


def test_task_span_reads_as_its_text() -> None:
    for task in tasks_of(MINUTES):
        assert MINUTES[task.span.start : task.span.end] == task.text


def test_clauses_under_huiyi_jueding_are_decisions_and_under_huiyi_yaoqiu_requirements() -> None:
    tasks = tasks_of(MINUTES)
    assert starting(tasks, "（一）同意实施").kind == "decision"
    assert starting(tasks, "同意兑现").kind == "decision"
    assert starting(tasks, "招商投资发展局要").kind == "requirement"
    assert starting(tasks, "（一）开展化工").kind == "requirement"


def test_clause_without_a_unit_is_owned_by_the_unit_that_reported_the_item() -> None:
    tasks = tasks_of(MINUTES)
    assert starting(tasks, "（一）同意实施").owners == ("住房和城乡建设局",)
    assert starting(tasks, "（三）要加快").owners == ("住房和城乡建设局",)
    assert starting(tasks, "同意兑现").owners == ("招商投资发展局",)
    assert starting(tasks, "（一）开展化工").owners == ("综合执法局",)


def test_unit_named_in_the_clause_overrides_the_reporting_unit() -> None:
    assert starting(tasks_of(MINUTES), "（二）工程监理").owners == ("区财政局",)


def test_units_merely_mentioned_do_not_override_the_reporting_unit() -> None:
    assert starting(tasks_of(MINUTES), "（二）加强对金桥").owners == ("综合执法局",)


def test_amount_decided_is_the_total_after_gong() -> None:
    tasks = tasks_of(MINUTES)
    assert starting(tasks, "（一）同意实施").amount_yuan == 3_200_000
    assert starting(tasks, "同意兑现").amount_yuan == 865_000
    assert starting(tasks, "（三）要加快").amount_yuan is None


def test_service_period_gives_start_and_deadline() -> None:
    task = starting(tasks_of(MINUTES), "（二）工程监理")
    assert (task.start, task.deadline) == (D(2025, 7, 1), D(2027, 6, 30))


def test_deadlines_take_the_year_of_the_meeting() -> None:
    tasks = tasks_of(MINUTES)
    assert starting(tasks, "（三）要加快").deadline == D(2025, 6, 30)
    assert starting(tasks, "招商投资发展局要").deadline == D(2025, 12, 31)
    assert starting(tasks, "（一）开展化工").deadline == D(2025, 3, 31)


def test_huiyi_qiangdiao_without_a_unit_told_to_act_is_no_task() -> None:
    assert not any("泰山" in t.text for t in tasks_of(MINUTES))


def test_huiyi_qiangdiao_that_tells_a_unit_to_act_is_a_requirement_from_that_sentence() -> None:
    text = (
        "区管委会会议纪要\n"
        "2025年6月3日上午，区管委会主任李明主持召开会议，研究防汛工作。纪要如下：\n"
        "一、关于防汛工作有关问题\n"
        "会议听取了综合执法局关于防汛准备工作有关情况汇报。会议强调，防汛工作事关群众生命财产安全。"
        "区农业农村局要加强河道巡查，确保安全度汛。"
    )
    [task] = tasks_of(text)
    assert task.text == "区农业农村局要加强河道巡查，确保安全度汛。"
    assert task.kind == "requirement"
    assert task.owners == ("区农业农村局",)


def test_units_right_after_the_clause_number_own_the_clause() -> None:
    text = MINUTES.replace(
        "（二）加强对金桥办事处、古城街道办事处属地巡查工作的督导。",
        "（二）金桥办事处、古城街道办事处要落实属地管理责任。",
    )
    task = starting(tasks_of(text), "（二）金桥")
    assert task.owners == ("金桥办事处", "古城街道办事处")


def test_unit_after_you_owns_a_clause_that_opens_with_its_topic() -> None:
    text = MINUTES.replace("工程监理服务，由区财政局负责", "工程监理服务由区财政局负责")
    assert starting(tasks_of(text), "（二）工程监理").owners == ("区财政局",)


# ---------------------------------------------------------------- reports of inspections and meetings

INSPECTION = (
    "区领导到区教育局调研指导工作\n"
    "本报讯 4月8日上午，区党工委委员、管委会副主任刘洋到区教育局调研指导工作，听取该局2025年重点工作情况汇报。\n"
    "刘洋要求：一是要抓好校园安全，常态化开展隐患排查整治；二是要加快推进第三小学建设，确保秋季如期招生；"
    "三是要加强教师队伍建设，持续提升教育教学质量。\n"
    "区教育局领导班子成员参加调研。\n"
    "记者 张明"
)


def test_leaders_requirements_yield_one_task_per_item_owned_by_the_unit_visited() -> None:
    tasks = tasks_of(INSPECTION)
    assert [t.text[:2] for t in tasks] == ["一是", "二是", "三是"]
    assert tasks[0].text == "一是要抓好校园安全，常态化开展隐患排查整治"
    assert all(t.kind == "requirement" for t in tasks)
    assert all(t.owners == ("区教育局",) for t in tasks)


def test_news_without_requirements_has_no_tasks() -> None:
    text = (
        "莲花幼儿园举办亲子活动\n"
        "本报讯 12月31日，莲花幼儿园举办“迎新春、庆元旦”亲子活动，200余名幼儿和家长参加。\n"
        "记者 张明"
    )
    assert tasks_of(text) == []


# ---------------------------------------------------------------- regulations

REGULATION = (
    "高新区安全生产工作例会制度\n"
    "第一条 为加强安全生产工作统筹调度，制定本制度。\n"
    "第二条 工作例会。区安委办每季度召开一次安全生产工作例会，通报安全生产形势，研究部署重点工作。\n"
    "第三条 各成员单位应当严格落实安全生产责任。\n"
    "第四条 执法检查。区综合执法局每月对重点企业开展一次执法检查，检查结果报区安委办。\n"
    "第五条 本制度自印发之日起施行。"
)


def test_standing_duty_with_a_rhythm_is_a_rule_with_its_recurrence() -> None:
    tasks = tasks_of(REGULATION)
    assert [(t.kind, t.owners, t.recurrence) for t in tasks] == [
        ("rule", ("区安委办",), "quarterly"),
        ("rule", ("区综合执法局",), "monthly"),
    ]
    assert tasks[0].text == "区安委办每季度召开一次安全生产工作例会，通报安全生产形势，研究部署重点工作。"


def test_standing_duty_whose_unit_follows_the_article_number_is_a_rule() -> None:
    text = REGULATION.replace("第二条 工作例会。区安委办", "第二条 区安委办")
    assert [t.owners for t in tasks_of(text)][:1] == [("区安委办",)]


# ---------------------------------------------------------------- plans

PLAN = (
    "高新区2025年优化营商环境重点任务分工方案\n"
    "为持续优化营商环境，现将重点任务分工如下：\n"
    "序号\t工作任务\t牵头单位\t责任单位\t完成时限\n"
    "1\t建立企业诉求快速响应机制，实现企业诉求限时办结\t区党政办公室\t区招商投资发展局、区财政局\t2025年6月底前\n"
    "2\t推行工程建设项目审批告知承诺制\t区住房和城乡建设局\t区自然资源和规划分局\t2025年9月30日前\n"
    "3\t开展涉企收费专项清理\t区财政局\t区市场监管分局、区税务局\t2025年12月底前\n"
    "各责任单位要按照时限要求抓好落实。"
)


def test_task_table_yields_one_task_per_row_with_lead_owners_and_deadline() -> None:
    tasks = tasks_of(PLAN)
    assert [t.text for t in tasks] == [
        "建立企业诉求快速响应机制，实现企业诉求限时办结",
        "推行工程建设项目审批告知承诺制",
        "开展涉企收费专项清理",
    ]
    assert [t.lead for t in tasks] == ["区党政办公室", "区住房和城乡建设局", "区财政局"]
    assert tasks[0].owners == ("区党政办公室", "区招商投资发展局", "区财政局")
    assert tasks[2].owners == ("区财政局", "区市场监管分局", "区税务局")
    assert [t.deadline for t in tasks] == [D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 31)]


def test_table_task_span_is_its_task_cell() -> None:
    for task in tasks_of(PLAN):
        assert PLAN[task.span.start : task.span.end] == task.text


def test_task_table_headed_zhongdian_gongzuo_is_recognised() -> None:
    text = PLAN.replace("序号\t工作任务\t牵头单位", "序号\t重点工作\t牵头单位")
    assert len(tasks_of(text)) == 3


def test_leader_column_of_a_task_table_names_no_unit() -> None:
    text = (
        "高新区2025年优化营商环境重点任务分工方案\n"
        "为持续优化营商环境，现将重点任务分工如下：\n"
        "序号\t工作任务\t牵头领导\t牵头单位\t责任单位\t完成时限\n"
        "1\t开展涉企收费专项清理\t李明\t区财政局\t区市场监管分局、区税务局\t2025年12月底前\n"
        "各责任单位要按照时限要求抓好落实。"
    )
    [task] = tasks_of(text)
    assert task.lead == "区财政局"
    assert task.owners == ("区财政局", "区市场监管分局", "区税务局")


# ---------------------------------------------------------------- enumerations


def test_enumerated_items_run_from_marker_to_marker() -> None:
    text = "会议决定，（一）同意实施。（二）由区财政局负责。（三）按程序支付。"
    spans = enumerated_items(text, 0, len(text))
    assert [text[s.start : s.end] for s in spans] == [
        "（一）同意实施。",
        "（二）由区财政局负责。",
        "（三）按程序支付。",
    ]


def test_a_single_marker_is_no_enumeration() -> None:
    text = "会议要求，一是要加强监管。"
    assert enumerated_items(text, 0, len(text)) == []
