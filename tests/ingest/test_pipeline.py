"""The whole pipeline on the real sample documents: provenance, reading order, and the scorer's verdict."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from duban.ingest.pipeline import run_text
from duban.ingest.types import Extraction

ROOT = Path(__file__).parents[2]
CORPUS = sorted((ROOT / "examples" / "corpus").glob("*.txt"))
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "score.py"


def readable(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@cache
def extracted(path: Path) -> tuple[str, Extraction]:
    raw = path.read_text(encoding="utf-8")
    return raw, run_text(raw, path.name)


def test_the_demo_corpus_is_there() -> None:
    assert len(CORPUS) >= 5


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_every_task_target_and_amount_span_reads_as_its_text_in_the_raw_file(path: Path) -> None:
    raw, extraction = extracted(path)
    items = [item for doc in extraction.documents for item in (*doc.tasks, *doc.targets, *doc.amounts)]
    assert items, "every sample document yields something"
    for item in items:
        assert 0 <= item.span.start < item.span.end <= len(raw)
        assert readable(raw[item.span.start : item.span.end]) == readable(item.text), item


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_documents_are_in_reading_order_and_do_not_overlap(path: Path) -> None:
    raw, extraction = extracted(path)
    assert extraction.documents
    end = 0
    for doc in extraction.documents:
        assert end <= doc.span.start < doc.span.end <= len(raw)
        end = doc.span.end


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_every_fact_lies_inside_its_own_document(path: Path) -> None:
    _, extraction = extracted(path)
    for doc in extraction.documents:
        for item in (*doc.tasks, *doc.targets, *doc.amounts, *doc.people, *doc.groups):
            assert doc.span.start <= item.span.start and item.span.end <= doc.span.end, item


def test_tasks_of_a_document_are_in_reading_order_and_do_not_overlap() -> None:
    for path in CORPUS:
        _, extraction = extracted(path)
        for doc in extraction.documents:
            end = 0
            for task in doc.tasks:
                assert task.span.start >= end, task
                end = task.span.end


def test_minutes_sample_is_one_document_with_tasks_owned_by_units() -> None:
    [path] = [p for p in CORPUS if p.name.startswith("000_")]
    _, extraction = extracted(path)
    [doc] = extraction.documents
    assert doc.header.doc_type == "minutes"
    assert doc.header.doc_number == "驻高新办纪〔2026〕4号"
    assert len(doc.tasks) >= 20
    assert all(task.owners for task in doc.tasks if task.kind == "decision")


def test_full_corpus_scores_above_the_bar(tmp_path: Path) -> None:
    if not SCORER.exists():
        pytest.skip(f"no scorer at {SCORER}")
    duban = Path(sys.executable).parent / "duban"
    out = tmp_path / "pred"
    cli = subprocess.run(
        [str(duban), "extract", *map(str, CORPUS), "--format", "json", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert sorted(p.stem for p in out.glob("*.json")) == [p.stem for p in CORPUS]
    scored = subprocess.run(
        [sys.executable, str(SCORER), "--pred", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(scored.stdout)
    families = {name: fam["f1"] for name, fam in report["families"].items()}
    assert report["overall"] >= 0.85, families
    assert {name: f1 for name, f1 in families.items() if f1 < 0.70} == {}
    assert families["provenance"] == 1.0
