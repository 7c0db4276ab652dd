"""The main journey in a real browser, one screenshot per page.

The supervisor uploads seed 000, reviews and confirms drafts (setting one's
deadline), assigns them in one go; a unit user acknowledges, reports progress
with an attachment and submits; the supervisor accepts; the dashboard and the
ranking change accordingly; a user of another unit cannot open the task; the
leader reads everything and can only write 批示.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from duban import clock
from duban.db.models import Task, TaskOwner, Unit, UserRole
from duban.db.repositories.units import get_or_create
from duban.db.session import read_session, write_session
from duban.workflow.audit import Actor
from tests.e2e.conftest import LiveServer, Screens, log_in

SEED_000 = sorted((Path(__file__).resolve().parents[2] / "examples" / "corpus").glob("000_*.txt"))[0]


def _accept_dialogs(page: Page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def _done_count(page: Page, server: LiveServer) -> int:
    page.goto(f"{server.url}/dashboard")
    card = page.locator("a.stat[href='/tasks?status=done'] b")
    return int(card.inner_text())


def _ranking_row(page: Page, server: LiveServer, period: str, unit_name: str) -> list[str] | None:
    page.goto(f"{server.url}/ranking?period={period}")
    row = page.locator("table tbody tr", has=page.locator(f"a:text-is('{unit_name}')"))
    if row.count() == 0:
        return None
    return [cell.strip() for cell in row.first.locator("td").all_inner_texts()]


def _owner_unit(server: LiveServer, task_id: int) -> Unit:
    with read_session(server.engine) as session:
        owner = session.scalars(
            select(TaskOwner).where(TaskOwner.task_id == task_id).order_by(TaskOwner.position)
        ).first()
        assert owner is not None
        unit = session.get(Unit, owner.unit_id)
        assert unit is not None
        return unit


def test_upload_review_assign_work_accept_and_see_it_counted(
    browser: Browser, live_server: LiveServer, screens: Screens, tmp_path: Path
) -> None:
    server = live_server
    server.add_user("sup", UserRole.SUPERVISOR)
    server.add_user("boss", UserRole.LEADER)
    sup = log_in(browser, server, "sup")
    _accept_dialogs(sup)
    errors: list[str] = []
    sup.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    screens.shoot(sup, "dashboard-empty")

    # Upload seed 000 and watch it parse in the background.
    sup.goto(f"{server.url}/documents/upload")
    sup.set_input_files("#upload-files", str(SEED_000))
    expect(sup.locator(".upload-row .draft-count")).to_have_count(1, timeout=90_000)
    screens.shoot(sup, "upload")
    sup.click(".upload-row >> text=查看原文")
    expect(sup.locator("mark.hl-task").first).to_be_visible()
    screens.shoot(sup, "document")

    # Review: give the first draft with owners a deadline, confirm it and two more, assign them all.
    sup.click("text=审核待确认任务")
    with_owners = sup.locator("article.draft:has(ul.owners)")
    assert with_owners.count() >= 3
    first_id = int((with_owners.first.get_attribute("id") or "").removeprefix("draft-"))
    card = sup.locator(f"#draft-{first_id}")
    deadline = clock.today() + dt.timedelta(days=7)
    card.locator("summary:text-is('修改')").click()
    card.locator("input[name=deadline]").fill(deadline.isoformat())
    card.locator("button:text-is('保存修改')").click()
    expect(
        sup.locator(f"#draft-{first_id} dd").filter(has_text=f"{deadline.month}月{deadline.day}日")
    ).to_have_count(1)
    confirmed_ids = []
    for index in range(3):
        draft = sup.locator("article.draft:has(ul.owners)").nth(index)
        draft_id = draft.get_attribute("id")
        draft.locator("button:text-is('确认')").click()
        expect(sup.locator(f"#{draft_id} .tag.light-green")).to_have_text("已确认")
        confirmed_ids.append(draft_id)
    screens.shoot(sup, "review")
    sup.click("text=一键交办已确认任务（3 条）")
    expect(sup.locator(".flash-ok")).to_contain_text("3")
    with read_session(server.engine) as session:
        assigned = session.scalar(select(Task).where(Task.id == first_id))
        assert assigned is not None and assigned.status == "assigned"

    # Users for the task's unit and for another unit.
    unit_a = _owner_unit(server, first_id)
    with write_session(server.engine) as session:
        get_or_create(session, "区测试乙局", Actor("e2e", None))
    server.add_user("unit-a", UserRole.UNIT, unit_a.name)
    server.add_user("unit-b", UserRole.UNIT, "区测试乙局")
    done_before = _done_count(sup, server)
    before = _ranking_row(sup, server, str(deadline.year), unit_a.name)
    assert before is None or before[3] == "0", "nothing of the unit's is done on time yet"

    # Unit A: ledger, acknowledge, progress with an attachment, submit.
    unit = log_in(browser, server, "unit-a")
    _accept_dialogs(unit)
    unit.goto(f"{server.url}/tasks")
    expect(unit.locator(f"a[href='/tasks/{first_id}']").first).to_be_visible()
    screens.shoot(unit, "ledger-unit")
    unit.locator(f"a[href='/tasks/{first_id}']").first.click()
    unit.locator("button:text-is('签收')").click()
    expect(unit.locator("#task-main .state-in_progress").first).to_be_visible()
    report = tmp_path / "进展报告.txt"
    report.write_text("已完成方案编制，正在组织实施。", encoding="utf-8")
    unit.fill("#progress-text", "已完成方案编制，正在组织实施。")
    unit.set_input_files("#progress-files", str(report))
    unit.locator("button:text-is('提交反馈')").click()
    expect(unit.locator("a", has_text="进展报告.txt").first).to_be_visible()
    unit.locator("summary:text-is('申请办结')").click()
    unit.fill("#submit-text", "已按要求完成全部工作。")
    unit.locator("form button:text-is('申请办结')").click()
    expect(unit.locator("#task-main .state-submitted").first).to_be_visible()
    screens.shoot(unit, "task-submitted")

    # Unit B cannot open unit A's task.
    other = log_in(browser, server, "unit-b")
    response = other.goto(f"{server.url}/tasks/{first_id}")
    assert response is not None and response.status == 404
    screens.shoot(other, "task-other-unit-404")

    # The supervisor accepts; the dashboard and the ranking count it.
    sup.goto(f"{server.url}/tasks/{first_id}")
    sup.locator("button:text-is('验收通过（办结销号）')").click()
    expect(sup.locator("#task-main .state-done").first).to_be_visible()
    screens.shoot(sup, "task-done")
    assert _done_count(sup, server) == done_before + 1
    screens.shoot(sup, "dashboard")
    row = _ranking_row(sup, server, str(deadline.year), unit_a.name)
    assert row is not None, "the unit appears in the ranking once its task is done"
    # Columns: rank, unit, due, on time, late, overdue, open, on-time rate, average days late.
    assert row[3] == "1" and row[7] == "100.0%"
    screens.shoot(sup, "ranking")

    # The other pages, with the data the journey made.
    for path, name in (
        ("/tasks", "ledger"),
        ("/documents", "documents"),
        ("/gantt", "gantt"),
        ("/units", "units"),
        (f"/units/{unit_a.id}", "unit"),
        ("/people", "people"),
        ("/admin/users", "admin-users"),
        ("/admin/units", "admin-units"),
        ("/account/tokens", "tokens"),
    ):
        response = sup.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200, path
        screens.shoot(sup, name)
    sup.goto(f"{server.url}/people")
    sup.locator("main table a[href^='/people/']").first.click()
    expect(sup.locator("h1")).not_to_be_empty()
    screens.shoot(sup, "person")

    # The leader lands on the dashboard and may only write 批示.
    leader = log_in(browser, server, "boss")
    assert leader.url.endswith("/dashboard")
    leader.goto(f"{server.url}/tasks/{first_id}")
    forms = leader.locator("form.action-form")
    actions = {re.sub(r".*/actions/", "", form.get_attribute("action") or "") for form in forms.all()}
    assert actions <= {"instruct"}
    screens.shoot(leader, "task-leader")
    assert errors == []
    for page in (sup, unit, other, leader):
        page.context.close()
