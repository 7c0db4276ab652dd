"""The review page of a document's drafts: confirm, edit, merge, split, reject and assign-all, via htmx and forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from duban.db.models import AuditEvent, OwnerRole, Task, Unit
from duban.db.session import read_session, write_session
from duban.ingest.store import ingest_file
from duban.ingest.types import Source
from duban.workflow.audit import Actor
from duban.workflow.states import State
from tests.personas import World
from tests.webclient import ClientFactory, web_settings

SEED = sorted(Path("/work/shared/corpus/seeds").glob("*.txt"))[0]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def document_id(engine: Engine, world: World, tmp_path: Path) -> int:
    """The seed minutes, ingested into drafts (the web app's data folder is the same tmp_path)."""
    with write_session(engine) as session:
        return ingest_file(
            session, Source(SEED.name, SEED.read_bytes()), Actor("测试"), web_settings(tmp_path)
        ).document_id


def _drafts(engine: Engine, document_id: int) -> list[Task]:
    with read_session(engine) as session:
        return list(
            session.scalars(
                select(Task)
                .options(selectinload(Task.owners))
                .where(Task.document_id == document_id, Task.status == State.DRAFT.value)
                .order_by(Task.span_start, Task.id)
            ).all()
        )


def _task(engine: Engine, task_id: int) -> Task:
    with read_session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        task.owners  # noqa: B018 - loaded while the session is open
        return task


def _actions(engine: Engine, task_id: int) -> list[str]:
    with read_session(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity == "task", AuditEvent.entity_id == task_id)
                .order_by(AuditEvent.seq)
            ).all()
        )


def _url(document_id: int, task_id: int | None, action: str) -> str:
    middle = f"/{task_id}" if task_id is not None else ""
    return f"/documents/{document_id}/review{middle}/{action}"


def test_the_review_page_lists_every_draft_with_its_sentence_and_new_units(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    page = client_for(world.supervisor).get(f"/documents/{document_id}/review")
    assert page.status_code == 200
    drafts = _drafts(engine, document_id)
    assert page.text.count('class="card draft') == len(drafts) > 10
    assert "原文：" in page.text and "（一）要加快开展东升路" in page.text
    with read_session(engine) as session:
        new_unit = session.scalar(select(Unit).where(Unit.name == "自然资源和规划分局"))
        old_unit = session.get(Unit, world.unit_a)
    assert new_unit is not None and old_unit is not None
    assert f'href="/units/{new_unit.id}"' in page.text
    # A unit that existed before the upload is not flagged as new.
    assert f'href="/units/{old_unit.id}"' not in page.text


def test_confirm_by_htmx_returns_just_the_card(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    task = _drafts(engine, document_id)[0]
    response = client_for(world.supervisor).post(
        _url(document_id, task.id, "confirm"), data={"version": task.version}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<article class="card draft confirmed" id="draft-{task.id}"')
    assert "<html" not in response.text
    assert '<div id="review-summary" class="row" hx-swap-oob="true">' in response.text
    assert _task(engine, task.id).confirmed
    assert _actions(engine, task.id)[-1] == "confirm"


def test_confirm_by_plain_form_redirects_back_with_a_message(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    client = client_for(world.supervisor)
    task = _drafts(engine, document_id)[0]
    response = client.post(_url(document_id, task.id, "confirm"), data={"version": task.version})
    assert response.status_code == 303 and response.headers["location"] == f"/documents/{document_id}/review"
    assert f"任务{task.id}已确认" in client.get(response.headers["location"]).text


def test_a_stale_form_is_refused_and_the_message_shown(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    client = client_for(world.supervisor)
    task = _drafts(engine, document_id)[0]
    response = client.post(_url(document_id, task.id, "confirm"), data={"version": task.version + 5})
    assert response.status_code == 303
    assert "已被他人修改" in client.get(response.headers["location"]).text
    assert not _task(engine, task.id).confirmed


def test_edit_changes_text_owners_and_deadline(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    task = _drafts(engine, document_id)[2]  # three owner units, the first of them lead
    first, *rest = task.owners
    response = client_for(world.supervisor).post(
        _url(document_id, task.id, "edit"),
        data={
            "version": task.version,
            "text": "金桥办事处牵头组织拆除复耕。",
            "owner_unit": [o.unit_id for o in task.owners],
            "owner_role": ["remove", *["responsible" for _ in rest]],
            "new_owner": "区住建局",
            "new_owner_role": "lead",
            "deadline": "2099-06-30",
        },
        headers=HTMX,
    )
    assert response.status_code == 200 and "已修改" in response.text
    edited = _task(engine, task.id)
    assert edited.text == "金桥办事处牵头组织拆除复耕。"
    assert edited.deadline == dt.date(2099, 6, 30)
    assert [(o.unit_id, o.role) for o in edited.owners] == [
        *[(o.unit_id, OwnerRole.RESPONSIBLE) for o in rest],
        (world.unit_b, OwnerRole.LEAD),
    ]
    assert first.unit_id not in edited.unit_ids()
    assert _actions(engine, task.id)[-1] == "edit"


def test_edit_with_an_unknown_unit_changes_nothing(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    task = _drafts(engine, document_id)[0]
    response = client_for(world.supervisor).post(
        _url(document_id, task.id, "edit"),
        data={"version": task.version, "text": "改了", "new_owner": "不存在的局"},
        headers=HTMX,
    )
    # htmx shows the message in the page's flash area; the request rolled back.
    assert response.headers["HX-Retarget"] == "#flash" and "找不到单位“不存在的局”" in response.text
    assert _task(engine, task.id).text == task.text


def test_merge_selected_drafts_into_the_first(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    a, b = _drafts(engine, document_id)[:2]
    response = client_for(world.supervisor).post(
        _url(document_id, None, "merge"),
        data={"task_ids": [f"{b.id}:{b.version}", f"{a.id}:{a.version}"]},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="drafts"') and f"合并为任务{a.id}" in response.text
    merged, gone = _task(engine, a.id), _task(engine, b.id)
    assert merged.text.startswith(a.text) and b.text in merged.text
    assert gone.status == State.CANCELLED
    assert _actions(engine, a.id)[-1] == "merge" and _actions(engine, b.id)[-1] == "cancel"
    assert f'id="draft-{b.id}"' not in response.text


def test_split_by_lines_and_by_sentences(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    client = client_for(world.supervisor)
    task = _drafts(engine, document_id)[2]  # two sentences
    before = len(_drafts(engine, document_id))
    response = client.post(
        _url(document_id, task.id, "split"),
        data={"version": task.version, "mode": "lines", "lines": "拆除复耕\n\n组织验收\n销号"},
        headers=HTMX,
    )
    assert response.status_code == 200 and "拆分为3条" in response.text
    assert len(_drafts(engine, document_id)) == before + 2
    assert _task(engine, task.id).text == "拆除复耕"
    assert "split" in _actions(engine, task.id)
    other = _drafts(engine, document_id)[5]
    response = client.post(
        _url(document_id, other.id, "split"), data={"version": other.version, "mode": "sentences"}
    )
    assert response.status_code == 303


def test_reject_needs_a_reason_and_cancels_the_draft(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    client = client_for(world.supervisor)
    task = _drafts(engine, document_id)[0]
    refused = client.post(
        _url(document_id, task.id, "reject"), data={"version": task.version, "reason": ""}, headers=HTMX
    )
    assert "须填写理由" in refused.text
    response = client.post(
        _url(document_id, task.id, "reject"),
        data={"version": task.version, "reason": "重复提取"},
        headers=HTMX,
    )
    assert response.status_code == 200 and f'id="draft-{task.id}"' not in response.text
    assert _task(engine, task.id).status == State.CANCELLED
    assert _actions(engine, task.id)[-1] == "cancel"


def test_assign_all_hands_over_confirmed_drafts_and_says_which_could_not_go(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    client = client_for(world.supervisor)
    good, ownerless = _drafts(engine, document_id)[:2]
    with write_session(engine) as session:
        _strip_owners(session, ownerless.id)
    for task in (good, ownerless):
        fresh = _task(engine, task.id)
        client.post(_url(document_id, task.id, "confirm"), data={"version": fresh.version})
    response = client.post(f"/documents/{document_id}/review/assign")
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "已交办1条任务" in page
    assert f"任务{ownerless.id}" in page and "交办前须指定牵头单位或责任单位" in page
    assert "条任务未确认，未交办" in page
    assert _task(engine, good.id).status == State.ASSIGNED
    assert _task(engine, ownerless.id).status == State.DRAFT
    assert _actions(engine, good.id)[-1] == "assign"


def _strip_owners(session: Session, task_id: int) -> None:
    task = session.get(Task, task_id)
    assert task is not None
    task.owners.clear()


def test_unit_users_get_403_on_the_review_page(
    client_for: ClientFactory, world: World, document_id: int
) -> None:
    response = client_for(world.unit_a_user).get(f"/documents/{document_id}/review")
    assert response.status_code == 403 and "仅供督查室和领导查看" in response.text


def test_leaders_see_the_review_page_read_only_and_cannot_post(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int
) -> None:
    client = client_for(world.leader)
    page = client.get(f"/documents/{document_id}/review")
    assert page.status_code == 200 and "领导账号只能查看" in page.text and "/confirm" not in page.text
    task = _drafts(engine, document_id)[0]
    for action in ("confirm", "reject", "split", "edit"):
        assert client.post(_url(document_id, task.id, action), data={"text": "x"}).status_code == 403
    assert client.post(f"/documents/{document_id}/review/assign").status_code == 403
    assert not _task(engine, task.id).confirmed


def test_a_task_of_another_document_is_404_here(
    client_for: ClientFactory, world: World, engine: Engine, document_id: int, tmp_path: Path
) -> None:
    with write_session(engine) as session:
        other = ingest_file(
            session,
            Source("b.txt", "通知\n请区财政局做好准备。\n".encode()),
            Actor("测试"),
            web_settings(tmp_path),
        )
    task = _drafts(engine, document_id)[0]
    response = client_for(world.supervisor).post(
        _url(other.document_id, task.id, "confirm"), data={"version": task.version}, headers=HTMX
    )
    assert "不属于文件" in response.text
    assert not _task(engine, task.id).confirmed
