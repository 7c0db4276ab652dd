"""Documents in a real browser: drop files on the upload page, watch them parse, read the highlights, review drafts."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from duban.db.models import UserRole
from tests.e2e.conftest import LiveServer, Screens, log_in

SEEDS = sorted((Path(__file__).resolve().parents[2] / "examples" / "corpus").glob("*.txt"))


def test_supervisor_uploads_reads_and_reviews(
    browser: Browser, live_server: LiveServer, screens: Screens
) -> None:
    live_server.add_user("docs", UserRole.SUPERVISOR)
    page = log_in(browser, live_server, "docs")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/documents/upload")
    # Choosing files uploads each one by itself (upload.js); the rows then poll until parsed.
    page.set_input_files("#upload-files", [str(SEEDS[0]), str(SEEDS[1])])
    expect(page.locator(".upload-row .draft-count")).to_have_count(2, timeout=60_000)
    page.set_input_files("#upload-files", [str(SEEDS[0])])
    expect(page.locator(".upload-existed")).to_have_count(1)
    screens.shoot(page, "upload")

    page.click(f".upload-row:has-text('{SEEDS[0].name}') >> text=查看原文")
    expect(page.locator("mark.hl-task").first).to_be_visible()
    assert page.locator("mark.hl-person").count() > 10
    screens.shoot(page, "document")

    page.click("text=审核待确认任务")
    cards = page.locator("article.draft")
    before = cards.count()
    first = cards.first
    first.locator("button:has-text('确认')").click()
    expect(page.locator("article.draft").first.locator(".tag.light-green")).to_have_text("已确认")
    # The counts above the list follow (htmx out-of-band swap).
    expect(page.locator("#review-summary button")).to_have_text("一键交办已确认任务（1 条）")
    page.locator("article.draft input[name=task_ids]").nth(1).check()
    page.locator("article.draft input[name=task_ids]").nth(2).check()
    page.click("text=合并勾选的任务")
    expect(page.locator("article.draft")).to_have_count(before - 1)
    screens.shoot(page, "review")
    assert errors == []
    page.context.close()
