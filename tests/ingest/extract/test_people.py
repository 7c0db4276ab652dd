"""People and their titles: roster lines, bylines, title chains in running text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from duban.ingest.extract.people import extract_people, is_name
from duban.ingest.types import DocHeader, DocView, Person, Span


def view_of(text: str, start: int = 0, end: int | None = None) -> DocView:
    end = len(text) if end is None else end
    return DocView(text=text, span=Span(start, end), body_start=start, header=DocHeader(), year=2026)


def people(text: str) -> dict[str, list[str]]:
    return {p.name: list(p.titles) for p in extract_people(view_of(text))}


# ---------------------------------------------------------------- roster lines


def test_roster_line_gives_name_and_titles_split_at_commas() -> None:
    text = "与会人员：\n- 张卫东 市人大常委会副主任，区党工委书记、管委会主任\n- 臧俊杰 区管委会四级调研员、城建办主任"
    assert people(text) == {
        "张卫东": ["市人大常委会副主任", "区党工委书记", "管委会主任"],
        "臧俊杰": ["区管委会四级调研员", "城建办主任"],
    }


def test_roster_line_after_a_role_label_drops_the_label() -> None:
    text = "组长：何冬 市政府副市长\n副组长：李战军 市政府副秘书长\n吴骞 市气象局局长"
    assert people(text) == {"何冬": ["市政府副市长"], "李战军": ["市政府副秘书长"], "吴骞": ["市气象局局长"]}


def test_roster_span_covers_the_name_only() -> None:
    text = "- 李海涛 区综合执法局局长"
    [person] = extract_people(view_of(text))
    assert text[person.span.start : person.span.end] == "李海涛"


def test_bracketed_title_in_a_roster_line() -> None:
    assert people("组长：李强（市长）") == {"李强": ["市长"]}


def test_signature_line_with_title_before_name() -> None:
    assert people("驻马店市人民政府市长 李跃勇") == {"李跃勇": ["驻马店市人民政府市长"]}


def test_unit_line_with_a_duty_is_not_a_roster_entry() -> None:
    assert people("督查室 负责跟踪督办\n财政局 做好资金保障") == {}


@given(
    st.lists(
        st.tuples(
            st.sampled_from("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"),
            st.text(alphabet="伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚", min_size=1, max_size=2),
            st.sampled_from(["市财政局局长", "区管委会四级调研员", "市委宣传部副部长", "县供电公司副总经理"]),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0] + t[1],
    )
)
def test_every_roster_line_yields_its_person(rows: list[tuple[str, str, str]]) -> None:
    text = "成员：" + "\n".join(f"{s}{g} {t}" for s, g, t in rows)
    found = extract_people(view_of(text))
    assert [(p.name, p.titles) for p in found] == [(s + g, (t,)) for s, g, t in rows]
    assert all(text[p.span.start : p.span.end] == p.name for p in found)


# ---------------------------------------------------------------- running text


def test_title_chain_before_name_in_running_text() -> None:
    text = "2026年4月17日上午，市人大常委会副主任、高新区党工委书记、管委会主任张卫东同志主持召开会议。"
    assert people(text) == {"张卫东": ["市人大常委会副主任", "高新区党工委书记", "管委会主任"]}


def test_title_chain_stops_at_the_preposition_before_it() -> None:
    text = "洛阳高新区管委会考察组在党工委委员、管委会副主任王晓红的带领下，来到郑州高新区。"
    assert people(text) == {"王晓红": ["党工委委员", "管委会副主任"]}


def test_bracketed_part_of_a_unit_stays_in_the_title() -> None:
    text = "本报讯(记者郭皓月)3月6日下午,市政协副主席、高新区(示范区)党工委书记吕沛主持召开党政联席会议。"
    assert people(text)["吕沛"] == ["市政协副主席", "高新区(示范区)党工委书记"]


def test_each_name_in_a_list_gets_its_own_titles() -> None:
    text = "开发区管委会主任刘涛、区管委会副主任李鹏、区纪委书记杨建国、区副处级调研员王静等出席会议。"
    assert people(text) == {
        "刘涛": ["开发区管委会主任"],
        "李鹏": ["区管委会副主任"],
        "杨建国": ["区纪委书记"],
        "王静": ["区副处级调研员"],
    }


def test_names_listed_after_leaders_are_people_without_titles() -> None:
    text = "开发区领导刘涛、谷静、于杰及太昊路公安分局政委刘振国等出席会议。"
    assert people(text) == {"刘涛": [], "谷静": [], "于杰": [], "刘振国": ["太昊路公安分局政委"]}


def test_tongzhi_after_a_name_is_not_part_of_it() -> None:
    text = "管委会成立项目工作专班协同推进，由魏俊国同志任组长。"
    assert people(text) == {"魏俊国": []}


def test_group_role_is_not_a_title() -> None:
    assert people("由县委副书记、县长王强同志任组长。") == {"王强": ["县委副书记", "县长"]}


def test_appointment_gives_the_title_written_after_the_name() -> None:
    text = "任命张三同志为市发展和改革委员会主任；免去李四同志的市财政局局长职务。"
    assert people(text) == {"张三": ["市发展和改革委员会主任"], "李四": ["市财政局局长"]}


def test_name_the_tagger_reads_as_a_word_is_recovered_after_a_title() -> None:
    assert people("会议由区委副书记高峰主持。") == {"高峰": ["区委副书记"]}


def test_words_after_a_post_are_not_names() -> None:
    assert people("书记处工作要点经研究通过，主任办公会议研究了区长热线办理情况。") == {}


def test_bare_names_the_tagger_finds_are_not_people() -> None:
    # LAC tags road and plant names as PER; without a title or 同志 they are not people.
    text = "在文博路、扬清路和明仁水源地等项目建设现场，有关单位汇报了进展。"
    assert people(text) == {}


def test_repeated_mentions_merge_titles_and_keep_the_first_span() -> None:
    text = (
        "3月3日上午，高新区(示范区)党工委副书记、管委会主任官卫红出席会议。\n"
        "3月4日，党工委副书记、管委会主任官卫红到企业调研。\n"
        "- 官卫红 市政府党组成员"
    )
    [person] = extract_people(view_of(text))
    assert person == Person(
        "官卫红",
        ("高新区(示范区)党工委副书记", "管委会主任", "党工委副书记", "市政府党组成员"),
        Span(text.index("官卫红"), text.index("官卫红") + 3),
    )


def test_search_stays_inside_the_document() -> None:
    first = "县委书记李明主持召开常委会会议。\n"
    second = "县长王强出席会议。"
    text = first + second
    found = extract_people(view_of(text, len(first), len(text)))
    assert [p.name for p in found] == ["王强"]
    assert found[0].span.start == text.index("王强")


# ---------------------------------------------------------------- bylines


def test_byline_gives_reporter_and_correspondent() -> None:
    text = "本报讯（记者 王泉林 通讯员 刘航）开发区扎实推进党建工作。"
    assert people(text) == {"王泉林": ["记者"], "刘航": ["通讯员"]}


def test_glued_byline_line_is_split_at_the_roles() -> None:
    assert people("记者孙庆辉通讯员王逍遥") == {"孙庆辉": ["记者"], "王逍遥": ["通讯员"]}


def test_photo_credit_is_not_part_of_the_name() -> None:
    assert people("记者王泉林通讯员曹文娟摄\n记者孙庆辉文/图") == {
        "王泉林": ["记者"],
        "曹文娟": ["通讯员"],
        "孙庆辉": ["记者"],
    }


def test_reporter_in_running_text_is_not_a_byline() -> None:
    assert people("记者从市财政局获悉，全年预算执行良好。\n通讯员培训班") == {}


# ---------------------------------------------------------------- name shape


def test_name_shape_is_surname_and_one_or_two_characters() -> None:
    assert is_name("吴鹏") and is_name("欧阳明辉") and is_name("张卫东")
    assert not is_name("张") and not is_name("张卫东明") and not is_name("财政局")
