"""/api/v1/reports: issue notices, circulars and weekly reports; list, read and download them, per role."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from sqlalchemy import Engine

from duban.db.models import OwnerRole
from duban.db.session import write_session
from duban.reports.issue import DOCX_MEDIA_TYPE
from tests.api.helpers import CALLERS, caller, is_problem
from tests.personas import World
from tests.reports.docx_checks import open_docx, texts
from tests.reports.ledger import NOW, task
from tests.webclient import ClientFactory

D = dt.date


def _task(engine: Engine, unit: int, status: str = "in_progress", **kwargs: object) -> int:
    with write_session(engine) as s:
        return task(s, unit, D(2026, 12, 31), status=status, **kwargs).id  # type: ignore[arg-type]


def test_a_notice_is_issued_and_its_file_downloaded(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world.unit_a, others=[(world.unit_c, OwnerRole.SUPPORTING)])
        client = caller(client_for, world, "supervisor", token=True)
        created = client.post("/api/v1/reports/notices", json={"task_ids": [task_id]})
        body = created.json()
        again = client.get(f"/api/v1/reports/{body['id']}").json()
        file = client.get(body["file_url"])
    assert created.status_code == 201
    assert body["kind"] == "notice" and body["kind_label"] == "督办通知书"
    assert body["doc_number"] == "督办〔2026〕1号" and body["year"] == 2026 and body["number"] == 1
    assert body["task_ids"] == [task_id]
    assert [r["unit_name"] for r in body["recipients"]] == ["区财政局", "区教育局"]
    assert body["params"]["feedback_by"] == "2026-11-27"
    assert again == body
    assert file.status_code == 200 and file.headers["content-type"] == DOCX_MEDIA_TYPE
    assert f"filename*=UTF-8''{quote(body['filename'])}" in file.headers["content-disposition"]
    lines = texts(open_docx(file.content))
    assert "督办〔2026〕1号" in lines and "区财政局：" in lines and "抄送：区教育局。" in lines


def test_numbers_increment_per_series(client_for: ClientFactory, engine: Engine, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world.unit_a)
        client = caller(client_for, world, "supervisor")
        notices = [
            client.post("/api/v1/reports/notices", json={"task_ids": [task_id]}).json() for _ in range(2)
        ]
        circular = client.post("/api/v1/reports/circulars", json={"period": "2026Q3"}).json()
        weekly = client.post("/api/v1/reports/weekly", json={}).json()
    assert [n["doc_number"] for n in notices] == ["督办〔2026〕1号", "督办〔2026〕2号"]
    assert circular["doc_number"] == "督通〔2026〕1号" and circular["params"]["period"] == "2026Q3"
    assert circular["params"]["rules"]["criticism"]["below_rate"] == 0.6
    assert weekly["doc_number"] is None and weekly["params"]["week_of"] == "2026-11-16"


def test_the_list_is_newest_first_and_filtered_by_kind(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world.unit_a)
        client = caller(client_for, world, "supervisor")
        client.post("/api/v1/reports/notices", json={"task_ids": [task_id]})
        client.post("/api/v1/reports/weekly", json={"week_of": "2026-11-10"})
        everything = client.get("/api/v1/reports").json()
        notices = client.get("/api/v1/reports?kind=notice").json()
    assert [r["kind"] for r in everything["items"]] == ["weekly", "notice"] and everything["total"] == 2
    assert everything["items"][0]["title"] == "督办工作周报（2026年第46周）"
    assert [r["kind"] for r in notices["items"]] == ["notice"] and notices["pages"] == 1


@pytest.mark.parametrize("who", CALLERS)
def test_only_supervisors_issue(client_for: ClientFactory, engine: Engine, world: World, who: str) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world.unit_a)
        response = caller(client_for, world, who).post(
            "/api/v1/reports/notices", json={"task_ids": [task_id]}
        )
    expected = {"supervisor": 201, "anonymous": 401}.get(who, 403)
    assert response.status_code == expected


def test_unit_b_cannot_see_or_download_unit_a_notice(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        supervisor = caller(client_for, world, "supervisor")
        to_a = supervisor.post(
            "/api/v1/reports/notices", json={"task_ids": [_task(engine, world.unit_a)]}
        ).json()
        to_b = supervisor.post(
            "/api/v1/reports/notices", json={"task_ids": [_task(engine, world.unit_b)]}
        ).json()
        supervisor.post("/api/v1/reports/circulars", json={"period": "2026-10"})
        unit_b = caller(client_for, world, "unit_b", token=True)
        listing = unit_b.get("/api/v1/reports").json()
        other = unit_b.get(f"/api/v1/reports/{to_a['id']}")
        other_file = unit_b.get(f"/api/v1/reports/{to_a['id']}/file")
        own_file = unit_b.get(f"/api/v1/reports/{to_b['id']}/file")
        leader = caller(client_for, world, "leader")
        leader_total = leader.get("/api/v1/reports").json()["total"]
        leader_file = leader.get(f"/api/v1/reports/{to_a['id']}/file")
    assert [r["id"] for r in listing["items"]] == [to_b["id"]]  # not the circular, not unit A's notice
    assert is_problem(other, 404) and is_problem(other_file, 404)
    assert own_file.status_code == 200
    assert leader_total == 3 and leader_file.status_code == 200


def test_bad_requests_are_problems_in_chinese(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        draft = _task(engine, world.unit_a, status="draft")
        client = caller(client_for, world, "supervisor")
        refused = client.post("/api/v1/reports/notices", json={"task_ids": [draft]})
        empty = client.post("/api/v1/reports/notices", json={"task_ids": []})
        missing = client.post("/api/v1/reports/notices", json={"task_ids": [987654]})
        period = client.post("/api/v1/reports/circulars", json={"period": "2026Q7"})
        future = client.post("/api/v1/reports/weekly", json={"week_of": "2026-12-01"})
        unknown = client.get("/api/v1/reports/424242")
        listing = client.get("/api/v1/reports").json()
    assert is_problem(refused, 422) and "待确认" in refused.json()["detail"]
    assert empty.status_code == 422
    assert is_problem(missing, 404)
    assert is_problem(period, 422) and is_problem(future, 422)
    assert is_problem(unknown, 404)
    assert listing["total"] == 0


def test_the_report_endpoints_are_described_in_chinese_with_problem_responses(
    client_for: ClientFactory,
) -> None:
    spec = client_for(None).get("/api/v1/openapi.json").json()
    operations = [
        (method, path, op)
        for path, ops in spec["paths"].items()
        if path.startswith("/api/v1/reports")
        for method, op in ops.items()
    ]
    assert sorted((m, p) for m, p, _ in operations) == [
        ("get", "/api/v1/reports"),
        ("get", "/api/v1/reports/{report_id}"),
        ("get", "/api/v1/reports/{report_id}/file"),
        ("post", "/api/v1/reports/circulars"),
        ("post", "/api/v1/reports/notices"),
        ("post", "/api/v1/reports/weekly"),
    ]
    for method, path, op in operations:
        assert op["tags"] == ["报告"] and not op["summary"].isascii(), (method, path)
        for status in ("401", "403", "404", "422"):
            assert "application/problem+json" in op["responses"][status]["content"], (method, path, status)
    assert (
        DOCX_MEDIA_TYPE
        in spec["paths"]["/api/v1/reports/{report_id}/file"]["get"]["responses"]["200"]["content"]
    )
