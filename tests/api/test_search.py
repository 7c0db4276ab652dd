"""Search over HTTP: documents, tasks and people by substring, title hits first, snippets, visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole, Person
from duban.db.session import write_session
from tests.api.helpers import CALLERS, add_document, caller, is_problem, task_of_unit_a
from tests.personas import World, add_task
from tests.webclient import ClientFactory


def _hits(client: object, query: str) -> list[tuple[str, int, str]]:
    body = client.get(f"/api/v1/search?{query}").json()  # type: ignore[attr-defined]
    return [(h["type"], h["id"], h["field"]) for h in body["items"]]


def test_a_title_hit_ranks_before_a_text_hit(client_for: ClientFactory, world: World, engine: Engine) -> None:
    in_text = add_document(engine, title="第3次会议纪要", text="会议研究了防汛工作。", filename="a.txt")
    in_title = add_document(engine, title="关于做好防汛工作的通知", text="各单位：……", filename="b.txt")
    add_document(engine, title="无关", text="无关内容", filename="c.txt")
    hits = _hits(caller(client_for, world, "supervisor"), "q=防汛&type=document")
    assert hits == [("document", in_title, "title"), ("document", in_text, "text")]


def test_a_hit_carries_a_snippet_and_where_the_match_is(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    text = "前言" * 40 + "会议决定由区财政局拨付专项资金。" + "后记" * 60
    add_document(engine, title="纪要", text=text)
    [hit] = caller(client_for, world, "leader").get("/api/v1/search?q=专项资金").json()["items"]
    assert hit["snippet"].startswith("…") and hit["snippet"].endswith("…")
    assert hit["snippet"][hit["match_start"] : hit["match_end"]] == "专项资金"
    assert len(hit["snippet"]) < 120 and hit["url"] == f"/api/v1/documents/{hit['id']}"


def test_unit_users_find_only_their_units_tasks_and_no_documents(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    mine = task_of_unit_a(engine, world, text="区财政局负责道路资金拨付。")
    with write_session(engine) as session:
        theirs = add_task(session, owners=[(world.unit_b, OwnerRole.LEAD)], text="区住建局负责道路修缮。").id
    add_document(engine, title="道路建设通知", text="道路")
    unit_a = caller(client_for, world, "unit_a").get("/api/v1/search?q=道路").json()
    assert [(h["type"], h["id"]) for h in unit_a["items"]] == [("task", mine)]
    assert [t["type"] for t in unit_a["totals"]] == ["task", "person"]
    everything = _hits(caller(client_for, world, "supervisor"), "q=道路")
    assert {(kind, id_) for kind, id_, _ in everything} >= {("task", mine), ("task", theirs)}
    assert any(kind == "document" for kind, _, _ in everything)


def test_people_are_found_by_name_exact_first(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    with write_session(engine) as session:
        for name in ("张明华", "张明"):
            session.add(Person(name=name, created_at=clock.now()))
    body = caller(client_for, world, "unit_b").get("/api/v1/search?q=张明&type=person").json()
    assert [h["title"] for h in body["items"]] == ["张明", "张明华"]
    assert body["totals"] == [{"type": "person", "type_label": "人员", "total": 2}]


def test_wildcards_in_a_query_are_literal(client_for: ClientFactory, world: World, engine: Engine) -> None:
    task_of_unit_a(engine, world, text="增长6.5%左右")
    task_of_unit_a(engine, world, text="增长6.5个百分点")
    hits = _hits(caller(client_for, world, "supervisor"), "q=6.5%25&type=task")
    assert len(hits) == 1


def test_search_limits_hits_per_kind_but_counts_them_all(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    for n in range(5):
        task_of_unit_a(engine, world, text=f"第{n}项安全检查")
    body = caller(client_for, world, "supervisor").get("/api/v1/search?q=安全检查&limit=2").json()
    assert len(body["items"]) == 2
    assert {t["type"]: t["total"] for t in body["totals"]}["task"] == 5


@pytest.mark.parametrize("query", ["", "q=", "q=x&type=file", "q=x&limit=0"])
def test_a_bad_search_is_a_422_problem(client_for: ClientFactory, world: World, query: str) -> None:
    assert is_problem(caller(client_for, world, "supervisor").get(f"/api/v1/search?{query}"), 422)


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_signed_in_may_search(client_for: ClientFactory, world: World, who: str) -> None:
    response = caller(client_for, world, who).get("/api/v1/search?q=局")
    assert response.status_code == (401 if who == "anonymous" else 200)
