"""The index stays fresh: every code path that writes searchable text updates it in the same transaction,
and a database upgraded to the search schema is searchable at once."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from duban import clock
from duban.config import Settings
from duban.db.migrate import upgrade
from duban.db.models import Document, OwnerRole, Person, ProgressReport, Task, UserRole
from duban.db.models.search import SearchEntry, SearchKind
from duban.db.repositories import units as unit_repo
from duban.db.scratch import create_postgres_database, drop_postgres_database
from duban.db.session import make_engine, read_session, write_session
from duban.ingest.store import ingest_file
from duban.ingest.types import Source
from duban.search.index import index_tasks
from duban.search.query import Filters, SearchResult, search
from duban.workflow import drafts, feedback, service
from duban.workflow.audit import Actor
from duban.workflow.principal import Principal
from duban.workflow.recurrence import spawn_due
from duban.workflow.service import OwnerIn, TaskChanges
from tests.conftest import DATABASES, PG_ADMIN_URL
from tests.ingest.test_store import MINUTES
from tests.personas import World, add_task


def find(engine: Engine, who: Principal, q: str, **filters: object) -> SearchResult:
    with read_session(engine) as s:
        return search(s, who, q, Filters(**filters))  # type: ignore[arg-type]


def task_ids(result: SearchResult) -> list[int]:
    return sorted(h.id for h in result.hits if h.kind is SearchKind.TASK)


def indexed_task(s: Session, text: str, unit_id: int, status: str = "in_progress") -> int:
    task = add_task(s, status=status, owners=[(unit_id, OwnerRole.LEAD)], text=text)
    index_tasks(s, [task.id])
    return task.id


def test_editing_a_task_replaces_its_words(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task = indexed_task(s, "推进老旧小区改造。", world.unit_a)
    with write_session(engine) as s:
        service.edit(s, world.supervisor, task, TaskChanges(text="推进燃气管道更新。", leader_name="王海涛"))
    assert find(engine, world.supervisor, "老旧小区").hits == []
    assert task_ids(find(engine, world.supervisor, "燃气管道")) == [task]
    assert task_ids(find(engine, world.supervisor, "王海涛")) == [task]  # the leader is in the body


def test_assigning_to_other_units_moves_the_task_between_unit_users(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task = indexed_task(s, "完成闲置土地处置。", world.unit_a, status="draft")
    assert task_ids(find(engine, world.unit_a_user, "闲置土地")) == [task]
    with write_session(engine) as s:
        service.assign(s, world.supervisor, task, TaskChanges(owners=[OwnerIn(world.unit_b, OwnerRole.LEAD)]))
    assert find(engine, world.unit_a_user, "闲置土地").hits == []
    assert task_ids(find(engine, world.unit_b_user, "闲置土地")) == [task]
    assert task_ids(find(engine, world.supervisor, "区住建局", kinds=frozenset({SearchKind.TASK}))) == [task]


def test_merge_and_split_of_drafts_are_searchable(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        doc = Document(
            sha256="a" * 64, source_key="纪要.txt", filename="纪要.txt", stored_path="x", size_bytes=1,
            status="parsed", text="", created_at=clock.now(),
        )  # fmt: skip
        s.add(doc)
        s.flush()
        first = add_task(s, owners=[(world.unit_a, OwnerRole.LEAD)], text="建设人才公寓。")
        second = add_task(s, owners=[(world.unit_b, OwnerRole.LEAD)], text="完善配套设施。")
        first.document_id = second.document_id = doc.id
        index_tasks(s, [first.id, second.id])
        kept_id, second_id = first.id, second.id
    with write_session(engine) as s:
        drafts.merge(s, world.supervisor, [kept_id, second_id])
    # The kept draft has both texts and both units; the other is cancelled but still a task.
    assert task_ids(find(engine, world.unit_b_user, "人才公寓")) == [kept_id]
    with write_session(engine) as s:
        parts = drafts.split(s, world.supervisor, kept_id, ["建设人才公寓。", "开展冷链物流调研。"])
        new_id = parts[1].id
    assert task_ids(find(engine, world.supervisor, "冷链物流")) == [new_id]
    assert task_ids(find(engine, world.supervisor, "人才公寓")) == [kept_id]


def test_a_progress_report_is_found_at_once_by_its_unit(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task = indexed_task(s, "完成河长制落实。", world.unit_a, status="in_progress")
    with write_session(engine) as s:
        report = feedback.report_progress(s, world.unit_a_user, task, "已完成河道巡查12次。").id
    [hit] = find(engine, world.unit_a_user, "河道巡查").hits
    assert (hit.kind, hit.id, hit.task_id) == (SearchKind.REPORT, report, task)
    assert find(engine, world.unit_b_user, "河道巡查").hits == []


def test_a_recurring_instance_is_indexed_when_spawned(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        template = add_task(
            s, status="assigned", owners=[(world.unit_a, OwnerRole.LEAD)], text="每季度开展一次森林防火巡查。"
        )
        template.recurrence, template.confirmed, template.deadline = "quarterly", True, dt.date(2026, 12, 31)
        index_tasks(s, [template.id])
        template_id = template.id
    with write_session(engine) as s:
        spawned = [t.id for t in spawn_due(s, dt.date(2026, 4, 2))]
    assert spawned and task_ids(find(engine, world.unit_a_user, "森林防火")) == sorted(
        [template_id, *spawned]
    )


def test_merging_units_retags_their_tasks(engine: Engine, world: World) -> None:
    with write_session(engine) as s:
        task = indexed_task(s, "做好垃圾分类推广。", world.unit_a)
    with write_session(engine) as s:
        unit_repo.merge(s, "区财政局", "区住建局", Actor("督查室"))
    assert task_ids(find(engine, world.supervisor, "垃圾分类", unit_id=world.unit_b)) == [task]
    assert find(engine, world.supervisor, "垃圾分类", unit_id=world.unit_a).hits == []


def test_index_tasks_also_makes_missing_report_entries(engine: Engine, world: World) -> None:
    """Code that writes tasks together with their reports (a ledger import) calls index_tasks only."""
    with write_session(engine) as s:
        task = add_task(
            s, status="in_progress", owners=[(world.unit_a, OwnerRole.LEAD)], text="完成电商产业园运营。"
        )
        # Added without index_report, as an import writes them.
        s.add(
            ProgressReport(
                task_id=task.id, unit_id=world.unit_a, text="入驻企业36家。", created_at=clock.now()
            )
        )
        s.flush()
        index_tasks(s, [task.id])
    [hit] = find(engine, world.unit_a_user, "入驻企业").hits
    assert hit.kind is SearchKind.REPORT and hit.task_id == task.id


def test_ingest_indexes_the_document_its_drafts_and_people_and_drops_old_versions(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "var", unit_aliases_file=None, ocr_enabled=False)
    data = MINUTES.read_bytes()
    with write_session(engine) as s:
        first = ingest_file(s, Source("纪要.txt", data), Actor("督查室"), settings)
    with read_session(engine) as s:
        task_id, task_text = s.execute(select(Task.id, Task.text).order_by(Task.id).limit(1)).one()
        person = s.scalar(select(Person.name).order_by(Person.id).limit(1))
    words = re.findall(r"[\u4e00-\u9fff]{4,}", task_text)[0][:4]
    assert task_id in task_ids(find(engine, world.supervisor, words))
    assert first.document_id in [
        h.id for h in find(engine, world.supervisor, words).hits if h.kind.value == "document"
    ]
    assert (
        person and [h.kind for h in find(engine, world.supervisor, person).hits].count(SearchKind.PERSON) == 1
    )
    with write_session(engine) as s:
        second = ingest_file(s, Source("纪要.txt", data + b"\n"), Actor("督查室"), settings)
    documents = [h.id for h in find(engine, world.supervisor, words).hits if h.kind is SearchKind.DOCUMENT]
    assert documents == [second.document_id]


# --- the migration indexes what an existing database already holds --------------------------------


@pytest.fixture(params=DATABASES)
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    try:
        engine = create_postgres_database(PG_ADMIN_URL, f"duban_test_upgrade_{os.getpid()}")
    except Exception as exc:  # no PostgreSQL here
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield engine
    drop_postgres_database(PG_ADMIN_URL, engine)


def test_upgrading_an_existing_database_indexes_its_rows(fresh_engine: Engine) -> None:
    upgrade(fresh_engine, "0003")
    now = clock.now().replace(tzinfo=None)
    with fresh_engine.begin() as conn:
        unit = conn.execute(text("INSERT INTO units (name, active, created_at) VALUES ('区财政局', true, :t) RETURNING id"), {"t": now}).scalar_one()  # fmt: skip
        task = conn.execute(
            text("INSERT INTO tasks (text, kind, status, version, confirmed, deadline_confirmed, created_at, updated_at)"
                 " VALUES ('完成5G基站建设。', 'decision', 'in_progress', 1, true, true, :t, :t) RETURNING id"),
            {"t": now},
        ).scalar_one()  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO task_owners (task_id, unit_id, role, position) VALUES (:task, :unit, 'lead', 0)"
            ),
            {"task": task, "unit": unit},
        )
    upgrade(fresh_engine)
    with read_session(fresh_engine) as s:
        entry = s.execute(select(SearchEntry.kind, SearchEntry.ref_id, SearchEntry.units)).one()
        unit_user = Principal("cz", role=UserRole.UNIT, unit_id=unit)
        result = search(s, unit_user, "5G基站")
    assert tuple(entry) == ("task", task, str(unit))
    assert [h.id for h in result.hits] == [task]
