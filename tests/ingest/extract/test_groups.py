"""Leading groups and task forces: roster blocks and the sentences that set them up."""

from __future__ import annotations

from duban.ingest.extract.groups import extract_groups
from duban.ingest.types import DocHeader, DocView, Group, GroupMember, Span


def view_of(text: str) -> DocView:
    return DocView(text=text, span=Span(0, len(text)), body_start=0, header=DocHeader(), year=2024)


def groups(text: str) -> list[Group]:
    return extract_groups(view_of(text))


def pairs(group: Group) -> list[tuple[str, str]]:
    return [(m.role, m.name) for m in group.members]


NOTICE = """市政府决定成立驻马店市气象高质量发展工作领导小组，现通知如下：
一、领导小组成员
组长：何冬 市政府副市长
副组长：李战军 市政府副秘书长
吴骞 市气象局局长
成员：季方 市委宣传部四级调研员
曹恒轩 市委网信办四级调研员
宋新意 国家金融监督管理总局驻马店监管分局副局长
领导小组下设办公室，办公室设在市气象局，办公室主任由市气象局局长担任。"""


def test_roster_block_gives_roles_names_and_titles() -> None:
    [group] = groups(NOTICE)
    assert group.members == (
        GroupMember("组长", "何冬", "市政府副市长"),
        GroupMember("副组长", "李战军", "市政府副秘书长"),
        GroupMember("副组长", "吴骞", "市气象局局长"),
        GroupMember("成员", "季方", "市委宣传部四级调研员"),
        GroupMember("成员", "曹恒轩", "市委网信办四级调研员"),
        GroupMember("成员", "宋新意", "国家金融监督管理总局驻马店监管分局副局长"),
    )


def test_roster_takes_the_name_of_the_group_set_up_before_it() -> None:
    [group] = groups(NOTICE)
    assert group.name == "驻马店市气象高质量发展工作领导小组"
    assert NOTICE[group.span.start : group.span.end] == group.name


def test_sentence_with_a_leader_and_member_units() -> None:
    text = (
        "（二）为加强资金管理，管委会成立项目工作专班协同推进，由魏俊国同志任组长，"
        "综合执法局、财政金融局、党政办、纪检监察工委等部门为成员单位，负责项目建设的日常监督管理工作。"
    )
    [group] = groups(text)
    assert group.name == "项目工作专班"
    assert pairs(group) == [
        ("组长", "魏俊国"),
        ("成员单位", "综合执法局"),
        ("成员单位", "财政金融局"),
        ("成员单位", "党政办"),
        ("成员单位", "纪检监察工委"),
    ]


def test_group_name_drops_the_owning_body_and_the_verb() -> None:
    [group] = groups(
        "会议要求，区党工委成立专项整治工作领导小组，由魏俊国同志任组长，区纪检监察工委负责统筹推进。"
    )
    assert group.name == "专项整治工作领导小组"
    assert pairs(group) == [("组长", "魏俊国")]


def test_group_set_up_without_members() -> None:
    [group] = groups("会议要求，一要成立高新投控集团深化改革工作专班，建立工作机制；二要统筹谋划改革。")
    assert (group.name, group.members) == ("高新投控集团深化改革工作专班", ())


def test_leaders_with_titles_and_several_deputies() -> None:
    text = "成立县乡村振兴工作领导小组，由县委书记李明同志任组长，县长王强、副县长赵刚同志任副组长。"
    [group] = groups(text)
    assert group.members == (
        GroupMember("组长", "李明", "县委书记"),
        GroupMember("副组长", "王强", "县长"),
        GroupMember("副组长", "赵刚", "副县长"),
    )


def test_leader_named_after_the_role() -> None:
    text = "成立县城市更新工作指挥部，指挥长由县长王强同志担任，副指挥长由副县长赵刚同志担任。"
    assert pairs(groups(text)[0]) == [("指挥长", "王强"), ("副指挥长", "赵刚")]


def test_defining_clause_is_not_part_of_the_name() -> None:
    text = "决定成立以市长为组长、分管副市长为副组长的全市创建国家卫生城市工作领导小组。"
    assert [g.name for g in groups(text)] == ["全市创建国家卫生城市工作领导小组"]


def test_meeting_of_a_group_is_not_a_group() -> None:
    assert groups("高新区党工委党的建设工作领导小组扩大会议召开。领导小组成员单位负责人参加会议。") == []


def test_generic_group_mention_is_ignored() -> None:
    assert groups("各县区要成立相应的领导小组，并设立工作专班。") == []


def test_glued_titles_and_several_members_on_one_label_line() -> None:
    text = "关于成立市创建工作领导小组的通知\n组长：市委副书记、市长李强\n成员：市发改委主任孙立志、市财政局局长郑刚"
    [group] = groups(text)
    assert group.name == "市创建工作领导小组"
    assert group.members == (
        GroupMember("组长", "李强", "市委副书记，市长"),
        GroupMember("成员", "孙立志", "市发改委主任"),
        GroupMember("成员", "郑刚", "市财政局局长"),
    )


def test_member_units_under_a_label() -> None:
    text = "成立县防汛抗旱指挥部\n指挥长：王勇 县长\n成员单位：县发改委、县财政局、县水利局"
    assert pairs(groups(text)[0]) == [
        ("指挥长", "王勇"),
        ("成员单位", "县发改委"),
        ("成员单位", "县财政局"),
        ("成员单位", "县水利局"),
    ]


def test_attendance_roster_is_not_a_group() -> None:
    assert groups("与会人员：\n- 张卫东 市人大常委会副主任\n- 魏俊国 区党工委书记") == []


def test_vague_member_units_are_not_listed() -> None:
    text = "成立县安全生产工作领导小组，由县长王强同志任组长，县应急管理局、各有关部门为成员单位。"
    assert pairs(groups(text)[0]) == [("组长", "王强"), ("成员单位", "县应急管理局")]
