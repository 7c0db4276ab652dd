"""Owners are the units that stand as a clause's subject, not every unit the clause mentions."""

from __future__ import annotations

from duban.ingest.extract.owners import Owners, find_owners


def owners_of(text: str, known: tuple[str, ...] = ()) -> Owners:
    return find_owners(text, 0, len(text), known)


def test_unit_named_after_you_is_the_owner() -> None:
    assert owners_of("由区财政局负责拨付项目资金。").owners == ("区财政局",)


def test_unit_whose_requirements_are_followed_is_not_an_owner() -> None:
    assert owners_of("按照市财政局统一要求，做好预算编制工作。").owners == ()


def test_unit_money_is_paid_to_is_not_an_owner() -> None:
    assert owners_of("同意将配套资金55万元付至市财政局。").owners == ()


def test_unit_acted_for_is_not_an_owner_but_the_actor_is() -> None:
    assert owners_of("代表区管委会与企业签订投资协议。").owners == ()
    assert owners_of("区综合执法局代表区管委会与企业签订服务合同。").owners == ("区综合执法局",)


def test_body_that_sets_up_a_group_is_not_an_owner_the_unit_that_works_is() -> None:
    text = "区党工委成立党风廉政建设工作领导小组，区纪检监察工委负责统筹推进。"
    assert owners_of(text).owners == ("区纪检监察工委",)


def test_mentions_after_the_subject_do_not_count() -> None:
    text = "会议决定，按照市财政局统一要求，由区财政局负责以单一来源方式组织采购，采购结果报市财政局备案。"
    assert owners_of(text).owners == ("区财政局",)


def test_co_subjects_joined_by_dunhao_are_all_owners_and_the_first_leads() -> None:
    found = owners_of("金桥办事处、古城街道办事处要牵头组织实施，确保拆除彻底。")
    assert found.owners == ("金桥办事处", "古城街道办事处")
    assert found.lead == "金桥办事处"


def test_units_joined_by_huitong_are_both_owners_and_neither_leads() -> None:
    found = owners_of("招商局会同财政局要进一步对照政策、认真核查。")
    assert found.owners == ("招商局", "财政局")
    assert found.lead is None


def test_unit_named_before_qiantou_leads_and_the_supporting_unit_is_also_an_owner() -> None:
    found = owners_of("区招商投资发展局牵头，区财政局配合，制定招商奖励政策。")
    assert found.owners == ("区招商投资发展局", "区财政局")
    assert found.lead == "区招商投资发展局"


def test_each_clause_can_have_its_own_subject() -> None:
    text = "会议决定，由区财政局安排资金50万元，区住房和城乡建设局负责组织实施。"
    assert owners_of(text).owners == ("区财政局", "区住房和城乡建设局")


def test_meeting_told_unit_is_an_owner() -> None:
    assert owners_of("会议要求区教育局要做好校园安全工作。").owners == ("区教育局",)


def test_clause_without_a_unit_has_no_owner() -> None:
    assert owners_of("一是要加强监管，压实责任。") == Owners((), None)


def test_verb_phrase_ending_in_a_unit_suffix_is_not_an_owner() -> None:
    assert owners_of("要树牢降本增效意识，帮助园区企业解决实际困难。").owners == ()


def test_known_unit_without_a_unit_suffix_is_found_through_the_registry() -> None:
    text = "高新投控要加快推进项目建设。"
    assert owners_of(text).owners == ()
    assert owners_of(text, known=("高新投控",)).owners == ("高新投控",)


def test_owners_are_searched_only_inside_the_window() -> None:
    text = "区财政局负责资金保障。区审计局负责审计监督。"
    start = text.index("区审计局")
    assert find_owners(text, start, len(text)).owners == ("区审计局",)
