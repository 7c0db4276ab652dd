"""Storing a file: originals by hash, idempotence, versions, failures kept, and one transaction per file."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from duban.config import Settings
from duban.db.models import (
    AuditEvent,
    Document,
    DocumentStatus,
    OwnerRole,
    Person,
    PersonTitle,
    Section,
    Target,
    TargetActual,
    Task,
    TaskOwner,
    Unit,
    UnitAlias,
)
from duban.db.repositories import units as unit_repo
from duban.db.session import read_session, write_session
from duban.errors import Conflict
from duban.ingest import rows, store
from duban.ingest.store import Outcome, ingest_file, process_document, store_upload
from duban.ingest.types import DocHeader, ExtractedDoc, Extraction, RawText, Source, Span
from duban.ingest.types import Person as FoundPerson
from duban.ingest.types import Target as FoundTarget
from duban.ingest.types import Task as FoundTask
from duban.workflow import audit
from duban.workflow.audit import Actor, verify

ROOT = Path(__file__).parents[2]
_SHARED = ROOT.parent / "shared" / "corpus" / "seeds"
SEEDS = _SHARED if any(_SHARED.glob("*.txt")) else ROOT / "examples" / "corpus"
MINUTES = SEEDS / "000_3c233771d51cc4fd.txt"  # 会议纪要: decisions with lead and responsible units
NOTICES = SEEDS / "003_2c9e6a42e4742b67.txt"  # declares 市爱卫办 as an abbreviation

CLERK = Actor("督查室 张三", user_id=None)
COUNTED = [
    Document,
    Section,
    Task,
    TaskOwner,
    Unit,
    UnitAlias,
    Person,
    PersonTitle,
    Target,
    TargetActual,
    AuditEvent,
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", unit_aliases_file=None, ocr_enabled=False)


def _source(path: Path, name: str | None = None) -> Source:
    return Source(name or path.name, path.read_bytes(), path)


def _ingest(engine: Engine, source: Source, settings: Settings) -> store.IngestResult:
    with write_session(engine) as s:
        return ingest_file(s, source, CLERK, settings)


def _counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED}


def _readable(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_the_seed_documents_are_there() -> None:
    assert MINUTES.is_file() and NOTICES.is_file()


def test_a_new_file_is_kept_and_drafted_with_owners_and_spans_into_its_text(
    engine: Engine, settings: Settings
) -> None:
    result = _ingest(engine, _source(MINUTES), settings)
    assert result.outcome is Outcome.NEW
    assert result.tasks > 10 and result.sections == 1
    data = MINUTES.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with read_session(engine) as s:
        doc = s.get(Document, result.document_id)
        assert doc is not None
        assert (doc.status, doc.sha256, doc.version, doc.is_latest) == (DocumentStatus.PARSED, sha, 1, True)
        assert doc.source_key == MINUTES.name.lower() and doc.size_bytes == len(data)
        assert (settings.data_dir / doc.stored_path).read_bytes() == data
        assert doc.stored_path == f"originals/{sha[:2]}/{sha}"
        assert doc.text == data.decode("utf-8")
        assert (doc.doc_type, doc.doc_number, doc.doc_date) == (
            "minutes",
            "驻高新办纪〔2026〕4号",
            dt.date(2026, 4, 17),
        )
        assert doc.extraction is not None and len(doc.extraction["documents"][0]["tasks"]) == result.tasks
        tasks = s.scalars(select(Task).where(Task.document_id == doc.id).order_by(Task.id)).all()
        assert len(tasks) == result.tasks
        [section] = doc.sections
        for task in tasks:
            assert task.status == "draft" and task.section_id == section.id and not task.confirmed
            assert task.span_start is not None and task.span_end is not None
            assert _readable(doc.text[task.span_start : task.span_end]) == _readable(task.text)
            assert [o.position for o in task.owners] == list(range(len(task.owners)))
        with_owners = [t for t in tasks if t.owners]
        assert len(with_owners) >= len(tasks) // 2
        # 会议纪要 names 金桥办事处 as the lead of a task shared with two other units.
        lead_tasks = [t for t in tasks if OwnerRole.LEAD in {o.role for o in t.owners}]
        assert lead_tasks
        names = {o.unit.name: o.role for o in lead_tasks[0].owners}
        assert names["金桥办事处"] == OwnerRole.LEAD
        assert set(names.values()) == {OwnerRole.LEAD, OwnerRole.RESPONSIBLE}
        people = s.scalars(select(Person)).all()
        assert len(people) == result.people > 5
        titles = s.scalars(select(PersonTitle)).all()
        assert titles and all(
            t.document_id == doc.id and t.observed_on == dt.date(2026, 4, 17) for t in titles
        )


def test_ingest_writes_one_document_event_and_one_draft_event_per_task(
    engine: Engine, settings: Settings
) -> None:
    result = _ingest(engine, _source(MINUTES), settings)
    with read_session(engine) as s:
        [ingest] = s.scalars(select(AuditEvent).where(AuditEvent.action == "ingest")).all()
        assert (ingest.entity, ingest.entity_id, ingest.actor) == ("document", result.document_id, CLERK.name)
        assert ingest.after is not None
        assert ingest.after["filename"] == MINUTES.name
        assert ingest.after["status"] == "parsed"
        assert ingest.after["tasks"] == result.tasks
        assert ingest.after["sha256"] == hashlib.sha256(MINUTES.read_bytes()).hexdigest()
        drafts = s.scalars(select(AuditEvent).where(AuditEvent.action == "draft")).all()
        task_ids = set(s.scalars(select(Task.id)).all())
        assert {e.entity_id for e in drafts} == task_ids and len(drafts) == len(task_ids)
        assert verify(s).ok


def test_the_same_bytes_again_create_nothing_not_even_audit_rows(engine: Engine, settings: Settings) -> None:
    first = _ingest(engine, _source(MINUTES), settings)
    with read_session(engine) as s:
        before = _counts(s)
    again = _ingest(engine, _source(MINUTES), settings)
    renamed = _ingest(engine, _source(MINUTES, "copy of minutes.txt"), settings)
    assert (again.outcome, renamed.outcome) == (Outcome.UNCHANGED, Outcome.UNCHANGED)
    assert again.document_id == renamed.document_id == first.document_id
    with read_session(engine) as s:
        assert _counts(s) == before


def test_changed_bytes_under_the_same_name_are_version_two_and_keep_the_old_drafts(
    engine: Engine, settings: Settings
) -> None:
    first = _ingest(engine, _source(MINUTES), settings)
    changed = MINUTES.read_bytes() + "\n同意由区财政局负责落实专项资金。\n".encode()
    second = _ingest(engine, Source(MINUTES.name.upper(), changed), settings)
    assert second.outcome is Outcome.NEW_VERSION and second.version == 2
    with read_session(engine) as s:
        old, new = s.get(Document, first.document_id), s.get(Document, second.document_id)
        assert old is not None and new is not None
        assert (old.is_latest, new.is_latest, new.previous_id) == (False, True, old.id)
        assert new.source_key == old.source_key
        old_tasks = s.scalar(select(func.count()).where(Task.document_id == old.id))
        new_tasks = s.scalar(select(func.count()).where(Task.document_id == new.id))
        assert old_tasks == first.tasks and new_tasks == second.tasks and new_tasks >= old_tasks
    third = _ingest(engine, Source(MINUTES.name, changed + b"\n"), settings)
    assert (third.outcome, third.version) == (Outcome.NEW_VERSION, 3)
    with read_session(engine) as s:
        latest = s.scalars(select(Document.version).where(Document.is_latest.is_(True))).all()
        assert latest == [3]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param("empty.txt", b"", "空的", id="empty"),
        pytest.param("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8, "PDF", id="garbage-pdf"),
    ],
)
def test_an_unreadable_file_is_stored_as_failed_with_its_error_and_original(
    engine: Engine, settings: Settings, name: str, data: bytes, message: str
) -> None:
    result = _ingest(engine, Source(name, data), settings)
    assert result.outcome is Outcome.FAILED
    assert result.error and message in result.error
    with read_session(engine) as s:
        doc = s.get(Document, result.document_id)
        assert doc is not None
        assert (doc.status, doc.error, doc.text) == (DocumentStatus.FAILED, result.error, None)
        assert (settings.data_dir / doc.stored_path).read_bytes() == data
        assert s.scalar(select(func.count()).select_from(Task)) == 0
        [event] = s.scalars(select(AuditEvent)).all()
        assert event.action == "ingest" and event.after is not None and event.after["status"] == "failed"


def test_a_pipeline_crash_is_stored_as_a_failed_document(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Extraction:
        raise RuntimeError("segmenter lost its place")

    monkeypatch.setattr(store, "run", explode)
    result = _ingest(engine, _source(MINUTES), settings)
    assert result.outcome is Outcome.FAILED
    assert result.error is not None and "segmenter lost its place" in result.error
    with read_session(engine) as s:
        doc = s.get(Document, result.document_id)
        assert doc is not None and doc.status == DocumentStatus.FAILED


def test_a_crash_half_way_through_the_tasks_leaves_no_half_document(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafted: list[int] = []
    real_record = audit.record

    def record_then_crash(
        session: Session, actor: Actor, action: str, entity: str, *a: Any, **kw: Any
    ) -> Any:
        event = real_record(session, actor, action, entity, *a, **kw)
        if action == "draft":
            drafted.append(event.id)
            if len(drafted) == 10:
                raise OSError("disk full")
        return event

    monkeypatch.setattr(rows, "record", record_then_crash)
    with pytest.raises(OSError, match="disk full"):
        _ingest(engine, _source(MINUTES), settings)
    assert len(drafted) == 10  # the crash did happen with tasks already flushed
    with read_session(engine) as s:
        assert set(_counts(s).values()) == {0}
    # Nothing was half-stored, so the same file goes in whole afterwards.
    monkeypatch.setattr(rows, "record", real_record)
    assert _ingest(engine, _source(MINUTES), settings).outcome is Outcome.NEW


def test_owner_names_resolve_to_the_units_users_maintain(engine: Engine, settings: Settings) -> None:
    with write_session(engine) as s:
        finance = unit_repo.get_or_create(s, "财政金融局", CLERK)
        unit_repo.add_alias(s, "财政金融局", "区财政局", CLERK)
    _ingest(engine, _source(MINUTES), settings)
    with read_session(engine) as s:
        assert s.scalar(select(Unit).where(Unit.name == "区财政局")) is None
        owned = s.scalar(select(func.count()).select_from(TaskOwner).where(TaskOwner.unit_id == finance.id))
        assert owned and owned >= 1
        created = s.scalars(select(AuditEvent).where(AuditEvent.action == "create")).all()
        units = s.scalars(select(Unit)).all()
        # Every unit, the one created by hand and those created from the document, was audited.
        assert sorted(e.entity_id or 0 for e in created) == sorted(u.id for u in units)


def test_a_declared_abbreviation_becomes_the_full_units_alias(engine: Engine, settings: Settings) -> None:
    _ingest(engine, _source(NOTICES), settings)
    with read_session(engine) as s:
        unit = unit_repo.resolve(s, "市爱卫办")
        assert unit is not None and unit.name == "驻马店市爱国卫生运动委员会办公室"
        assert "市爱卫办" in {a.alias for a in unit.aliases}
        recurring = s.scalars(
            select(Task).join(TaskOwner).where(TaskOwner.unit_id == unit.id, Task.recurrence.is_not(None))
        ).all()
        assert recurring


def _fake_extraction(source: Source) -> Extraction:
    text = source.data.decode()
    header = DocHeader(title="关于做好2030年重点工作的通知", doc_type="notice", date=dt.date(2026, 3, 2))
    owners_task = FoundTask(
        text="由区财政局牵头，财政金融局、税务局配合",
        span=Span(0, 10),
        kind="decision",
        owners=("财政金融局", "税务局"),
        lead="区财政局",
        deadline=dt.date(2030, 6, 30),
        amount_yuan=100000.0,
    )
    known_year = FoundTask(
        text="年底前完成", span=Span(10, 15), kind="requirement", deadline=dt.date(2026, 12, 31)
    )
    first = ExtractedDoc(
        header=header,
        span=Span(0, 20),
        meeting=None,
        people=(FoundPerson("王五", ("区长", "党工委副书记"), Span(0, 2)),),
        tasks=(owners_task, known_year),
        targets=(
            FoundTarget("地区生产总值增长", 6.5, "%", "about", "target", 2026, "增长6.5%左右", Span(2, 8)),
            FoundTarget("地区生产总值增长", 6.8, "%", "exact", "actual", 2026, "增长6.8%", Span(8, 12)),
        ),
    )
    second = ExtractedDoc(
        header=DocHeader(title="第二篇", doc_type="news"),
        span=Span(20, len(text)),
        meeting=None,
        people=(FoundPerson("王五", ("区长",), Span(20, 22)),),
    )
    raw = RawText(source=source, text=text, reader="text", pages=2)
    return Extraction(raw=raw, documents=(first, second))


def test_extracted_facts_map_to_rows(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "run", lambda source, **kw: _fake_extraction(source))
    with write_session(engine) as s:
        unit_repo.get_or_create(s, "财政金融局", CLERK)
        unit_repo.add_alias(s, "财政金融局", "区财政局", CLERK)
    result = _ingest(engine, Source("通知.txt", ("一" * 40).encode()), settings)
    assert (result.outcome, result.sections, result.tasks, result.people, result.targets) == (
        Outcome.NEW, 2, 2, 1, 1
    )  # fmt: skip
    with read_session(engine) as s:
        doc = s.get(Document, result.document_id)
        assert doc is not None and doc.pages == 2 and doc.reader == "text"
        assert (doc.title, doc.doc_type, doc.doc_date) == (
            "关于做好2030年重点工作的通知",
            "notice",
            dt.date(2026, 3, 2),
        )
        assert [(x.index, x.doc_type, x.span_start, x.span_end) for x in doc.sections] == [
            (0, "notice", 0, 20),
            (1, "news", 20, 40),
        ]
        shared, known = s.scalars(select(Task).order_by(Task.span_start)).all()
        # The lead (written 区财政局, an alias of 财政金融局) and 财政金融局 are one owner row, the lead.
        assert [(o.unit.name, o.role, o.position) for o in shared.owners] == [
            ("财政金融局", OwnerRole.LEAD, 0),
            ("税务局", OwnerRole.RESPONSIBLE, 1),
        ]
        # A date written in the document is exact even in a year whose holidays are unpublished.
        assert (shared.deadline, shared.deadline_confirmed, shared.amount_yuan) == (
            dt.date(2030, 6, 30),
            True,
            1e5,
        )
        assert (known.deadline_confirmed, known.kind, known.owners) == (True, "requirement", [])
        [target] = s.scalars(select(Target)).all()
        assert (target.period, target.value, target.unit, target.qualifier) == ("2026", 6.5, "%", "about")
        [actual] = s.scalars(select(TargetActual)).all()
        assert (actual.target_id, actual.value, actual.as_of) == (target.id, 6.8, dt.date(2026, 3, 2))
        titles = s.scalars(select(PersonTitle).order_by(PersonTitle.title)).all()
        assert sorted(t.title for t in titles) == ["党工委副书记", "区长"]  # 区长 once for this document
        assert {t.observed_on for t in titles} == {dt.date(2026, 3, 2)}


def test_an_upload_waits_as_pending_and_is_parsed_once_by_process_document(
    engine: Engine, settings: Settings
) -> None:
    with write_session(engine) as s:
        doc = store_upload(s, _source(MINUTES), CLERK, settings)
        again = store_upload(s, _source(MINUTES), CLERK, settings)
    assert again.id == doc.id
    with read_session(engine) as s:
        pending = s.get(Document, doc.id)
        assert pending is not None and pending.status == DocumentStatus.PENDING and pending.text is None
        assert [e.action for e in s.scalars(select(AuditEvent)).all()] == ["upload"]
    with write_session(engine) as s:
        parsed = process_document(s, doc.id, settings)
        assert parsed.status == DocumentStatus.PARSED
    with read_session(engine) as s:
        assert (s.scalar(select(func.count()).select_from(Task)) or 0) > 10
        ingest = s.scalar(select(AuditEvent).where(AuditEvent.action == "ingest"))
        assert ingest is not None and ingest.actor == store.INGEST_ACTOR.name
    with write_session(engine) as s, pytest.raises(Conflict):
        process_document(s, doc.id, settings)


def test_a_pending_upload_whose_original_vanished_is_marked_failed(
    engine: Engine, settings: Settings
) -> None:
    with write_session(engine) as s:
        doc = store_upload(s, _source(MINUTES), CLERK, settings)
    (settings.data_dir / doc.stored_path).unlink()
    with write_session(engine) as s:
        failed = process_document(s, doc.id, settings)
        assert failed.status == DocumentStatus.FAILED and failed.error and "原件" in failed.error


def test_keeping_an_original_twice_writes_it_once(settings: Settings) -> None:
    sha, relative = store.keep_original(settings, b"abc")
    path = settings.data_dir / relative
    mtime = path.stat().st_mtime_ns
    assert store.keep_original(settings, b"abc") == (sha, relative)
    assert path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [sha]
