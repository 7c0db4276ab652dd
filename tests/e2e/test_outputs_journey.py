"""Official outputs in a real browser: import an Excel ledger, find it by full-text search, export it,
issue a 督办通知书 and a 周报, and the unit reading its 交办 message in the inbox."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as WordDocument
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from duban import clock
from duban.db.models import Task, Unit, UserRole
from duban.db.session import read_session, write_session
from tests.e2e.conftest import LiveServer, Screens, log_in

HEADER = [
    "序号",
    "任务来源",
    "任务内容",
    "牵头单位",
    "责任单位",
    "责任领导",
    "完成时限",
    "进展情况",
    "状态",
    "备注",
]
ASSIGNED = "推进5G基站建设，落实财政资金拨付。"
DRAFT = "制定老旧小区改造年度计划。"


def _ledger(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["开发区督办事项台账"])
    sheet.append(HEADER)
    sheet.append(
        ["1", "党工委第9次会议纪要", ASSIGNED, "区财政局", "", "王五", "2026-12-31", "", "已交办", ""]
    )
    sheet.append(
        ["2", "党工委第9次会议纪要", "清理闲置土地。", "区不存在局", "", "", "2026-12-31", "", "", ""]
    )
    sheet.append(["3", "党工委第9次会议纪要", DRAFT, "区住建局", "", "", "2026-12-20", "", "", ""])
    book.save(path)
    return path


def _download(page: Page, click: str) -> bytes:
    with page.expect_download() as info:
        page.click(click)
    saved = info.value.path()
    return Path(saved).read_bytes()


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in WordDocument(io.BytesIO(data)).paragraphs)


def test_supervisor_imports_searches_exports_and_issues_while_the_unit_reads_its_inbox(
    browser: Browser, live_server: LiveServer, screens: Screens, tmp_path: Path
) -> None:
    with write_session(live_server.engine) as session:
        session.add_all(Unit(name=name, created_at=clock.now()) for name in ("区财政局", "区住建局"))
    live_server.add_user("outputs", UserRole.SUPERVISOR)
    live_server.add_user("caizheng", UserRole.UNIT, unit_name="区财政局")
    page = log_in(browser, live_server, "outputs")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())

    # Import: the preview names the bad row; only the valid rows go in.
    page.goto(f"{live_server.url}/tasks")
    page.click("text=导入台账")
    page.set_input_files("#import-file", str(_ledger(tmp_path / "台账.xlsx")))
    page.click("button:has-text('上传并预览')")
    expect(page.locator("body")).to_contain_text("区不存在局")
    expect(page.locator("button:has-text('全部导入')")).to_be_disabled()
    screens.shoot(page, "import-preview")
    page.click("button:has-text('仅导入有效行')")
    expect(page.locator("body")).to_contain_text("已导入")
    screens.shoot(page, "import-done")
    with read_session(live_server.engine) as session:
        assigned = session.scalars(select(Task).where(Task.text == ASSIGNED)).one()
        assert assigned.status == "assigned"
        assert session.scalars(select(Task.text).order_by(Task.id)).all() == [ASSIGNED, DRAFT]

    # Full-text search from the top bar: mixed Chinese/ASCII and a 2-character word, highlighted.
    page.fill("form.topsearch input[name=q]", "5G")
    page.press("form.topsearch input[name=q]", "Enter")
    expect(page.locator("li.hit-task mark").first).to_have_text("5G")
    page.fill("form.topsearch input[name=q]", "财政")
    page.press("form.topsearch input[name=q]", "Enter")
    expect(page.locator("li.hit-task .snippet mark").first).to_have_text("财政")
    screens.shoot(page, "search")

    # The ledger as Excel: the 台账 header and the imported tasks.
    page.goto(f"{live_server.url}/tasks")
    sheet = load_workbook(io.BytesIO(_download(page, "text=导出 Excel"))).active
    assert sheet is not None
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "任务内容" in values and ASSIGNED in values and DRAFT in values

    # A 督办通知书 from the task page, numbered and addressed to the lead unit.
    page.goto(f"{live_server.url}/tasks/{assigned.id}")
    page.click("button:has-text('生成督办通知书')")
    page.wait_for_url("**/reports**")
    screens.shoot(page, "reports")
    notice = _docx_text(_download(page, "table a:has-text('下载') >> nth=0"))
    assert "督办〔" in notice and "区财政局" in notice and "5G基站" in notice

    # A 周报 with its charts as pictures.
    page.click("button:has-text('生成周报')")
    page.wait_for_url("**/reports**")
    weekly = WordDocument(io.BytesIO(_download(page, "table a:has-text('下载') >> nth=0")))
    assert len(weekly.inline_shapes) >= 1
    assert "周报" in "\n".join(p.text for p in weekly.paragraphs)

    page.goto(f"{live_server.url}/admin/notify/channels")
    expect(page.locator("main")).to_contain_text("通知通道")
    screens.shoot(page, "channels")
    assert errors == []
    page.context.close()

    # The unit: an unread 交办 message in the top bar and the inbox, opening onto the task.
    unit = log_in(browser, live_server, "caizheng")
    expect(unit.locator(".inbox-badge")).to_contain_text("1")
    unit.click(".inbox-badge a")
    item = unit.locator("li.inbox-item.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("【交办】")
    screens.shoot(unit, "inbox")
    item.locator("button.inbox-title").click()
    unit.wait_for_url(f"**/tasks/{assigned.id}**")
    expect(unit.locator("body")).to_contain_text("5G基站")
    unit.context.close()
