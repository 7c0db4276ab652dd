"""People: the list and search, titles per document over time, meetings from extractions, tasks led."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import Document, OwnerRole, Person, PersonTitle
from duban.db.repositories.people import get_person, list_people, meetings_of
from duban.db.session import read_session, write_session
from tests.personas import World, add_task


def add_document(
    s: Session, text: str, *, title: str, day: dt.date, meeting: dict[str, Any] | None = None
) -> Document:
    document = Document(
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        source_key=f"{title}.txt",
        filename=f"{title}.txt",
        stored_path="x",
        size_bytes=len(text.encode()),
        status="parsed",
        text=text,
        title=title,
        doc_date=day,
        extraction={
            "source": f"{title}.txt",
            "documents": [{"title": title, "date": str(day), "meeting": meeting}],
        },
        created_at=clock.now(),
    )
    s.add(document)
    s.flush()
    return document


def add_person(s: Session, name: str, *titles: tuple[str, Document]) -> Person:
    person = Person(name=name, created_at=clock.now())
    s.add(person)
    s.flush()
    for title, document in titles:
        s.add(
            PersonTitle(
                person_id=person.id, title=title, document_id=document.id, observed_on=document.doc_date
            )
        )
    s.flush()
    return person


def test_titles_are_grouped_per_document_oldest_first(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        old = add_document(s, "2024年张卫东任区长。", title="旧纪要", day=dt.date(2024, 3, 1))
        new = add_document(s, "2026年张卫东任书记。", title="新纪要", day=dt.date(2026, 4, 17))
        person_id = add_person(s, "张卫东", ("高新区党工委书记", new), ("区长", old), ("管委会主任", new)).id
    with read_session(engine) as s:
        detail = get_person(s, world.supervisor, person_id)
        summary = list_people(s).rows
    assert [(t.observed_on, t.titles, t.document_title) for t in detail.titles] == [
        (dt.date(2024, 3, 1), ["区长"], "旧纪要"),
        (dt.date(2026, 4, 17), ["高新区党工委书记", "管委会主任"], "新纪要"),
    ]
    assert summary[0].latest_titles == ("高新区党工委书记", "管委会主任") and summary[0].documents == 2


def test_people_search_matches_part_of_a_name_literally(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        for name in ("张卫东", "王勇卫", "李%明"):
            add_person(s, name)
    with read_session(engine) as s:
        assert [p.name for p in list_people(s, "卫").rows] == ["张卫东", "王勇卫"]
        assert [p.name for p in list_people(s, "%").rows] == ["李%明"]


def test_meetings_come_from_extractions_with_the_persons_role(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        add_document(
            s,
            "会议由张卫东主持，王勇卫出席。",
            title="第4次会议",
            day=dt.date(2026, 4, 17),
            meeting={"date": "2026-04-17", "chair": "张卫东", "attendees": ["张卫东", "王勇卫"]},
        )
        add_document(
            s,
            "王勇卫主持会议。张卫东请假。",
            title="第5次会议",
            day=dt.date(2026, 5, 8),
            meeting={"date": "2026-05-08", "chair": "王勇卫", "attendees": ["王勇卫"]},
        )
    with read_session(engine) as s:
        zhang = meetings_of(s, "张卫东")
        wang = meetings_of(s, "王勇卫")
    assert [(m.title, m.role_label) for m in zhang] == [("第4次会议", "主持")]
    assert [(m.title, m.date, m.role_label) for m in wang] == [
        ("第5次会议", dt.date(2026, 5, 8), "主持"),
        ("第4次会议", dt.date(2026, 4, 17), "出席"),
    ]


def test_tasks_led_are_by_person_or_name_and_only_those_the_user_can_see(
    engine: Engine, world: World
) -> None:
    with write_session(engine) as s:
        person = add_person(s, "王磊")
        by_id = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], text="按人员关联")
        by_id.leader_person_id = person.id
        by_name = add_task(s, owners=[(world.unit_b, OwnerRole.LEAD)], text="按姓名关联")
        by_name.leader_name = "王磊"
        other = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], text="别人负责")
        other.leader_name = "王磊磊"
        s.flush()
        person_id = person.id
    with read_session(engine) as s:
        everything = get_person(s, world.leader, person_id)
        unit_a = get_person(s, world.unit_a_user, person_id)
    assert sorted(t.text for t in everything.tasks) == ["按人员关联", "按姓名关联"]
    assert [t.text for t in unit_a.tasks] == ["按人员关联"]
