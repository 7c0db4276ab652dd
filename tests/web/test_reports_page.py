"""报告 page: issuing from the task page, the ledger and the forms; downloads; who sees and gets what."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import time_machine
from sqlalchemy import Engine, func, select

from duban.db.models import IssuedReport
from duban.db.session import write_session
from duban.reports.issue import DOCX_MEDIA_TYPE
from tests.personas import World
from tests.reports.docx_checks import open_docx, texts
from tests.reports.ledger import NOW, task
from tests.webclient import ClientFactory

D = dt.date


def _task(engine: Engine, unit: int, status: str = "in_progress", text: str = "推进重点项目建设。") -> int:
    with write_session(engine) as s:
        return task(s, unit, D(2026, 12, 31), status=status, text=text).id


def _issued(engine: Engine) -> int:
    with write_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(IssuedReport)) or 0)


def _notice_for(client_for: ClientFactory, engine: Engine, world: World, unit: int) -> int:
    task_id = _task(engine, unit)
    response = client_for(world.supervisor).post("/reports/notices", data={"task_id": [str(task_id)]})
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("=", 1)[1])


def test_the_supervisor_sees_the_forms_and_the_nav_link(client_for: ClientFactory, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        page = client_for(world.supervisor).get("/reports")
    assert page.status_code == 200
    assert '<a href="/reports" aria-current="page">报告</a>' in page.text
    assert 'action="/reports/circulars"' in page.text and 'action="/reports/weekly"' in page.text
    # The circular's period picker offers the ranking page's periods, last month chosen.
    assert '<option value="2026-10" selected>2026年10月</option>' in page.text
    assert '<option value="2026Q3" >2026年第三季度</option>' in page.text
    assert 'name="week_of" value="2026-11-16"' in page.text
    assert "还没有印发的文件" in page.text


def test_a_notice_from_the_task_page_is_issued_and_downloaded(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world.unit_a, text="区财政局完成专项资金拨付。")
        client = client_for(world.supervisor)
        task_page = client.get(f"/tasks/{task_id}")
        assert 'action="/reports/notices"' in task_page.text and "生成督办通知书" in task_page.text
        response = client.post(
            "/reports/notices", data={"task_id": [str(task_id)], "back": f"/tasks/{task_id}"}
        )
        assert response.status_code == 303
        location = response.headers["location"]
        assert re.fullmatch(r"/reports\?issued=\d+", location)
        page = client.get(location)
        report_id = int(location.rsplit("=", 1)[1])
        download = client.get(f"/reports/{report_id}/file")
    assert "已印发督办〔2026〕1号《督办通知书》" in page.text
    assert f'<tr id="report-{report_id}" class="just-issued">' in page.text and "区财政局" in page.text
    assert download.status_code == 200
    assert download.headers["content-type"] == DOCX_MEDIA_TYPE
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('督办〔2026〕1号督办通知书.docx')}" in disposition
    assert f'filename="report-{report_id}.docx"' in disposition
    lines = texts(open_docx(download.content))
    assert "区财政局：" in lines and "（一）区财政局完成专项资金拨付。" in lines


def test_selected_ledger_tasks_get_one_notice(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        first, second = _task(engine, world.unit_a), _task(engine, world.unit_b)
        client = client_for(world.supervisor)
        ledger = client.get("/tasks")
        assert f'name="task_id" value="{first}"' in ledger.text  # handed-out tasks can be selected now
        assert 'formaction="/reports/notices"' in ledger.text
        response = client.post(
            "/reports/notices", data={"task_id": [str(first), str(second)], "back": "status=in_progress"}
        )
        assert response.status_code == 303
        listing = client.get("/api/v1/reports").json()
    (notice,) = listing["items"]
    assert notice["task_ids"] == [first, second]
    assert [r["unit_name"] for r in notice["recipients"]] == ["区财政局", "区住建局"]


def test_a_notice_that_cannot_be_issued_goes_back_with_the_reason_and_keeps_nothing(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        draft = _task(engine, world.unit_a, status="draft")
        client = client_for(world.supervisor)
        response = client.post("/reports/notices", data={"task_id": [str(draft)], "back": "status=draft"})
        assert response.status_code == 303 and response.headers["location"] == "/tasks?status=draft"
        page = client.get("/tasks?status=draft")
        issued_ok = client.post("/reports/notices", data={"task_id": [str(_task(engine, world.unit_a))]})
        number = client.get(issued_ok.headers["location"])
    assert f"任务 {draft} 状态为“待确认”" in page.text
    # The refused attempt used no number: the next notice is No. 1.
    assert "督办〔2026〕1号" in number.text
    assert _issued(engine) == 1


def test_circular_and_weekly_forms_issue_their_documents(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        with write_session(engine) as s:
            task(s, world.unit_a, D(2026, 10, 10), done=D(2026, 10, 9))
            task(s, world.unit_b, D(2026, 10, 20))
        client = client_for(world.supervisor)
        circular = client.post("/reports/circulars", data={"period": "2026-10"})
        weekly = client.post("/reports/weekly", data={"week_of": ""})
        bad = client.post("/reports/circulars", data={"period": "2026Q9"})
        page = client.get("/reports")
    assert circular.status_code == weekly.status_code == bad.status_code == 303
    assert bad.headers["location"] == "/reports"
    assert "无法识别的考核期间" in page.text
    assert "督通〔2026〕1号" in page.text and "关于2026年10月督办事项办理情况的通报" in page.text
    assert "督办工作周报（2026年第47周）" in page.text
    assert _issued(engine) == 2


def test_unit_users_see_and_download_only_notices_to_their_unit(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        to_a = _notice_for(client_for, engine, world, world.unit_a)
        to_b = _notice_for(client_for, engine, world, world.unit_b)
        client_for(world.supervisor).post("/reports/weekly", data={"week_of": "2026-11-20"})
        unit_b = client_for(world.unit_b_user)
        page = unit_b.get("/reports")
        own = unit_b.get(f"/reports/{to_b}/file")
        other = unit_b.get(f"/reports/{to_a}/file")
    assert 'action="/reports/circulars"' not in page.text
    assert f'id="report-{to_b}"' in page.text and f'id="report-{to_a}"' not in page.text
    assert "周报" not in page.text.split("已印发文件")[1].split("</nav>")[1]
    assert own.status_code == 200 and own.content.startswith(b"PK")
    assert other.status_code == 404


def test_leaders_download_but_do_not_issue(client_for: ClientFactory, engine: Engine, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        report_id = _notice_for(client_for, engine, world, world.unit_a)
        leader = client_for(world.leader)
        assert leader.get(f"/reports/{report_id}/file").status_code == 200
        page = leader.get("/reports")
        refused = leader.post("/reports/weekly", data={"week_of": ""})
        unit = client_for(world.unit_a_user).post("/reports/notices", data={"task_id": ["1"]})
    assert 'action="/reports/weekly"' not in page.text
    assert refused.status_code == 403 and unit.status_code == 403
    assert _issued(engine) == 1


def test_issuing_needs_the_csrf_token(client_for: ClientFactory, engine: Engine, world: World) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world.unit_a)
        response = client_for(world.supervisor, csrf=False).post(
            "/reports/notices", data={"task_id": [str(task_id)]}
        )
    assert response.status_code == 403
    assert _issued(engine) == 0


def test_no_notice_button_for_units_or_closed_tasks(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    with time_machine.travel(NOW, tick=False):
        open_task = _task(engine, world.unit_a)
        with write_session(engine) as s:
            done_task = task(s, world.unit_a, D(2026, 11, 1), done=D(2026, 11, 1)).id
        unit_page = client_for(world.unit_a_user).get(f"/tasks/{open_task}")
        done_page = client_for(world.supervisor).get(f"/tasks/{done_task}")
    assert unit_page.status_code == 200 and "生成督办通知书" not in unit_page.text
    assert done_page.status_code == 200 and "生成督办通知书" not in done_page.text
