"""The task page: source in context (escaped), facts, records, history, and only the allowed action forms."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine

from duban import clock
from duban.db.models import OwnerRole
from duban.db.session import write_session
from duban.workflow import service
from tests.personas import World
from tests.web.taskdata import add_document, make_task
from tests.webclient import ClientFactory

RESP = OwnerRole.RESPONSIBLE
_ACTION_FORM = re.compile(r'action="/tasks/\d+/actions/(\w+)"')


def action_forms(html: str) -> list[str]:
    return _ACTION_FORM.findall(html)


def test_source_sentence_is_marked_inside_its_document(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    before = "会议听取了区财政局关于专项资金的汇报。" * 30
    sentence = "会议决定，由区财政局负责落实专项资金拨付。"
    after = "会议要求各单位密切配合。" * 30
    text = before + sentence + after
    doc = add_document(engine, text, title="党工委会议纪要")
    task = make_task(
        engine,
        sentence,
        owners=[(world.unit_a, RESP)],
        document_id=doc,
        span=(len(before), len(before) + len(sentence)),
    )
    page = client_for(world.supervisor).get(f"/tasks/{task}")
    assert page.status_code == 200
    assert f'<mark class="hl-current">{sentence}</mark>' in page.text
    assert f'href="/documents/{doc}"' in page.text and "党工委会议纪要" in page.text
    context = page.text[page.text.index('class="doctext') :]
    context = context[: context.index("</div>")]
    assert "…" in context  # a window of the document, not all of it
    assert len(context) < len(text)


def test_document_text_is_escaped_on_the_task_page(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    text = "前文<script>alert(1)</script>。要求<b>区财政局</b>落实<img src=x onerror=alert(2)>。后文"
    start = text.index("要求")
    doc = add_document(engine, text)
    task = make_task(
        engine,
        "<script>alert(3)</script>落实",
        owners=[(world.unit_a, RESP)],
        document_id=doc,
        span=(start, len(text) - 2),
    )
    page = client_for(world.supervisor).get(f"/tasks/{task}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page and "<b>区财政局" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<mark class="hl-current">要求&lt;b&gt;区财政局&lt;/b&gt;' in page


def test_task_page_shows_owners_deadline_basis_and_money(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(
        engine,
        "拨付分局经费10万元",
        owners=[(world.unit_a, OwnerRole.LEAD), (world.unit_b, OwnerRole.SUPPORTING)],
        leader="王副区长",
    )
    with write_session(engine) as session:
        service.edit(session, world.supervisor, task, service.TaskChanges(deadline_workdays=5))
        row = service.load_task(session, world.supervisor, task)
        row.amount_yuan = 100000
        row.start_date = dt.date(2026, 3, 1)
    page = client_for(world.supervisor).get(f"/tasks/{task}").text
    assert "<dt>牵头单位</dt><dd>区财政局</dd>" in page
    assert "<dt>配合单位</dt><dd>区住建局</dd>" in page
    assert "王副区长" in page and "10万元" in page and "2026年3月1日" in page
    assert "5个工作日" in page


def test_unit_user_gets_404_for_another_units_task(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    theirs = make_task(engine, "住建局的任务", status="assigned", owners=[(world.unit_b, RESP)])
    response = client_for(world.unit_a_user).get(f"/tasks/{theirs}")
    assert response.status_code == 404
    assert "住建局的任务" not in response.text
    assert client_for(world.unit_b_user).get(f"/tasks/{theirs}").status_code == 200


def test_missing_task_is_a_404_page(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).get("/tasks/999999")
    assert response.status_code == 404
    assert "任务 999999 不存在" in response.text


def test_leader_sees_only_the_instruction_form(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    assigned = make_task(engine, "已交办的任务", status="assigned", owners=[(world.unit_a, RESP)])
    draft = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    leader = client_for(world.leader)
    assert action_forms(leader.get(f"/tasks/{assigned}").text) == ["instruct"]
    assert action_forms(leader.get(f"/tasks/{draft}").text) == []


def test_each_role_sees_the_forms_for_what_it_may_do(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    draft = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    assigned = make_task(engine, "已交办的任务", status="assigned", owners=[(world.unit_a, RESP)])
    working = make_task(engine, "办理中的任务", status="in_progress", owners=[(world.unit_a, RESP)])
    supervisor, unit = client_for(world.supervisor), client_for(world.unit_a_user)
    assert action_forms(supervisor.get(f"/tasks/{draft}").text) == ["confirm", "edit", "assign", "cancel"]
    assert action_forms(supervisor.get(f"/tasks/{assigned}").text) == ["edit", "remind", "cancel"]
    # 审批延期 is allowed while in progress, but there is no request to decide.
    assert action_forms(supervisor.get(f"/tasks/{working}").text) == ["edit", "remind", "cancel"]
    assert action_forms(unit.get(f"/tasks/{assigned}").text) == ["acknowledge"]
    assert action_forms(unit.get(f"/tasks/{working}").text) == [
        "report_progress",
        "request_extension",
        "submit",
    ]
    assert action_forms(unit.get(f"/tasks/{draft}").text) == []


def test_every_form_carries_the_version_and_the_csrf_token(
    client_for: ClientFactory, engine: Engine, world: World
) -> None:
    task = make_task(engine, "草稿任务", owners=[(world.unit_a, RESP)])
    page = client_for(world.supervisor).get(f"/tasks/{task}").text
    forms = page.count('class="action-form"')
    assert forms == 4
    assert page.count('name="version" value="1"') == forms
    assert page.count('name="csrf_token"') >= forms


def test_history_reports_extensions_and_instructions_are_shown(
    client_for: ClientFactory, engine: Engine, world: World, tmp_path: object
) -> None:
    task = make_task(
        engine,
        "办理中的任务",
        status="in_progress",
        owners=[(world.unit_a, RESP)],
        deadline=clock.today() + dt.timedelta(days=10),
    )
    later = clock.today() + dt.timedelta(days=40)
    with write_session(engine) as s:
        service.report_progress(s, world.unit_a_user, task, "已完成资金测算")
        service.request_extension(s, world.unit_a_user, task, later, "需等待市级批复")
        service.instruct(s, world.leader, task, "请加快进度，月底前见成效")
    page = client_for(world.supervisor).get(f"/tasks/{task}").text
    assert "已完成资金测算" in page
    assert "需等待市级批复" in page and later.isoformat() in page and "待审批" in page
    assert "请加快进度，月底前见成效" in page
    history = page[page.index('id="history-h"') :]
    # Newest first: 批示 came last.
    assert history.index("<b>批示</b>") < history.index("<b>申请延期</b>") < history.index("<b>反馈进展</b>")
    assert "理由：需等待市级批复" in history
    assert "decide_extension" in page  # the supervisor may decide the pending request
