"""`duban ingest PATH...`: folders recursively, one transaction per file, a summary, failures listed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from duban import clock
from duban.cli import app
from duban.config import get_settings
from duban.db import session as db_session
from duban.db.models import AuditEvent, Document, DocumentStatus, Task, User, UserRole
from duban.db.session import read_session, write_session

ROOT = Path(__file__).parents[2]
_SHARED = ROOT.parent / "shared" / "corpus" / "seeds"
SEEDS = _SHARED if any(_SHARED.glob("*.txt")) else ROOT / "examples" / "corpus"
MINUTES = SEEDS / "000_3c233771d51cc4fd.txt"
NEWS = SEEDS / "004_0eff9afd60443e8e.txt"


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """The CLI pointed at the test database (SQLite and PostgreSQL) and a temporary data folder."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "var"))
    for name in ("DUBAN_UNIT_ALIASES_FILE", "DUBAN_USER"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    db_session.reset_engines()
    yield CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1"})
    db_session.reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder with two seeds (one in a subfolder), a broken PDF, a hidden file and an unsupported one."""
    folder = tmp_path / "inbox"
    (folder / "2026" / "04").mkdir(parents=True)
    shutil.copy(MINUTES, folder / "2026" / "04" / MINUTES.name)
    shutil.copy(NEWS, folder / NEWS.name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / "notes.xyz").write_text("不是文件", encoding="utf-8")
    return folder


def _documents(engine: Engine) -> dict[str, tuple[str, int]]:
    with read_session(engine) as s:
        return {d.filename: (d.status, d.version) for d in s.scalars(select(Document)).all()}


def test_a_folder_is_ingested_recursively_and_a_broken_file_is_kept_and_listed(
    runner: CliRunner, engine: Engine, inbox: Path
) -> None:
    result = runner.invoke(app, ["ingest", str(inbox)])
    assert result.exit_code == 0, result.output
    assert "新文件 2，新版本 0，未变化 0，失败 1（共 3 个文件）" in result.output
    assert "broken.pdf" in result.stderr and "PDF" in result.stderr
    assert _documents(engine) == {
        MINUTES.name: (DocumentStatus.PARSED, 1),
        NEWS.name: (DocumentStatus.PARSED, 1),
        "broken.pdf": (DocumentStatus.FAILED, 1),
    }
    with read_session(engine) as s:
        assert (s.scalar(select(func.count()).select_from(Task)) or 0) > 10


def test_ingesting_the_same_folder_again_changes_nothing(
    runner: CliRunner, engine: Engine, inbox: Path
) -> None:
    assert runner.invoke(app, ["ingest", str(inbox)]).exit_code == 0
    with read_session(engine) as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    again = runner.invoke(app, ["ingest", str(inbox), str(inbox / NEWS.name)])
    assert again.exit_code == 0, again.output
    assert "新文件 0，新版本 0，未变化 3，失败 0（共 3 个文件）" in again.output
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_changed_file_is_a_new_version(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "纪要.txt"
    shutil.copy(MINUTES, path)
    assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0
    path.write_bytes(MINUTES.read_bytes() + "\n同意由区财政局负责。\n".encode())
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "新文件 0，新版本 1" in result.output
    with read_session(engine) as s:
        versions = s.execute(select(Document.version, Document.is_latest).order_by(Document.version)).all()
    assert [tuple(v) for v in versions] == [(1, False), (2, True)]


def test_a_missing_path_stops_before_anything_is_stored(
    runner: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["ingest", str(MINUTES), str(tmp_path / "nowhere.txt")])
    assert result.exit_code == 2
    assert "找不到文件或文件夹" in result.output
    assert _documents(engine) == {}


def test_the_named_user_is_recorded_as_the_uploader(runner: CliRunner, engine: Engine) -> None:
    with write_session(engine) as s:
        clerk = User(
            username="zhang", display_name="督查室张三", role=UserRole.SUPERVISOR, created_at=clock.now()
        )
        s.add(clerk)
    result = runner.invoke(app, ["ingest", "--user", "zhang", str(MINUTES)])
    assert result.exit_code == 0, result.output
    with read_session(engine) as s:
        doc = s.scalar(select(Document))
        assert doc is not None and doc.uploaded_by_id == clerk.id
        actors = set(s.execute(select(AuditEvent.actor, AuditEvent.actor_id)).all())
    assert {tuple(a) for a in actors} == {("督查室张三", clerk.id)}


def test_a_unit_user_may_not_ingest(runner: CliRunner, engine: Engine) -> None:
    with write_session(engine) as s:
        s.add(User(username="unit1", display_name="财政局李四", role=UserRole.UNIT, created_at=clock.now()))
    result = runner.invoke(app, ["ingest", "-u", "unit1", str(MINUTES)])
    assert result.exit_code == 2
    assert "只有督查室" in result.output
    assert _documents(engine) == {}


def test_an_unknown_user_is_refused(runner: CliRunner, engine: Engine) -> None:
    result = runner.invoke(app, ["ingest", "--user", "nobody", str(MINUTES)])
    assert result.exit_code == 2
    assert "nobody" in result.output
    assert _documents(engine) == {}
