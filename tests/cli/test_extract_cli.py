"""`duban extract`: JSON per file, a readable table, and a batch that survives a bad file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duban.cli import app

CORPUS = Path(__file__).parents[2] / "examples" / "corpus"
MINUTES = CORPUS / "000_3c233771d51cc4fd.txt"
NEWS = CORPUS / "001_11e814b0cf7c5a9c.txt"

DOCUMENT_KEYS = {
    "title", "type", "doc_number", "issuer", "date", "span", "meeting",
    "people", "tasks", "targets", "amounts", "groups",
}  # fmt: skip
TASK_KEYS = {"text", "span", "kind", "owners", "lead", "start", "deadline", "recurrence", "amount_yuan"}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("DUBAN_UNIT_ALIASES_FILE", raising=False)
    return CliRunner(env={"COLUMNS": "240", "NO_COLOR": "1"})


def test_json_with_out_writes_one_file_per_input_named_after_its_stem(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "pred"
    result = runner.invoke(app, ["extract", str(MINUTES), str(NEWS), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{MINUTES.stem}.json", f"{NEWS.stem}.json"]
    news = json.loads((out / f"{NEWS.stem}.json").read_text(encoding="utf-8"))
    assert news["source"] == NEWS.name
    assert len(news["documents"]) == 6


def test_json_follows_the_extraction_contract(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(MINUTES), "--format", "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / f"{MINUTES.stem}.json").read_text(encoding="utf-8"))
    assert set(payload) == {"source", "documents"}
    [doc] = payload["documents"]
    assert set(doc) == DOCUMENT_KEYS
    assert doc["type"] == "minutes"
    assert doc["doc_number"] == "驻高新办纪〔2026〕4号"
    assert doc["date"] == "2026-04-17"
    assert doc["tasks"]
    raw = MINUTES.read_text(encoding="utf-8")
    for task in doc["tasks"]:
        assert set(task) == TASK_KEYS
        assert task["kind"] in {"decision", "requirement", "rule", "target"}
        start, end = task["span"]
        assert "".join(raw[start:end].split()) == task["text"]
    for amount in doc["amounts"]:
        assert set(amount) == {"text", "yuan", "span"}


def test_json_without_out_prints_the_object_for_a_single_file(runner: CliRunner) -> None:
    result = runner.invoke(app, ["extract", str(MINUTES), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == MINUTES.name


def test_table_format_prints_the_tasks_with_their_owners(runner: CliRunner) -> None:
    result = runner.invoke(app, ["extract", str(MINUTES), "--format", "table"])
    assert result.exit_code == 0, result.output
    assert "中共驻马店高新技术产业开发区工作委员会会议纪要" in result.stdout
    assert "责任单位" in result.stdout
    assert "自然资源和规划分局" in result.stdout
    assert "2029-09-30" in result.stdout


def test_batch_with_bad_files_reports_them_keeps_the_good_output_and_fails(
    runner: CliRunner, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = inputs / "good.txt"
    shutil.copy(MINUTES, good)
    empty = inputs / "empty.txt"
    empty.write_bytes(b"")
    program = inputs / "setup.exe"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")
    out = tmp_path / "pred"
    result = runner.invoke(
        app, ["extract", str(empty), str(program), str(good), "--format", "json", "--out", str(out)]
    )
    assert result.exit_code != 0
    assert sorted(p.name for p in out.iterdir()) == ["good.json"]
    assert json.loads((out / "good.json").read_text(encoding="utf-8"))["documents"]
    assert "empty.txt" in result.stderr
    assert "setup.exe" in result.stderr
    assert "2 个文件失败" in result.stderr


def test_missing_file_is_reported_as_unreadable(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["extract", str(tmp_path / "nowhere.txt"), "--format", "json", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "nowhere.txt" in result.stderr
    assert "无法读取文件" in result.stderr
