"""Document pages: upload (several files, per-file errors, duplicates), live status, list, view, original."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from duban.db.models import Document, Task
from duban.db.session import read_session, write_session
from duban.ingest.store import ingest_file
from duban.ingest.types import Source
from duban.server.app import create_app
from duban.workflow.audit import Actor
from tests.personas import World
from tests.webclient import BASE_URL, ClientFactory, sign_in, web_settings

SEEDS = Path("/work/shared/corpus/seeds")
SEED = sorted(SEEDS.glob("*.txt"))[0]
SEED2 = sorted(SEEDS.glob("*.txt"))[1]


def _upload(client: TestClient, *files: tuple[str, bytes], fragment: bool = False) -> httpx.Response:
    url = "/documents/upload" + ("?fragment=1" if fragment else "")
    return client.post(
        url, files=[("files", (name, data, "application/octet-stream")) for name, data in files]
    )


def _document_id(engine: Engine, filename: str) -> int:
    with read_session(engine) as session:
        found = session.scalar(select(Document.id).where(Document.filename == filename))
        assert found is not None
        return found


def _store_text(engine: Engine, data_dir: Path, text: str, name: str = "note.txt") -> int:
    """A parsed document with this text, as ingest would store it (no upload needed)."""
    settings = web_settings(data_dir)
    with write_session(engine) as session:
        result = ingest_file(session, Source(name, text.encode()), Actor("测试"), settings)
        return result.document_id


def test_uploading_a_seed_minutes_stores_and_parses_it_into_drafts(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    response = _upload(client, (SEED.name, SEED.read_bytes()))
    assert response.status_code == 200
    assert SEED.name in response.text
    document_id = _document_id(engine, SEED.name)
    # The page answered before parsing; the status row polls until the document is parsed.
    assert f'hx-get="/documents/{document_id}/status"' in response.text
    status = client.get(f"/documents/{document_id}/status")
    assert status.status_code == 200
    assert "hx-trigger" not in status.text
    drafts = int(re.search(r'class="draft-count">(\d+)<', status.text).group(1))  # type: ignore[union-attr]
    assert drafts > 10
    assert f"/documents/{document_id}/review" in status.text
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).where(Task.document_id == document_id)) == drafts


def test_the_status_fragment_keeps_polling_while_a_document_is_pending(
    client_for: ClientFactory, world: World, engine: Engine, tmp_path: Path
) -> None:
    app = create_app(web_settings(tmp_path, queue_immediate=False), engine)
    client = sign_in(TestClient(app, base_url=BASE_URL), engine, world.supervisor)
    with mock.patch("duban.jobs.enqueue_process_document") as enqueue:
        _upload(client, (SEED.name, SEED.read_bytes()))
    document_id = _document_id(engine, SEED.name)
    enqueue.assert_called_once_with(document_id)
    status = client.get(f"/documents/{document_id}/status")
    assert 'hx-trigger="every 2s"' in status.text and "解析中" in status.text


def test_several_files_upload_at_once_each_with_its_own_status(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    response = _upload(
        client_for(world.supervisor), (SEED.name, SEED.read_bytes()), (SEED2.name, SEED2.read_bytes())
    )
    assert response.status_code == 200
    first, second = _document_id(engine, SEED.name), _document_id(engine, SEED2.name)
    assert f'id="doc-status-{first}"' in response.text and f'id="doc-status-{second}"' in response.text
    with read_session(engine) as session:
        statuses = session.scalars(select(Document.status)).all()
    assert sorted(statuses) == ["parsed", "parsed"]


def test_refused_files_are_named_with_the_reason_and_the_good_file_is_kept(
    world: World, engine: Engine, tmp_path: Path
) -> None:
    app = create_app(web_settings(tmp_path, max_upload_mb=1), engine)
    client = sign_in(TestClient(app, base_url=BASE_URL, follow_redirects=False), engine, world.supervisor)
    response = _upload(
        client,
        ("empty.txt", b""),
        ("virus.exe", b"MZ\x90\x00"),
        ("huge.txt", "一".encode() * 400_000),
        (SEED.name, SEED.read_bytes()),
    )
    assert response.status_code == 200
    assert "文件“empty.txt”是空的" in response.text
    assert "不支持文件“virus.exe”的格式" in response.text
    assert "文件“huge.txt”超过1MB上限" in response.text
    with read_session(engine) as session:
        assert session.scalars(select(Document.filename)).all() == [SEED.name]


def test_only_refused_files_answer_422_in_the_fragment(client_for: ClientFactory, world: World) -> None:
    response = _upload(client_for(world.supervisor), ("virus.exe", b"MZ"), fragment=True)
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<li") and "<html" not in response.text
    assert "virus.exe" in response.text


def test_uploading_the_same_bytes_again_says_it_exists_and_links_to_it(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    _upload(client, (SEED.name, SEED.read_bytes()))
    again = _upload(client, ("copy.txt", SEED.read_bytes()), fragment=True)
    document_id = _document_id(engine, SEED.name)
    assert again.status_code == 200
    assert "已上传过" in again.text and f'href="/documents/{document_id}"' in again.text
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_an_upload_without_files_asks_for_one(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).post(
        "/documents/upload", files=[("files", ("", b"", "application/octet-stream"))]
    )
    assert response.status_code == 422 and "请选择要上传的文件" in response.text


def test_the_upload_page_has_a_dropzone_and_a_plain_multipart_form(
    client_for: ClientFactory, world: World
) -> None:
    page = client_for(world.supervisor).get("/documents/upload")
    assert page.status_code == 200
    assert 'class="dropzone"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert 'name="csrf_token"' in page.text and "/static/js/upload.js" in page.text


def test_the_list_shows_newest_first_with_counts_and_status(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    _upload(client, (SEED.name, SEED.read_bytes()))
    _upload(client, (SEED2.name, SEED2.read_bytes()))
    page = client.get("/documents")
    assert page.status_code == 200
    assert page.text.index(SEED2.name) < page.text.index(SEED.name)
    assert "驻高新办纪〔2026〕4号" in page.text and "会议纪要" in page.text and "已解析" in page.text


def test_a_failed_document_shows_its_error_and_still_offers_the_original(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    data = b"\x00\x01\x02garbage" * 10
    _upload(client, ("broken.pdf", data))
    document_id = _document_id(engine, "broken.pdf")
    page = client.get(f"/documents/{document_id}")
    assert page.status_code == 200 and "解析失败" in page.text
    assert f"/documents/{document_id}/original" in page.text
    original = client.get(f"/documents/{document_id}/original")
    assert original.status_code == 200 and original.content == data
    assert "attachment" in original.headers["content-disposition"]
    assert "解析失败" in client.get("/documents").text


def test_the_document_view_highlights_tasks_targets_money_and_people(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    _upload(client, (SEED.name, SEED.read_bytes()))
    document_id = _document_id(engine, SEED.name)
    page = client.get(f"/documents/{document_id}")
    assert page.status_code == 200
    with read_session(engine) as session:
        task_id = session.scalar(select(func.min(Task.id)).where(Task.document_id == document_id))
    assert page.text.count('<mark class="hl-task"') >= 30
    assert f'<a href="/tasks/{task_id}">' in page.text
    assert page.text.count('<mark class="hl-money"') >= 3
    assert page.text.count('<mark class="hl-target"') >= 1
    assert '<mark class="hl-person" title="人员：张卫东（市人大常委会副主任' in page.text
    for field in ("驻高新办纪〔2026〕4号", "中共驻马店高新技术产业开发区工作委员会", "2026年4月17日"):
        assert field in page.text
    assert page.text.count("<mark") == page.text.count("</mark>")


def test_document_text_is_escaped_never_markup(
    client_for: ClientFactory, world: World, engine: Engine, tmp_path: Path
) -> None:
    text = "会议纪要\n会议决定：\n（一）<script>alert(1)</script>由区财政局负责 A&B 项目资金拨付。\n"
    document_id = _store_text(engine, tmp_path, text)
    page = client_for(world.leader).get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "A&amp;B" in page.text


def test_the_original_is_downloaded_byte_for_byte(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    client = client_for(world.supervisor)
    _upload(client, (SEED.name, SEED.read_bytes()))
    response = client.get(f"/documents/{_document_id(engine, SEED.name)}/original")
    assert response.status_code == 200 and response.content == SEED.read_bytes()


def test_unit_users_are_refused_document_pages_with_a_reason(
    client_for: ClientFactory, world: World, engine: Engine, tmp_path: Path
) -> None:
    document_id = _store_text(engine, tmp_path, "通知\n请各单位做好准备。\n")
    client = client_for(world.unit_a_user)
    for path in ("/documents", f"/documents/{document_id}", f"/documents/{document_id}/original"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "仅供督查室和领导查看" in response.text
    assert client.get("/documents/upload").status_code == 403


def test_leaders_read_documents_but_cannot_upload(
    client_for: ClientFactory, world: World, engine: Engine, tmp_path: Path
) -> None:
    document_id = _store_text(engine, tmp_path, "通知\n请各单位做好准备。\n")
    client = client_for(world.leader)
    assert client.get("/documents").status_code == 200
    assert client.get(f"/documents/{document_id}").status_code == 200
    assert _upload(client, (SEED.name, SEED.read_bytes())).status_code == 403
    assert 'href="/documents/upload"' not in client.get("/documents").text


def test_an_unknown_document_is_404(client_for: ClientFactory, world: World) -> None:
    assert client_for(world.supervisor).get("/documents/999999").status_code == 404
