"""Full-text search over HTTP: ranked hits with highlight ranges, totals per type, filters, visibility, 422s."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole, Person, ProgressReport
from duban.db.session import write_session
from duban.search.index import reindex_all
from tests.api.helpers import CALLERS, add_document, caller, is_problem, task_of_unit_a
from tests.personas import World, add_task
from tests.webclient import ClientFactory


def reindex(engine: Engine) -> None:
    """The helpers write rows directly; the index is rebuilt from them."""
    with write_session(engine) as session:
        reindex_all(session)


def _hits(client: object, query: str) -> list[tuple[str, int]]:
    body = client.get(f"/api/v1/search?{query}").json()  # type: ignore[attr-defined]
    return [(h["type"], h["id"]) for h in body["items"]]


def test_a_title_hit_ranks_before_a_body_hit(client_for: ClientFactory, world: World, engine: Engine) -> None:
    in_text = add_document(engine, title="第3次会议纪要", text="会议研究了防汛工作。", filename="a.txt")
    in_title = add_document(engine, title="关于做好防汛工作的通知", text="各单位：……", filename="b.txt")
    add_document(engine, title="无关", text="无关内容", filename="c.txt")
    reindex(engine)
    hits = _hits(caller(client_for, world, "supervisor"), "q=防汛&type=document")
    assert hits == [("document", in_title), ("document", in_text)]


def test_a_hit_carries_a_snippet_and_highlight_ranges(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    text = "前言" * 40 + "会议决定由区财政局拨付专项资金。" + "后记" * 60
    add_document(engine, title="纪要", text=text)
    reindex(engine)
    [hit] = caller(client_for, world, "leader").get("/api/v1/search?q=专项资金").json()["items"]
    assert hit["snippet"].startswith("…") and hit["snippet"].endswith("…")
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["专项资金"]
    assert hit["title_highlights"] == [] and hit["url"] == f"/api/v1/documents/{hit['id']}"


def test_unit_users_find_only_their_units_tasks_and_reports_and_no_documents(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    mine = task_of_unit_a(engine, world, text="区财政局负责道路资金拨付。")
    with write_session(engine) as session:
        theirs = add_task(session, owners=[(world.unit_b, OwnerRole.LEAD)], text="区住建局负责道路修缮。").id
        report = ProgressReport(
            task_id=mine, unit_id=world.unit_a, text="道路资金已拨付。", created_at=clock.now()
        )
        session.add(report)
        session.flush()
        report_id = report.id
    add_document(engine, title="道路建设通知", text="道路")
    reindex(engine)
    unit_a = caller(client_for, world, "unit_a").get("/api/v1/search?q=道路").json()
    assert sorted((h["type"], h["id"]) for h in unit_a["items"]) == [("report", report_id), ("task", mine)]
    [reported] = [h for h in unit_a["items"] if h["type"] == "report"]
    assert reported["task_id"] == mine and reported["url"] == f"/api/v1/tasks/{mine}"
    assert [t["type"] for t in unit_a["totals"]] == ["task", "report", "person"]
    everything = set(_hits(caller(client_for, world, "supervisor"), "q=道路"))
    assert {("task", mine), ("task", theirs), ("report", report_id)} <= everything
    assert any(kind == "document" for kind, _ in everything)


def test_filters_by_type_unit_and_date(client_for: ClientFactory, world: World, engine: Engine) -> None:
    mine = task_of_unit_a(engine, world, text="完成5G基站建设。")
    with write_session(engine) as session:
        add_task(session, owners=[(world.unit_b, OwnerRole.LEAD)], text="配合5G基站选址。")
    add_document(engine, title="5G规划", text="推进5G基站建设")
    reindex(engine)
    client = caller(client_for, world, "supervisor")
    assert _hits(client, f"q=5G基站&type=task&unit_id={world.unit_a}") == [("task", mine)]
    today = clock.today().isoformat()
    assert len(_hits(client, f"q=5G&date_from={today}&date_to={today}")) == 3
    assert _hits(client, "q=5G&date_to=2000-01-01") == []


def test_people_are_found_by_name(client_for: ClientFactory, world: World, engine: Engine) -> None:
    with write_session(engine) as session:
        for name in ("张明华", "李明"):
            session.add(Person(name=name, created_at=clock.now()))
    reindex(engine)
    body = caller(client_for, world, "unit_b").get("/api/v1/search?q=张明&type=person").json()
    assert [h["title"] for h in body["items"]] == ["张明华"]
    assert [hit["title_highlights"] for hit in body["items"]] == [[[0, 2]]]
    assert {t["type"]: t["total"] for t in body["totals"]}["person"] == 1


def test_a_query_without_hits_and_a_one_character_query(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    task_of_unit_a(engine, world)
    reindex(engine)
    client = caller(client_for, world, "supervisor")
    none = client.get("/api/v1/search?q=乡村振兴").json()
    assert none["items"] == [] and none["total"] == 0
    short = client.get("/api/v1/search?q=局").json()
    assert short["items"] == [] and short["too_short"] == ["局"]


def test_paging_limits_hits_but_counts_them_all(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    for n in range(5):
        task_of_unit_a(engine, world, text=f"第{n}项安全检查")
    reindex(engine)
    client = caller(client_for, world, "supervisor")
    first = client.get("/api/v1/search?q=安全检查&limit=2").json()
    rest = client.get("/api/v1/search?q=安全检查&limit=10&offset=2").json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 3 and first["total"] == 5
    assert not {h["id"] for h in first["items"]} & {h["id"] for h in rest["items"]}


@pytest.mark.parametrize(
    "query",
    ["", "q=", "q=x&type=file", "q=x&limit=0", "q=x&offset=-1", "q=x&date_from=2026-13-01", "q=x&unit_id=abc",
     "q=x&date_from=2026-05-01&date_to=2026-04-01", "q=" + "长" * 101],
)  # fmt: skip
def test_a_bad_search_is_a_422_problem(client_for: ClientFactory, world: World, query: str) -> None:
    assert is_problem(caller(client_for, world, "supervisor").get(f"/api/v1/search?{query}"), 422)


@pytest.mark.parametrize("query", ['q="', "q=*", "q=NEAR(", "q=a AND OR", "q=%27%3B--"])
def test_query_syntax_characters_are_plain_text(client_for: ClientFactory, world: World, query: str) -> None:
    assert caller(client_for, world, "supervisor").get(f"/api/v1/search?{query}").status_code == 200


@pytest.mark.parametrize("who", CALLERS)
def test_everyone_signed_in_may_search(client_for: ClientFactory, world: World, who: str) -> None:
    response = caller(client_for, world, who).get("/api/v1/search?q=财政")
    assert response.status_code == (401 if who == "anonymous" else 200)
