"""The login page in a real browser: sign in, land on the dashboard, sign out."""

from __future__ import annotations

from playwright.sync_api import Browser

from duban.db.models import UserRole
from tests.e2e.conftest import LiveServer, Screens, log_in


def test_supervisor_logs_in_and_out(browser: Browser, live_server: LiveServer, screens: Screens) -> None:
    live_server.add_user("smoke", UserRole.SUPERVISOR)
    page = log_in(browser, live_server, "smoke")
    assert page.url.endswith("/dashboard")
    page.click("details.usermenu summary")
    page.click("text=退出登录")
    page.wait_for_url("**/login")
    screens.shoot(page, "login")
    assert page.locator("#username").is_visible()
    page.context.close()
