"""`duban units list | alias | merge`: the registry users edit, for supervisors only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from duban import clock
from duban.cli import app
from duban.config import get_settings
from duban.db import session as db_session
from duban.db.models import AuditEvent, OwnerRole, Task, TaskOwner, Unit, UnitAlias, User, UserRole
from duban.db.session import read_session, write_session


@pytest.fixture
def runner(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[CliRunner]:
    """The CLI pointed at the test database (SQLite and PostgreSQL) and a temporary data folder."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DUBAN_DATABASE_URL", url)
    monkeypatch.setenv("DUBAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DUBAN_USER", raising=False)
    get_settings.cache_clear()
    db_session.reset_engines()
    yield CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1"})
    db_session.reset_engines()
    get_settings.cache_clear()


@pytest.fixture
def ledger(engine: Engine) -> dict[str, int]:
    """Three units; 区招商局 and 招商投资发展局 share one assigned task, 区招商局 leads a draft."""
    now = clock.now()
    with write_session(engine) as s:
        units = {
            name: Unit(name=name, active=True, created_at=now)
            for name in ("区招商局", "招商投资发展局", "财政金融局")
        }
        s.add_all(units.values())
        s.flush()
        shared = Task(text="共同办理", status="assigned", created_at=now, updated_at=now)
        shared.owners = [
            TaskOwner(unit_id=units["招商投资发展局"].id, role=OwnerRole.RESPONSIBLE, position=0),
            TaskOwner(unit_id=units["区招商局"].id, role=OwnerRole.RESPONSIBLE, position=1),
        ]
        draft = Task(text="草稿", status="draft", created_at=now, updated_at=now)
        draft.owners = [TaskOwner(unit_id=units["区招商局"].id, role=OwnerRole.LEAD, position=0)]
        s.add_all([shared, draft])
        s.add(User(username="unit1", display_name="财政局李四", role=UserRole.UNIT, created_at=now))
    return {name: unit.id for name, unit in units.items()}


def test_list_shows_units_aliases_and_task_counts(
    runner: CliRunner, engine: Engine, ledger: dict[str, int]
) -> None:
    with write_session(engine) as s:
        s.add(UnitAlias(unit_id=ledger["财政金融局"], alias="区财政局"))
    result = runner.invoke(app, ["units", "list"])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[2].strip(): line for line in result.output.splitlines() if line.count("│") > 5}
    assert set(rows) == {"区招商局", "招商投资发展局", "财政金融局"}
    assert [c.strip() for c in rows["财政金融局"].split("│")[3:6]] == ["区财政局", "0", "0"]
    assert [c.strip() for c in rows["区招商局"].split("│")[4:6]] == ["1", "1"]


def test_list_on_an_empty_registry_says_so(runner: CliRunner) -> None:
    result = runner.invoke(app, ["units", "list"])
    assert result.exit_code == 0
    assert "还没有单位" in result.output


def test_alias_adds_a_name_and_refuses_one_that_names_another_unit(
    runner: CliRunner, engine: Engine, ledger: dict[str, int]
) -> None:
    added = runner.invoke(app, ["units", "alias", "财政金融局", "区财政局"])
    assert added.exit_code == 0, added.output
    assert "区财政局" in added.output
    refused = runner.invoke(app, ["units", "alias", "财政金融局", "区招商局"])
    assert refused.exit_code == 2
    assert "已是单位“区招商局”的名称或别名" in refused.output
    with read_session(engine) as s:
        assert s.scalars(select(UnitAlias.alias)).all() == ["区财政局"]
        assert [e.action for e in s.scalars(select(AuditEvent)).all()] == ["alias"]


def test_merge_moves_tasks_and_the_old_name_resolves_to_the_remaining_unit(
    runner: CliRunner, engine: Engine, ledger: dict[str, int]
) -> None:
    result = runner.invoke(app, ["units", "merge", "区招商局", "招商投资发展局"])
    assert result.exit_code == 0, result.output
    assert "转移任务 1 项" in result.output and "另有 1 项" in result.output
    with read_session(engine) as s:
        owners = s.execute(select(TaskOwner.unit_id, TaskOwner.role)).all()
        assert {tuple(o) for o in owners} == {
            (ledger["招商投资发展局"], OwnerRole.RESPONSIBLE),
            (ledger["招商投资发展局"], OwnerRole.LEAD),
        }
        old = s.get(Unit, ledger["区招商局"])
        assert old is not None and not old.active and old.merged_into_id == ledger["招商投资发展局"]
    listed = runner.invoke(app, ["units", "list", "--all"])
    assert "已并入招商投资发展局" in listed.output
    again = runner.invoke(app, ["units", "merge", "区招商局", "招商投资发展局"])
    assert again.exit_code == 2  # the old name is now an alias of the same unit
    assert "同一个单位" in again.output


def test_merge_of_an_unknown_unit_is_an_error(runner: CliRunner, ledger: dict[str, int]) -> None:
    result = runner.invoke(app, ["units", "merge", "税务局", "财政金融局"])
    assert result.exit_code == 2
    assert "找不到单位“税务局”" in result.output


def test_a_unit_user_may_not_change_units(runner: CliRunner, engine: Engine, ledger: dict[str, int]) -> None:
    for args in (["alias", "财政金融局", "区财政局"], ["merge", "区招商局", "招商投资发展局"]):
        result = runner.invoke(app, ["units", *args, "--user", "unit1"])
        assert result.exit_code == 2
        assert "只有督查室" in result.output
    with read_session(engine) as s:
        assert s.scalars(select(AuditEvent)).all() == []
        assert all(u.active for u in s.scalars(select(Unit)).all())
