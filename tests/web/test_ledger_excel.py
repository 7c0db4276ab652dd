"""The ledger page's Excel export and the 导入台账 pages: upload, preview with problems marked, import."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from duban.db.models import Document, Task
from duban.db.session import read_session
from duban.server.app import create_app
from duban.workflow.states import State
from tests.personas import World
from tests.reports.excel_ledger import HEADER, TODAY, seed, workbook
from tests.webclient import BASE_URL, ClientFactory, sign_in, web_settings

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
    ["2", "第5次会议纪要", "报送资金使用情况。", "区住建局", "", "", "2026-10-31", "", "", ""],
]
BAD = [*GOOD, ["3", "", "推进项目。", "区财政厅", "", "", "尽快", "", "", ""]]


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def _tasks(engine: Engine) -> int:
    with read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Task)) or 0


def _upload(client: object, data: bytes, name: str = "台账.xlsx") -> object:
    return client.post("/tasks/import", files={"file": (name, data, XLSX)})  # type: ignore[attr-defined]


def test_ledger_page_offers_excel_export_of_the_current_filter_and_import(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    seed(engine, world)
    page = client_for(world.supervisor).get("/tasks?status=in_progress&unit=1")
    assert 'href="/tasks/export.xlsx?status=in_progress&amp;unit=1"' in page.text
    assert 'href="/tasks/export.xlsx?status=in_progress&amp;unit=1&amp;per_unit=1"' in page.text
    assert 'href="/tasks/import"' in page.text
    assert 'href="/tasks/import"' not in client_for(world.unit_a_user).get("/tasks").text


def test_excel_export_is_the_filtered_ledger_with_a_chinese_file_name(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    seed(engine, world)
    response = client_for(world.supervisor).get("/tasks/export.xlsx?status=in_progress")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert 'filename="ledger.xlsx"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "督办台账-20260615.xlsx"
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[3]] == HEADER and ws.freeze_panes == "A4"
    assert {r[8] for r in ws.iter_rows(min_row=4, values_only=True)} == {State.IN_PROGRESS.label}


def test_per_unit_export_and_unit_users_see_only_their_rows(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    seed(engine, world)
    book = load_workbook(
        io.BytesIO(client_for(world.supervisor).get("/tasks/export.xlsx?per_unit=1").content)
    )
    assert len(book.sheetnames) == 4 and "区财政局" in book.sheetnames
    mine = load_workbook(io.BytesIO(client_for(world.unit_b_user).get("/tasks/export.xlsx").content))
    assert {r[2] for r in mine.worksheets[0].iter_rows(min_row=4, values_only=True)} == {
        "完成老旧小区改造一期工程。",
        "报送二季度资金使用情况。",
    }


def test_import_pages_are_for_the_supervision_office(client_for: ClientFactory, world: World) -> None:
    assert client_for(world.supervisor).get("/tasks/import").status_code == 200
    for who in (world.unit_a_user, world.leader):
        client = client_for(who)
        assert client.get("/tasks/import").status_code == 403
        assert _upload(client, workbook(GOOD)).status_code == 403


def test_template_download_is_an_empty_ledger(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).get("/tasks/import/template.xlsx")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert response.headers["content-type"] == XLSX and [c.value for c in ws[3]] == HEADER and ws.max_row == 3


def test_a_valid_file_is_previewed_then_imported(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    response = _upload(client, workbook(GOOD))
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/tasks/import/[0-9a-f]{32}", location)
    preview = client.get(location)
    assert preview.status_code == 200 and "完成老旧小区改造。" in preview.text
    assert "全部导入（2 行）" in preview.text and "disabled" not in preview.text
    assert _tasks(engine) == 0
    done = client.post(f"{location}/commit", data={"valid_only": "false"})
    assert done.status_code == 303 and done.headers["location"] == location
    after = client.get(location)
    assert "已导入2项任务" in after.text and "此文件已于" in after.text
    with read_session(engine) as s:
        document_id = s.scalars(select(Document.id)).one()
    assert f'href="/tasks?document={document_id}"' in after.text
    assert f'href="/documents/{document_id}/review"' in after.text
    assert _tasks(engine) == 2
    with read_session(engine) as s:
        task_id = s.scalars(select(Task.id).where(Task.text == "完成老旧小区改造。")).one()
    task_page = client.get(f"/tasks/{task_id}").text
    assert "从 Excel 台账导入" in task_page and "来自工作表“台账”第3行" in task_page
    review = client.get(f"/documents/{document_id}/review").text
    assert "报送资金使用情况。" in review and '<span class="muted">台账导入</span>' in review
    # The same file again: refused, nothing more written.
    again = client.post(f"{location}/commit", data={"valid_only": "false"})
    assert "不能重复导入" in client.get(again.headers["location"]).text and _tasks(engine) == 2


def test_bad_rows_are_marked_and_only_the_valid_ones_can_be_imported(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    location = _upload(client, workbook(BAD)).headers["location"]
    preview = client.get(location).text
    assert re.search(r"<button type=\"submit\" disabled[^>]*>全部导入（3 行）", preview)
    assert "仅导入有效行（2 行）" in preview
    assert (
        'class="cell-error"' in preview
        and "单位“区财政厅”不在单位名录中" in preview
        and "无法识别的日期" in preview
    )
    assert ">5</td>" in preview  # the bad row's number as in the sheet (title row, header, then rows 3–5)
    problems = client.get(f"{location}?show=problems").text
    assert "推进项目。" in problems and "完成老旧小区改造。" not in problems
    refused = client.post(f"{location}/commit", data={"valid_only": "false"})
    assert "未导入任何数据" in client.get(refused.headers["location"]).text and _tasks(engine) == 0
    client.post(f"{location}/commit", data={"valid_only": "true"})
    assert _tasks(engine) == 2


def test_files_that_are_no_ledger_are_refused_on_the_upload_page(
    client_for: ClientFactory, world: World
) -> None:
    client = client_for(world.supervisor)
    fake = _upload(client, b"%PDF-1.4 fake", "伪装.xlsx")
    assert fake.status_code == 422 and "不是有效的 Excel" in fake.text and "Traceback" not in fake.text
    wrong = _upload(client, workbook([["推进项目。"]], ["任务内容"]))
    assert wrong.status_code == 422 and "缺少列：牵头单位或责任单位" in wrong.text
    other_type = _upload(client, b"a,b", "台账.csv")
    assert other_type.status_code == 415 and "支持的格式：.xlsx" in other_type.text
    nothing = client.post("/tasks/import", files={"file": ("", b"", XLSX)})
    assert nothing.status_code == 422 and "请选择要导入的台账文件" in nothing.text


def test_a_file_over_the_size_limit_is_refused(engine: Engine, world: World, tmp_path: Path) -> None:
    app: FastAPI = create_app(web_settings(tmp_path, max_upload_mb=1), engine)
    with TestClient(app, base_url=BASE_URL, follow_redirects=False) as client:
        sign_in(client, engine, world.supervisor)
        response = _upload(client, b"PK" + b"\0" * (1024 * 1024 + 10))
    assert response.status_code == 413 and "超过1MB上限" in response.text


def test_an_unknown_or_malformed_preview_id_is_not_found(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.supervisor)
    assert client.get("/tasks/import/" + "0" * 32).status_code == 404
    assert client.get("/tasks/import/..%2F..%2Fsecret_key").status_code == 404
