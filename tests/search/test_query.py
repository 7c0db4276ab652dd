"""Searching the index on both databases: Chinese queries of every length, mixed scripts, filters,
permissions, ranking, highlights, paging and the pool cap."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from duban import clock
from duban.db.models import OwnerRole, Person, PersonTitle, ProgressReport
from duban.db.models.search import SearchKind
from duban.db.session import read_session, write_session
from duban.search import query as search_query
from duban.search.index import index_person, index_report, index_tasks, reindex_all
from duban.search.query import Filters, SearchResult, search
from duban.workflow.principal import Principal
from tests.personas import World, add_task
from tests.search.rows import add_document


def add_indexed_task(s: Session, text: str, *units: int) -> int:
    task = add_task(
        s,
        owners=[(u, OwnerRole.LEAD if i == 0 else OwnerRole.SUPPORTING) for i, u in enumerate(units)],
        text=text,
    )
    index_tasks(s, [task.id])
    return task.id


def add_report(s: Session, task_id: int, unit_id: int, text: str) -> int:
    report = ProgressReport(task_id=task_id, unit_id=unit_id, text=text, created_at=clock.now())
    s.add(report)
    s.flush()
    index_report(s, report.id)
    return report.id


def find(engine: Engine, who: Principal, q: str, **filters: object) -> SearchResult:
    with read_session(engine) as s:
        return search(s, who, q, Filters(**filters))  # type: ignore[arg-type]


def ids(result: SearchResult) -> list[tuple[str, int]]:
    return [(h.kind.value, h.id) for h in result.hits]


@pytest.fixture
def corpus(engine: Engine, world: World) -> dict[str, int]:
    with write_session(engine) as s:
        return {
            "finance_doc": add_document(
                s,
                "关于加强财政资金管理的通知",
                "各单位：为规范财政资金使用，现就有关事项通知如下。",
                dt.date(2026, 3, 2),
            ),
            "road_doc": add_document(
                s, "城区道路提升改造方案", "推进5G网络和道路同步建设，经济增长6.5%左右。", dt.date(2025, 7, 1)
            ),
            "finance_task": add_indexed_task(s, "区财政局负责落实专项资金拨付工作。", world.unit_a),
            "road_task": add_indexed_task(s, "区住建局负责城区道路修缮，完成5G基站建设。", world.unit_b),
        }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("财政", {"finance_doc", "finance_task"}),  # 2 characters
        ("财政局", {"finance_task"}),  # 3
        ("财政资金", {"finance_doc"}),  # 4
        ("专项资金拨付", {"finance_task"}),
        ("5G", {"road_doc", "road_task"}),  # ASCII inside Chinese
        ("5g网络", {"road_doc"}),  # mixed, case-folded
        ("５Ｇ基站", {"road_task"}),  # full-width
        ("道路 5G", {"road_doc", "road_task"}),  # terms are ANDed
        ("6.5%", {"road_doc"}),
    ],
)
def test_chinese_and_mixed_queries_hit_exactly(
    engine: Engine, world: World, corpus: dict[str, int], q: str, expected: set[str]
) -> None:
    names = {("document" if k.endswith("doc") else "task", v): k for k, v in corpus.items()}
    assert {names[hit] for hit in ids(find(engine, world.supervisor, q))} == expected


@pytest.mark.parametrize("q", ["乡村振兴", "政资财", "财政 乡村", "4G", "资金管理办法", "道路5G"])
def test_queries_without_a_hit_find_nothing(
    engine: Engine, world: World, corpus: dict[str, int], q: str
) -> None:
    result = find(engine, world.supervisor, q)
    assert result.hits == [] and result.total == 0


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "AND",
        "NEAR(",
        '财政" OR "',
        "财政 AND",
        "(道路)",
        "'; DROP TABLE tasks; --",
        "\\",
        "^ - + :",
    ],
)
def test_hostile_input_is_never_an_error(
    engine: Engine, world: World, corpus: dict[str, int], q: str
) -> None:
    find(engine, world.supervisor, q)


def test_punctuation_between_runs_breaks_a_phrase(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        add_indexed_task(s, "完成5G，网络另行安排。", world.unit_a)
    assert find(engine, world.supervisor, "5G网络").hits == []
    assert len(find(engine, world.supervisor, "5G 网络").hits) == 1


def test_a_single_character_is_reported_as_too_short(
    engine: Engine, world: World, corpus: dict[str, int]
) -> None:
    result = find(engine, world.supervisor, "局")
    assert result.hits == [] and result.query.too_short == ("局",)


def test_a_title_hit_ranks_before_a_body_hit(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        in_body = add_document(s, "第3次会议纪要", "会议研究了防汛工作，要求各单位做好准备。")
        in_title = add_document(s, "关于做好防汛工作的通知", "各单位：请按要求落实。")
    assert ids(find(engine, world.supervisor, "防汛")) == [("document", in_title), ("document", in_body)]


def test_snippet_highlights_every_hit_on_the_original_text(engine: Engine, world: World) -> None:
    text = "前言" * 40 + "会议决定由区财政局拨付专项资金，\n专项资金用于5G网络。" + "后记" * 60
    with write_session(engine) as s:
        add_document(s, "纪要", text)
    [hit] = find(engine, world.leader, "专项资金 5g网络").hits
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…") and "\n" not in hit.snippet
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["专项资金", "专项资金", "5G网络"]
    assert len(hit.snippet) <= 122


def test_title_highlights_point_into_the_title(engine: Engine, world: World, corpus: dict[str, int]) -> None:
    [hit] = find(engine, world.supervisor, "财政资金").hits
    assert [hit.title[a:b] for a, b in hit.title_highlights] == ["财政资金"]
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["财政资金"]


def test_filters_by_type_unit_and_date(engine: Engine, world: World, corpus: dict[str, int]) -> None:
    everyone = world.supervisor
    assert ids(find(engine, everyone, "财政", kinds=frozenset({SearchKind.TASK}))) == [
        ("task", corpus["finance_task"])
    ]
    assert ids(find(engine, everyone, "5G", unit_id=world.unit_b)) == [("task", corpus["road_task"])]
    dated = find(engine, everyone, "5G", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    assert ids(dated) == [("document", corpus["road_doc"])]
    # Totals count every type (for the tabs) even when one type is shown.
    result = find(engine, everyone, "财政", kinds=frozenset({SearchKind.TASK}))
    assert result.totals == {
        SearchKind.DOCUMENT: 1,
        SearchKind.TASK: 1,
        SearchKind.REPORT: 0,
        SearchKind.PERSON: 0,
    }
    assert result.total == 1


def test_unit_users_find_only_their_units_tasks_and_reports(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        mine = add_indexed_task(s, "区财政局负责道路资金拨付。", world.unit_a)
        theirs = add_indexed_task(s, "区住建局负责道路修缮。", world.unit_b)
        my_report = add_report(s, mine, world.unit_a, "道路资金已拨付一半。")
        their_report = add_report(s, theirs, world.unit_b, "道路修缮已完成三成。")
        add_document(s, "道路建设通知", "道路")
    unit_a = find(engine, world.unit_a_user, "道路")
    assert sorted(ids(unit_a)) == [("report", my_report), ("task", mine)]
    assert set(unit_a.totals) == {SearchKind.TASK, SearchKind.REPORT, SearchKind.PERSON}
    assert sorted(ids(find(engine, world.unit_b_user, "道路"))) == [
        ("report", their_report),
        ("task", theirs),
    ]
    everything = {kind for kind, _ in ids(find(engine, world.supervisor, "道路"))}
    assert everything == {"document", "task", "report"}
    assert ids(find(engine, world.unit_c_user, "道路")) == []


def test_a_report_hit_knows_its_task(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task = add_indexed_task(s, "完成老旧小区改造。", world.unit_a)
        report = add_report(s, task, world.unit_a, "已完成外墙保温施工。")
    [hit] = find(engine, world.unit_a_user, "外墙保温").hits
    assert (hit.kind, hit.id, hit.task_id, hit.title) == (SearchKind.REPORT, report, task, "区财政局进展反馈")


def test_people_are_found_by_name_and_title(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        person = Person(name="张明华", created_at=clock.now())
        s.add(person)
        s.flush()
        s.add(PersonTitle(person_id=person.id, title="区财政局局长"))
        s.flush()
        index_person(s, person.id)
    assert ids(find(engine, world.unit_b_user, "张明")) == [("person", person.id)]
    assert ids(find(engine, world.unit_b_user, "局长")) == [("person", person.id)]


def test_pages_follow_the_ranking_and_caps_bound_totals_and_ranking(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with write_session(engine) as s:
        for n in range(7):
            add_indexed_task(s, f"第{n}项安全生产检查。", world.unit_a)
    with read_session(engine) as s:
        first = search(s, world.supervisor, "安全生产", limit=5)
        second = search(s, world.supervisor, "安全生产", offset=5, limit=5)
    assert len(first.hits) == 5 and len(second.hits) == 2 and first.total == 7
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    monkeypatch.setattr(search_query, "COUNT_CAP", 4)
    monkeypatch.setattr(search_query, "RANK_POOL", 3)
    with read_session(engine) as s:
        capped = search(s, world.supervisor, "安全生产", limit=20)
    assert capped.totals[SearchKind.TASK] == 4 and capped.is_capped
    assert capped.ranked == 3 and len(capped.hits) == 3


def test_reindex_all_rebuilds_from_the_source_rows(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], text="推进智慧园区平台建设。")
        s.add(Person(name="李建国", created_at=clock.now()))
    assert find(engine, world.supervisor, "智慧园区").hits == []
    with write_session(engine) as s:
        counts = reindex_all(s)
    assert counts[SearchKind.TASK] == 1 and counts[SearchKind.PERSON] == 1
    assert ids(find(engine, world.supervisor, "智慧园区")) == [("task", task.id)]
    assert ids(find(engine, world.unit_a_user, "智慧园区")) == [("task", task.id)]


def test_a_long_document_matches_phrases_beyond_tsvector_limits(engine: Engine, world: World) -> None:
    # More than 16,383 tokens and a word over 256 times: PostgreSQL keeps its token text instead.
    text = "工作部署。" * 5000 + "最后要求推进乡村振兴战略。"
    with write_session(engine) as s:
        doc = add_document(s, "年度工作报告", text)
    assert ids(find(engine, world.supervisor, "乡村振兴")) == [("document", doc)]
    assert ids(find(engine, world.supervisor, "振兴乡村")) == []
    [hit] = find(engine, world.supervisor, "振兴战略 工作部署").hits
    assert hit.highlights and {hit.snippet[a:b] for a, b in hit.highlights} == {"工作部署"}


def test_a_rare_type_among_many_hits_gets_its_own_pool_and_exact_count(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with write_session(engine) as s:
        for n in range(6):
            add_document(s, f"安全生产通知{n}", "开展安全生产大检查。")
        tasks = [add_indexed_task(s, f"落实安全生产责任制{n}。", world.unit_a) for n in range(2)]
    monkeypatch.setattr(search_query, "COUNT_CAP", 3)
    with read_session(engine) as s:
        everything = search(s, world.supervisor, "安全生产")
        only_tasks = search(s, world.supervisor, "安全生产", Filters(kinds=frozenset({SearchKind.TASK})))
    assert everything.is_capped and SearchKind.TASK in everything.capped
    assert sorted(h.id for h in only_tasks.hits) == sorted(tasks)
    assert only_tasks.totals[SearchKind.TASK] == 2 and not only_tasks.is_capped
