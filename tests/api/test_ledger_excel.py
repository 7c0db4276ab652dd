"""The API's Excel ledger: export with the list's filters; import as upload → preview → commit (supervisors only)."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from duban.db.models import AuditEvent, Task
from duban.db.session import read_session
from duban.workflow.states import State
from tests.api.helpers import CALLERS, PROBLEM, caller
from tests.personas import World
from tests.reports.excel_ledger import HEADER, TODAY, seed, workbook
from tests.webclient import ClientFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = [
    [
        "1",
        "第5次会议纪要",
        "完成老旧小区改造。",
        "区财政局",
        "区住建局",
        "李区长",
        "2026-12-31",
        "",
        "办理中",
        "",
    ],
    ["2", "", "报送资金使用情况。", "住建局", "", "", "2026-10-31", "", "", ""],
]
BAD = [*GOOD, ["3", "", "", "区财政局"], ["4", "", "推进项目。", "区财政厅"]]


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def _tasks(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Task)) or 0


def test_export_answers_an_xlsx_with_the_filters_of_the_task_list(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    seed(engine, world)
    client = client_for(world.supervisor, token=True)
    response = client.get(
        "/api/v1/tasks/export.xlsx", params={"status": ["in_progress", "assigned"], "per_unit": "true"}
    )
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and 'filename="ledger.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "督办台账（按单位分表）-20260615.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    assert [c.value for c in ws[3]] == HEADER
    states = {r[8] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert states == {State.IN_PROGRESS.label, State.ASSIGNED.label}
    assert book.sheetnames[1:] == ["区住建局", "区财政局"]


def test_export_is_not_swallowed_by_the_task_route_and_stays_within_the_unit(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    seed(engine, world)
    response = client_for(world.unit_c_user, token=True).get("/api/v1/tasks/export.xlsx")
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=4, values_only=True)
    )
    assert {r[2] for r in rows} == {"完成老旧小区改造一期工程。", "完成学校扩建验收。"}
    assert client_for(None).get("/api/v1/tasks/export.xlsx").status_code == 401


@pytest.mark.parametrize("who", CALLERS)
def test_only_supervisors_may_upload_a_ledger(client_for: ClientFactory, world: World, who: str) -> None:
    client = caller(client_for, world, who)
    response = client.post("/api/v1/tasks/imports", files={"file": ("台账.xlsx", workbook(GOOD), XLSX)})
    expected = {"supervisor": 201, "anonymous": 401}.get(who, 403)
    assert response.status_code == expected, response.text
    if expected != 201:
        assert response.headers["content-type"] == PROBLEM


def test_upload_preview_then_commit(client_for: ClientFactory, world: World, engine: Engine) -> None:
    client = client_for(world.supervisor, token=True)
    created = client.post("/api/v1/tasks/imports", files={"file": ("台账.xlsx", workbook(GOOD), XLSX)})
    assert created.status_code == 201
    preview = created.json()
    assert (preview["total"], preview["valid"], preview["invalid"], preview["can_import_all"]) == (
        2,
        2,
        0,
        True,
    )
    assert preview["columns"]["text"] == "任务内容" and preview["header_row"] == 2
    first = preview["rows"][0]
    assert first["row"] == 3 and first["values"]["牵头单位"] == "区财政局"
    assert first["parsed"]["status"] == "in_progress" and first["parsed"]["deadline"] == "2026-12-31"
    assert [o["role"] for o in first["parsed"]["owners"]] == ["lead", "responsible"]
    assert preview["rows"][1]["parsed"]["owners"][0]["unit_name"] == "区住建局"
    assert _tasks(engine) == 0
    again = client.get(f"/api/v1/tasks/imports/{preview['id']}")
    assert again.status_code == 200 and again.json()["rows"] == preview["rows"]
    done = client.post(f"/api/v1/tasks/imports/{preview['id']}/commit", json={"valid_only": False})
    assert done.status_code == 200
    result = done.json()
    assert result["imported"] == 2 and result["skipped_rows"] == [] and len(result["task_ids"]) == 2
    with read_session(engine) as s:
        audited = s.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "import", AuditEvent.entity == "task")
        )
        assert sorted(audited) == sorted(result["task_ids"])
    assert (
        client.get(f"/api/v1/tasks/imports/{preview['id']}").json()["imported"]["document_id"]
        == result["document_id"]
    )
    repeat = client.post(f"/api/v1/tasks/imports/{preview['id']}/commit", json={"valid_only": False})
    assert repeat.status_code == 409 and "不能重复导入" in repeat.json()["detail"]


def test_bad_rows_are_listed_and_block_a_full_import(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor, token=True)
    preview = client.post("/api/v1/tasks/imports", files={"file": ("台账.xlsx", workbook(BAD), XLSX)}).json()
    assert (preview["valid"], preview["invalid"], preview["can_import_all"]) == (2, 2, False)
    bad = {r["row"]: r for r in preview["rows"] if not r["ok"]}
    assert (
        bad[5]["errors"] == [{"column": "任务内容", "message": "任务内容为空"}] and bad[5]["parsed"] is None
    )
    assert bad[6]["errors"][0]["column"] == "牵头单位" and "区财政厅" in bad[6]["errors"][0]["message"]
    commit = f"/api/v1/tasks/imports/{preview['id']}/commit"
    refused = client.post(commit, json={"valid_only": False})
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert "未导入任何数据" in refused.json()["detail"] and _tasks(engine) == 0
    partial = client.post(commit, json={"valid_only": True}).json()
    assert partial["imported"] == 2 and partial["skipped_rows"] == [5, 6] and _tasks(engine) == 2


@pytest.mark.parametrize(
    ("name", "body", "status", "says"),
    [
        ("伪装.xlsx", b"just text, renamed", 422, "不是有效的 Excel"),
        ("台账.xls", b"\xd0\xcf\x11\xe0", 415, "不支持"),
        ("台账.xlsx", b"", 422, "是空的"),
    ],
)
def test_a_file_that_is_no_ledger_is_a_problem_not_a_crash(
    client_for: ClientFactory, world: World, name: str, body: bytes, status: int, says: str
) -> None:
    response = client_for(world.supervisor, token=True).post(
        "/api/v1/tasks/imports", files={"file": (name, body, XLSX)}
    )
    assert response.status_code == status and response.headers["content-type"] == PROBLEM
    assert says in response.json()["detail"]


def test_missing_columns_are_named(client_for: ClientFactory, world: World) -> None:
    data = workbook([["推进项目。", "张三"]], ["工作任务", "联系人"])
    response = client_for(world.supervisor, token=True).post(
        "/api/v1/tasks/imports", files={"file": ("台账.xlsx", data, XLSX)}
    )
    assert response.status_code == 422 and response.json()["code"] == "missing_columns"
    assert response.json()["detail"].startswith("缺少列：牵头单位或责任单位")


def test_unknown_previews_are_not_found_and_unit_users_cannot_commit(
    client_for: ClientFactory, world: World
) -> None:
    supervisor = client_for(world.supervisor, token=True)
    assert supervisor.get("/api/v1/tasks/imports/" + "a" * 32).status_code == 404
    assert supervisor.get("/api/v1/tasks/imports/not-an-id").status_code == 404
    preview = supervisor.post(
        "/api/v1/tasks/imports", files={"file": ("台账.xlsx", workbook(GOOD), XLSX)}
    ).json()
    unit = client_for(world.unit_a_user, token=True)
    assert unit.get(f"/api/v1/tasks/imports/{preview['id']}").status_code == 403
    assert unit.post(f"/api/v1/tasks/imports/{preview['id']}/commit", json={}).status_code == 403
