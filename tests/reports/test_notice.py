"""督办通知书: numbered per year, addressed to the owner units, the task, deadline and feedback requirement."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from docx.enum.text import WD_ALIGN_PARAGRAPH
from sqlalchemy import Engine, select

from duban.config import Settings
from duban.db.models import AuditEvent, Document, OwnerRole, Task
from duban.db.session import write_session
from duban.errors import Forbidden, NotFound, Rejected
from duban.reports.issue import issue_notice, read_report_file, reports_dir
from duban.reports.queries import NoticeTask
from duban.reports.word.layout import BODY_FONT, HEADING1_FONT, HEADING2_FONT, TITLE_FONT, Issuer
from duban.reports.word.notice import build_notice
from duban.workflow.principal import Principal
from tests.api.helpers import add_document
from tests.personas import World
from tests.reports.docx_checks import open_docx, paragraph, png_size, styles_of, texts
from tests.reports.ledger import NOW, task

D = dt.date
REPO = Path(__file__).resolve().parents[2]
ARTIFACT = REPO / "test-output" / "reports" / "notice-page1.png"
TASK_TEXT = "区财政局牵头，区住建局负责，年底前完成老旧小区改造专项资金拨付。"


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": tmp_path, "org_name": "开发区督查室"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _task(engine: Engine, world: World, **kwargs: object) -> int:
    with write_session(engine) as s:
        row = task(
            s,
            world.unit_a,
            kwargs.pop("deadline", D(2026, 12, 31)),  # type: ignore[arg-type]
            others=[(world.unit_b, OwnerRole.RESPONSIBLE), (world.unit_c, OwnerRole.SUPPORTING)],
            text=TASK_TEXT,
            leader="王五",
            milestones=[(D(2026, 12, 10), "完成资金审核。")],
            **kwargs,  # type: ignore[arg-type]
        )
        return row.id


def _issue(
    engine: Engine, who: Principal, settings: Settings, ids: list[int]
) -> tuple[int, str | None, bytes]:
    with write_session(engine) as s:
        report = issue_notice(s, who, settings, ids)
        return report.id, report.doc_number, read_report_file(settings, report)


def test_a_notice_is_numbered_addressed_and_lists_the_task_deadline_and_feedback(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, report_contact="联系人：赵六，电话：1234567")
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world)
        document_id = add_document(engine, title="党工委会议纪要", text=TASK_TEXT)
        with write_session(engine) as s:
            source = s.get(Document, document_id)
            row = s.get(Task, task_id)
            assert source is not None and row is not None
            source.doc_number, row.document_id = "开党纪〔2026〕9号", document_id
        _, number, content = _issue(engine, world.supervisor, settings, [task_id])
    assert number == "督办〔2026〕1号"
    document = open_docx(content)
    lines = [t for t in texts(document) if t]
    assert lines[:4] == ["开发区督查室", "督办〔2026〕1号", "督办通知书", "区财政局、区住建局："]
    assert styles_of(paragraph(document, "督办通知书")) == {(TITLE_FONT, 22.0)}
    assert styles_of(paragraph(document, "一、督办事项")) == {(HEADING1_FONT, 16.0)}
    item = paragraph(document, "（一）" + TASK_TEXT)
    assert styles_of(item) == {(HEADING2_FONT, 16.0), (BODY_FONT, 16.0)}
    assert "牵头单位：区财政局；责任单位：区住建局；配合单位：区教育局。" in lines
    assert "完成时限：2026年12月31日。" in lines
    assert "时间节点：2026年12月10日前完成资金审核。" in lines
    assert "责任领导：王五。" in lines
    assert "任务来源：《党工委会议纪要》（开党纪〔2026〕9号）。" in lines
    assert lines[4].startswith(
        "根据《党工委会议纪要》（开党纪〔2026〕9号）确定的工作任务，现将以下事项列入督办"
    )
    # 5 working days after Sunday 22 November is Friday 27 November, before the deadline.
    assert "2.请于2026年11月27日前将办理进展情况书面报送开发区督查室，此后每周反馈一次，直至办结。" in lines
    assert "联系人：赵六，电话：1234567" in lines
    office, date = (
        paragraph(document, "2026年11月22日"),
        [p for p in document.paragraphs if p.text == "开发区督查室"][-1],
    )
    assert office.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert lines[-1] == "抄送：区教育局。"


def test_numbers_count_up_within_a_year_and_restart_in_the_next(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, notice_number_prefix="开督")
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world)
        numbers = [_issue(engine, world.supervisor, settings, [task_id])[1] for _ in range(3)]
    with time_machine.travel(dt.datetime(2027, 1, 4, 2, tzinfo=dt.UTC), tick=False):
        numbers.append(_issue(engine, world.supervisor, settings, [task_id])[1])
    assert numbers == ["开督〔2026〕1号", "开督〔2026〕2号", "开督〔2026〕3号", "开督〔2027〕1号"]


def test_one_notice_for_several_tasks_addresses_every_owner_once(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    with time_machine.travel(NOW, tick=False):
        first = _task(engine, world)
        with write_session(engine) as s:
            second = task(s, world.unit_c, D(2026, 11, 25), text="区教育局完成校舍安全排查。").id
        _, _, content = _issue(engine, world.supervisor, _settings(tmp_path), [second, first, second])
    document = open_docx(content)
    lines = texts(document)
    # 区教育局 is 主送 for its own task, so it is not also 抄送 for the other.
    assert "区教育局、区财政局、区住建局：" in lines
    assert not any(line.startswith("抄送") for line in lines)
    assert any("现将以下2项工作列入督办" in line for line in lines)
    assert [line[:3] for line in lines if line.startswith("（")] == ["（一）", "（二）"]
    # The feedback date is the earliest deadline when that comes first.
    assert any(line.startswith("2.请于2026年11月25日前") for line in lines)


def test_the_issued_notice_is_kept_recorded_and_audited(engine: Engine, world: World, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world)
        with write_session(engine) as s:
            report = issue_notice(s, world.supervisor, settings, [task_id])
            recipients = [r.unit_id for r in report.recipients]
            stored = reports_dir(settings) / report.stored_path
            assert report.created_by == "dc" and report.created_by_id == world.supervisor.user_id
        with write_session(engine) as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "report")).one()
    assert recipients == [world.unit_a, world.unit_b, world.unit_c]
    assert report.task_ids == [task_id] and report.kind == "notice" and report.number == 1
    assert stored.is_file() and hashlib.sha256(stored.read_bytes()).hexdigest() == report.sha256
    assert report.filename == "督办〔2026〕1号督办通知书.docx"
    assert event.action == "issue" and event.entity_id == report.id
    assert event.after is not None and event.after["doc_number"] == "督办〔2026〕1号"


def test_a_changed_or_missing_file_is_not_served(engine: Engine, world: World, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world)
        with write_session(engine) as s:
            report = issue_notice(s, world.supervisor, settings, [task_id])
    stored = reports_dir(settings) / report.stored_path
    stored.write_bytes(stored.read_bytes() + b"x")
    with pytest.raises(Exception, match="已被改动"):
        read_report_file(settings, report)
    stored.unlink()
    with pytest.raises(NotFound):
        read_report_file(settings, report)


@pytest.mark.parametrize("who", ["unit_a_user", "leader"])
def test_only_the_supervision_office_issues(engine: Engine, world: World, tmp_path: Path, who: str) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world)
        with pytest.raises(Forbidden), write_session(engine) as s:
            issue_notice(s, getattr(world, who), _settings(tmp_path), [task_id])
    assert not reports_dir(_settings(tmp_path)).exists()


@pytest.mark.parametrize(
    ("status", "reason"), [("draft", "待确认"), ("done", "已办结"), ("cancelled", "已撤销")]
)
def test_only_handed_out_open_tasks_can_be_put_under_a_notice(
    engine: Engine, world: World, tmp_path: Path, status: str, reason: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world, status=status)
        with pytest.raises(Rejected, match=reason), write_session(engine) as s:
            issue_notice(s, world.supervisor, _settings(tmp_path), [task_id])


def test_a_task_without_deadline_or_a_missing_task_is_refused(
    engine: Engine, world: World, tmp_path: Path
) -> None:
    with time_machine.travel(NOW, tick=False):
        task_id = _task(engine, world)
        with write_session(engine) as s:
            row = s.get(Task, task_id)
            assert row is not None
            row.deadline = None
        with pytest.raises(Rejected, match="没有完成时限"), write_session(engine) as s:
            issue_notice(s, world.supervisor, _settings(tmp_path), [task_id])
        with pytest.raises(NotFound, match="任务 999999 不存在"), write_session(engine) as s:
            issue_notice(s, world.supervisor, _settings(tmp_path), [task_id, 999999])
        with pytest.raises(Rejected, match="请选择"), write_session(engine) as s:
            issue_notice(s, world.supervisor, _settings(tmp_path), [])
        with pytest.raises(Rejected, match="最多"), write_session(engine) as s:
            issue_notice(s, world.supervisor, _settings(tmp_path), list(range(1, 60)))


# --- the rendered page ----------------------------------------------------------------------------


def _sample_notice() -> bytes:
    """A notice built without a database: two tasks with owners, milestones and a source."""
    from duban.db.models import Milestone

    first = Task(id=12, text=TASK_TEXT, deadline=D(2026, 12, 31), leader_name="王五")
    first.milestones = [Milestone(due=D(2026, 12, 10), text="完成资金审核")]
    second = Task(
        id=13,
        text="区教育局完成全区中小学校舍安全排查，建立问题清单并逐项整改销号。",
        deadline=D(2026, 12, 20),
    )
    second.milestones = []
    tasks = [
        NoticeTask(
            first,
            "《党工委会议纪要》（开党纪〔2026〕9号）",
            [(1, "区财政局")],
            [(2, "区住建局")],
            [(3, "区教育局")],
        ),
        NoticeTask(second, None, [(3, "区教育局")], [], []),
    ]
    return build_notice(
        doc_number="督办〔2026〕12号",
        tasks=tasks,
        issuer=Issuer(
            org="开发区党政办公室督查室",
            signoff="开发区党政办公室督查室",
            contact="联系人：赵六，电话：1234567",
        ),
        day=D(2026, 11, 22),
        feedback_by=D(2026, 11, 27),
        created=NOW,
    )


def test_a_notice_converts_to_pdf_with_libreoffice_and_page_one_is_kept_as_png(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        if os.environ.get("CI"):
            pytest.fail(
                "soffice and pdftoppm are needed in CI (Debian libreoffice-writer-nogui, poppler-utils)"
            )
        pytest.skip("LibreOffice or poppler is not installed")
    source = tmp_path / "notice.docx"
    source.write_bytes(_sample_notice())
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pdf = tmp_path / "notice.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pages[0], ARTIFACT)
    width, height = png_size(ARTIFACT.read_bytes())
    # A4 at 80 dpi is 661 × 935 pixels: portrait, the ratio of √2.
    assert abs(width - 661) <= 3 and abs(height - 935) <= 3
