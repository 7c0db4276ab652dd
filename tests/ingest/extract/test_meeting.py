"""The meeting a document reports: date, chair, attendees."""

from __future__ import annotations

import datetime as dt

from duban.ingest.extract.meeting import extract_meeting
from duban.ingest.types import DocHeader, DocView, Meeting, Span


def view_of(text: str, doc_type: str = "news", year: int | None = 2026) -> DocView:
    return DocView(text, Span(0, len(text)), 0, DocHeader(doc_type=doc_type), year)


def meeting(text: str, doc_type: str = "news", year: int | None = 2026) -> Meeting | None:
    return extract_meeting(view_of(text, doc_type, year))


MINUTES = """中共某某高新技术产业开发区工作委员会会议纪要
2026年4月17日上午，市人大常委会副主任、高新区党工委书记、管委会主任张卫东同志主持召开区党工委（扩大）会议，区领导班子成员出席会议，党政办公室及有关部门负责同志列席会议。会议进行“第一议题”学习，纪要如下：
一、集体学习
会议强调，要注重创新驱动。区党工委委员、管委会副主任王勇卫要牵头抓好落实。
与会人员：
- 张卫东 市人大常委会副主任，区党工委书记、管委会主任
- 魏俊国 区党工委书记
- 吴鹏 区管委会四级调研员
李建华 区综合执法大队党支部书记
某某开发区管委会办公室 2026年4月22日印发"""


def test_minutes_give_date_chair_and_roster_attendees() -> None:
    assert meeting(MINUTES, "minutes") == Meeting(
        dt.date(2026, 4, 17), "张卫东", ("张卫东", "魏俊国", "吴鹏", "李建华")
    )


def test_person_named_after_the_opening_is_not_an_attendee() -> None:
    found = meeting(MINUTES, "minutes")
    assert found is not None and "王勇卫" not in found.attendees


def test_date_without_a_year_takes_the_view_year() -> None:
    text = "本报讯(记者郭皓月)3月6日下午,市政协副主席、高新区党工委书记吕沛主持召开党政联席会议。高新区党工委副书记、管委会主任官卫红出席会议。"
    assert meeting(text) == Meeting(dt.date(2026, 3, 6), "吕沛", ("吕沛", "官卫红"))


def test_reporter_is_not_an_attendee() -> None:
    found = meeting("本报讯（记者王泉林通讯员刘航）2019年12月19日，开发区党委书记王文峰主持召开党委会议。")
    assert found == Meeting(dt.date(2019, 12, 19), "王文峰", ("王文峰",))


def test_speaking_at_a_meeting_is_attending_not_chairing() -> None:
    text = (
        "本报讯3月3日上午,高新区召开全区大气污染防治工作推进会。"
        "市政协副主席、高新区党工委书记吕沛出席会议并讲话,党工委副书记、管委会主任官卫红参加会议。"
        "会议指出,要精准科学治污。"
    )
    assert meeting(text) == Meeting(dt.date(2026, 3, 3), None, ("吕沛", "官卫红"))


def test_leading_a_delegation_is_attendance_not_chair() -> None:
    text = (
        "本报讯2月11日上午，洛阳高新区管委会考察组在党工委委员、管委会副主任王晓红的带领下，来到郑州高新区。"
        "2月12日下午，区党工委委员、管委会副主任王德敏会见考察组一行，有关负责人参加交流座谈。"
    )
    found = meeting(text, year=2022)
    assert found is not None
    assert found.chair is None
    assert set(found.attendees) == {"王晓红", "王德敏"}


def test_two_dates_and_an_undated_meeting_sentence_give_no_date() -> None:
    text = (
        "本报讯2月11日上午，考察组在管委会副主任王晓红的带领下来到郑州。"
        "2月12日下午，考察组来到郑州。区党工委委员、管委会副主任王德敏会见考察组一行。"
    )
    found = meeting(text, year=2022)
    assert found is not None and found.date is None


def test_leader_visiting_and_hearing_a_report_chairs_it() -> None:
    text = "本报讯2月8日，高新区党工委委员、管委会副主任杜怀锋到区市场监管局调研，听取相关工作汇报，并提出工作要求。"
    assert meeting(text, year=2022) == Meeting(dt.date(2022, 2, 8), "杜怀锋", ("杜怀锋",))


def test_two_sides_holding_talks_both_attend() -> None:
    text = "本报讯(记者付凯明)3月2日下午,高新区党工委副书记、管委会主任官卫红与某某科技有限公司副总经理王成举行工作座谈。"
    assert meeting(text) == Meeting(dt.date(2026, 3, 2), None, ("官卫红", "王成"))


def test_meeting_without_named_people() -> None:
    text = "本报讯2月8日上午，高新投控集团召开深化国企改革专题研讨会议。会议围绕如何深化改革进行了讨论。"
    assert meeting(text, year=2022) == Meeting(dt.date(2022, 2, 8), None, ())


def test_article_without_a_meeting_gives_none() -> None:
    text = "本报讯（记者王泉林）开发区扎实推进党建工作，贯彻落实全市会议精神，为高质量发展提供坚强组织保证。"
    assert meeting(text) is None


def test_inspection_tour_without_a_session_gives_none() -> None:
    text = "本报讯3月6日上午,市政协副主席、高新区党工委书记吕沛调研督导项目建设。吕沛先后来到多个项目现场。"
    assert meeting(text) is None


def test_work_report_gives_none() -> None:
    text = "政府工作报告\n——2024年2月21日在市第五届人民代表大会第二次会议上\n各位代表：现在，我代表市人民政府，向大会报告工作。"
    assert meeting(text, "work_report") is None
