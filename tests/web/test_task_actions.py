"""Every workflow action through the browser forms: state moves, messages, files, stale pages, CSRF, roles."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from httpx2 import Response
from sqlalchemy import Engine, select

from duban import clock
from duban.db.models import ExtensionRequest, Instruction, OwnerRole, Reminder
from duban.db.session import read_session
from tests.personas import World
from tests.web.taskdata import act, make_task, task_row
from tests.webclient import ClientFactory

RESP = OwnerRole.RESPONSIBLE
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _ok(response: Response, task_id: int) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/tasks/{task_id}"


def test_a_task_goes_from_draft_to_done_through_the_forms(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "落实老旧小区改造资金")
    supervisor, unit = client_for(world.supervisor), client_for(world.unit_a_user)
    due = (clock.today() + dt.timedelta(days=30)).isoformat()

    assign = {"owner_unit": [str(world.unit_a), ""], "owner_role": ["lead", "responsible"], "deadline": due}
    _ok(act(supervisor, task, "assign", engine, assign), task)
    assert task_row(engine, task).status == "assigned"
    assert task_row(engine, task).deadline == dt.date.fromisoformat(due)
    assert "已交办，责任单位将收到通知" in supervisor.get(f"/tasks/{task}").text

    _ok(act(unit, task, "acknowledge", engine), task)
    assert task_row(engine, task).status == "in_progress"

    files = [("files", ("进展报告（第一期）.pdf", PDF, "application/pdf"))]
    _ok(act(unit, task, "report_progress", engine, {"text": "已完成方案编制"}, files=files), task)
    page = unit.get(f"/tasks/{task}").text
    assert "已完成方案编制" in page and "进展报告（第一期）.pdf" in page
    link = page[page.index(f"/tasks/{task}/attachments/") :].split('"')[0]
    download = unit.get(link)
    assert download.status_code == 200 and download.content == PDF
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment") and quote("进展报告（第一期）.pdf") in disposition

    _ok(act(unit, task, "submit", engine, {"text": "改造已完成"}), task)
    assert task_row(engine, task).status == "submitted"
    _ok(act(supervisor, task, "return", engine, {"reason": "缺少验收报告"}), task)
    assert task_row(engine, task).status == "in_progress"
    assert "缺少验收报告" in unit.get(f"/tasks/{task}").text
    _ok(act(unit, task, "submit", engine, {"text": "补充了验收报告"}), task)
    _ok(act(supervisor, task, "accept", engine), task)
    assert task_row(engine, task).status == "done"
    history = supervisor.get(f"/tasks/{task}").text
    for label in ("交办", "签收", "反馈进展", "申请办结", "退回", "验收办结"):
        assert f"<b>{label}</b>" in history


def test_stale_page_gets_a_409_with_a_clear_message(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "办理中的任务", status="in_progress", owners=[(world.unit_a, RESP)])
    supervisor = client_for(world.supervisor)
    stale_version = task_row(engine, task).version
    _ok(act(supervisor, task, "remind", engine, {"message": "请本周内反馈"}), task)
    response = supervisor.post(
        f"/tasks/{task}/actions/edit", data={"version": str(stale_version), "text": "改过的内容"}
    )
    assert response.status_code == 409
    assert f"任务 {task} 已被他人修改，请刷新后重试" in response.text
    assert task_row(engine, task).text == "办理中的任务"


def test_post_without_csrf_token_is_refused(client_for: ClientFactory, engine: Engine, world: World) -> None:
    task = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    client = client_for(world.supervisor, csrf=False)
    response = client.post(f"/tasks/{task}/actions/confirm", data={"version": "1"})
    assert response.status_code == 403
    assert not task_row(engine, task).confirmed
    refused = client.post("/tasks/bulk-assign", data={"task_id": [str(task)]})
    assert refused.status_code == 403 and task_row(engine, task).status == "draft"


def test_form_field_csrf_token_is_accepted_without_the_header(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    client = client_for(world.supervisor, csrf=False)
    page = client.get(f"/tasks/{task}").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    _ok(client.post(f"/tasks/{task}/actions/confirm", data={"version": "1", "csrf_token": token}), task)
    assert task_row(engine, task).confirmed


def test_other_units_get_404_on_actions_and_attachments(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "财政局的任务", status="in_progress", owners=[(world.unit_a, RESP)])
    own = make_task(engine, "住建局的任务", status="in_progress", owners=[(world.unit_b, RESP)])
    files = [("files", ("报告.txt", b"report", "text/plain"))]
    _ok(
        act(client_for(world.unit_a_user), task, "report_progress", engine, {"text": "进展"}, files=files),
        task,
    )
    link = client_for(world.unit_a_user).get(f"/tasks/{task}").text.split(f"/tasks/{task}/attachments/")[1]
    attachment = int(link.split('"')[0])
    other = client_for(world.unit_b_user)
    assert other.get(f"/tasks/{task}/attachments/{attachment}").status_code == 404
    # Nor through a task they do own: the file must belong to the task in the URL.
    assert other.get(f"/tasks/{own}/attachments/{attachment}").status_code == 404
    assert act(other, task, "report_progress", engine, {"text": "冒名反馈"}).status_code == 404
    assert client_for(world.leader).get(f"/tasks/{task}/attachments/{attachment}").status_code == 200


def test_leader_may_instruct_and_nothing_else(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "已交办的任务", status="assigned", owners=[(world.unit_a, RESP)])
    leader = client_for(world.leader)
    _ok(act(leader, task, "instruct", engine, {"text": "要确保按期完成"}), task)
    with read_session(engine) as s:
        assert s.scalars(select(Instruction.text).where(Instruction.task_id == task)).all() == [
            "要确保按期完成"
        ]
    assert act(leader, task, "cancel", engine, {"reason": "不需要了"}).status_code == 403
    assert act(leader, task, "remind", engine).status_code == 403
    assert task_row(engine, task).status == "assigned"


def test_edit_changes_text_owners_deadline_and_milestones(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)], leader="王副区长")
    due = clock.today() + dt.timedelta(days=50)
    step = clock.today() + dt.timedelta(days=20)
    form = {
        "text": "修改后的任务内容",
        "owner_unit": [str(world.unit_b), str(world.unit_c), ""],
        "owner_role": ["lead", "supporting", "responsible"],
        "deadline": due.isoformat(),
        "deadline_workdays": "",
        "start_date": "",
        "leader_name": "王副区长",
        "milestone_due": [step.isoformat(), ""],
        "milestone_text": ["完成方案", ""],
        "reason": "按会议纪要更正",
    }
    _ok(act(client_for(world.supervisor), task, "edit", engine, form), task)
    row = task_row(engine, task)
    assert row.text == "修改后的任务内容" and row.deadline == due and row.leader_name == "王副区长"
    page = client_for(world.supervisor).get(f"/tasks/{task}").text
    assert "<dt>牵头单位</dt><dd>区住建局</dd>" in page and "<dt>配合单位</dt><dd>区教育局</dd>" in page
    assert "完成方案" in page and "理由：按会议纪要更正" in page
    assert client_for(world.unit_a_user).get(f"/tasks/{task}").status_code == 404  # no longer theirs


def test_edit_that_changes_nothing_is_refused(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    form = {
        "text": "草稿任务",
        "owner_unit": [str(world.unit_a)],
        "owner_role": ["responsible"],
        "deadline": "",
    }
    response = act(client_for(world.supervisor), task, "edit", engine, form)
    assert response.status_code == 422 and "没有需要保存的修改" in response.text
    assert task_row(engine, task).version == 1


def test_extension_requested_refused_without_reason_then_approved(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    old = clock.today() + dt.timedelta(days=5)
    new = clock.today() + dt.timedelta(days=35)
    task = make_task(
        engine, "办理中的任务", status="in_progress", owners=[(world.unit_a, RESP)], deadline=old
    )
    unit, supervisor = client_for(world.unit_a_user), client_for(world.supervisor)
    _ok(
        act(
            unit,
            task,
            "request_extension",
            engine,
            {"new_deadline": new.isoformat(), "reason": "等待市级批复"},
        ),
        task,
    )
    with read_session(engine) as s:
        request_id = s.scalars(select(ExtensionRequest.id).where(ExtensionRequest.task_id == task)).one()
    refuse = act(
        supervisor, task, "decide_extension", engine, {"extension_id": request_id, "decision": "refuse"}
    )
    assert refuse.status_code == 422 and "须填写理由" in refuse.text
    approve = {"extension_id": request_id, "decision": "approve", "reason": "同意"}
    _ok(act(supervisor, task, "decide_extension", engine, approve), task)
    assert task_row(engine, task).deadline == new
    assert "已批准" in supervisor.get(f"/tasks/{task}").text


def test_extension_decision_must_name_a_request_of_this_task(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "办理中的任务", status="in_progress", owners=[(world.unit_a, RESP)])
    other = make_task(engine, "另一项任务", status="in_progress", owners=[(world.unit_a, RESP)])
    new = (clock.today() + dt.timedelta(days=30)).isoformat()
    _ok(
        act(
            client_for(world.unit_a_user),
            other,
            "request_extension",
            engine,
            {"new_deadline": new, "reason": "x"},
        ),
        other,
    )
    with read_session(engine) as s:
        request_id = s.scalars(select(ExtensionRequest.id)).one()
    data = {"extension_id": request_id, "decision": "approve"}
    assert act(client_for(world.supervisor), task, "decide_extension", engine, data).status_code == 404


def test_remind_confirm_and_cancel(client_for: ClientFactory, engine: Engine, world: World) -> None:
    draft = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    working = make_task(engine, "办理中的任务", status="in_progress", owners=[(world.unit_a, RESP)])
    supervisor = client_for(world.supervisor)
    _ok(act(supervisor, draft, "confirm", engine), draft)
    assert task_row(engine, draft).confirmed
    assert "/actions/confirm" not in supervisor.get(f"/tasks/{draft}").text  # nothing left to confirm
    _ok(act(supervisor, working, "remind", engine, {"message": "请本周内反馈"}), working)
    with read_session(engine) as s:
        assert s.scalars(select(Reminder.message).where(Reminder.task_id == working)).all() == [
            "请本周内反馈"
        ]
    again = act(supervisor, working, "remind", engine)
    assert again.status_code == 409 and "今天已催办过该任务" in again.text
    missing = act(supervisor, working, "cancel", engine, {"reason": " "})
    assert missing.status_code == 422 and "撤销须填写理由" in missing.text
    _ok(act(supervisor, working, "cancel", engine, {"reason": "任务已合并"}), working)
    assert task_row(engine, working).status == "cancelled"


def test_unit_cannot_acknowledge_twice_or_assign(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "已交办的任务", status="assigned", owners=[(world.unit_a, RESP)])
    unit = client_for(world.unit_a_user)
    _ok(act(unit, task, "acknowledge", engine), task)
    again = act(unit, task, "acknowledge", engine)
    assert again.status_code == 409 and "不能签收" in again.text
    assert act(unit, task, "assign", engine).status_code == 403


def test_htmx_action_gets_the_page_block_and_the_message(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "已交办的任务", status="assigned", owners=[(world.unit_a, RESP)])
    response = act(client_for(world.unit_a_user), task, "acknowledge", engine, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert '<div id="flash" hx-swap-oob="innerHTML">' in response.text and "已签收" in response.text
    assert '<div id="task-main">' in response.text and "办理中" in response.text
    assert f'action="/tasks/{task}/actions/report_progress"' in response.text


def test_htmx_action_error_goes_to_the_flash_area(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "已提交的任务", status="submitted", owners=[(world.unit_a, RESP)])
    response = act(
        client_for(world.supervisor), task, "return", engine, {"reason": ""}, headers={"HX-Request": "true"}
    )
    assert response.headers["HX-Retarget"] == "#flash"
    assert "退回须填写理由" in response.text
    assert task_row(engine, task).status == "submitted"


def test_disallowed_attachment_type_is_refused_and_nothing_is_kept(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "办理中的任务", status="in_progress", owners=[(world.unit_a, RESP)])
    files = [("files", ("脚本.html", b"<script>alert(1)</script>", "text/html"))]
    response = act(
        client_for(world.unit_a_user), task, "report_progress", engine, {"text": "进展"}, files=files
    )
    assert response.status_code == 415
    assert task_row(engine, task).version == 1
