"""Notifications in a real browser: a supervisor sets up a unit's robot and tests it; the unit user's
badge (loaded by htmx) counts the new assignment, the inbox opens it, and the robot gets it too.
"""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from duban.db.models import OwnerRole, UserRole
from duban.db.repositories.units import get_or_create
from duban.db.session import write_session
from duban.workflow import delivery, service
from duban.workflow.audit import Actor
from duban.workflow.delivery import DeliveryOptions
from duban.workflow.principal import OPERATOR
from tests.e2e.conftest import LiveServer, Screens, log_in
from tests.integrations.servers import robot_server
from tests.personas import add_task


def test_a_unit_hears_of_its_new_task_in_the_inbox_and_in_its_group(
    browser: Browser, live_server: LiveServer, screens: Screens
) -> None:
    server = live_server
    with write_session(server.engine) as s:
        unit = get_or_create(s, "区财政局", Actor("e2e"))
        task_id = add_task(
            s, owners=[(unit.id, OwnerRole.LEAD)], text="区财政局负责落实专项资金拨付工作。"
        ).id
    server.add_user("notify_sup", UserRole.SUPERVISOR)
    server.add_user("notify_cz", UserRole.UNIT, "区财政局")

    with robot_server() as robot:
        sup = log_in(browser, server, "notify_sup")
        sup.goto(f"{server.url}/admin/notify/channels")
        sup.select_option("select[name=unit]", label="区财政局")
        sup.select_option("select[name=kind]", value="wecom")
        sup.fill("input[name=name]", "财政局工作群")
        sup.fill("input[name=target]", robot.url())
        sup.click("form[action='/admin/notify/channels'] button[type=submit]")
        expect(sup.locator(".flash-ok")).to_contain_text("已添加区财政局的通知通道“财政局工作群”")
        sup.click("button:has-text('发送测试')")
        expect(sup.locator(".flash-ok")).to_contain_text("测试消息已发往“财政局工作群”")
        screens.shoot(sup, "channels")
        assert len(robot.received) == 1
        sup.context.close()

        with write_session(server.engine) as s:
            service.assign(s, OPERATOR, task_id)

        cz = log_in(browser, server, "notify_cz")
        badge = cz.locator("#inbox-badge .count")
        expect(badge).to_have_text("1")
        screens.shoot(cz, "badge")
        cz.click("#inbox-badge a[href='/inbox']")
        item = cz.locator(".inbox-item.unread")
        expect(item).to_contain_text("【交办】区财政局负责落实专项资金拨付工作。")
        screens.shoot(cz, "inbox")
        item.locator("button.inbox-title").click()
        cz.wait_for_url(f"**/tasks/{task_id}")
        expect(cz.locator("#inbox-badge .count")).to_have_count(0)
        cz.context.close()

        # The server's worker pushes the outbox every minute; one pass here does the same at once.
        delivery.deliver(lambda: write_session(server.engine), DeliveryOptions())
        contents = [r.body["markdown"]["content"] for r in robot.received]
        assert any("【交办】区财政局负责落实专项资金拨付工作。" in c for c in contents)
