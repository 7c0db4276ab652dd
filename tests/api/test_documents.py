"""Documents over HTTP: upload a real seed and see its drafts, duplicates, bad files, who may read what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from duban.server.app import create_app
from tests.api.helpers import CALLERS, add_document, caller, is_problem
from tests.personas import World
from tests.webclient import BASE_URL, ClientFactory, sign_in, web_settings

SEEDS = Path("/work/shared/corpus/seeds")
SEED = sorted(SEEDS.glob("*.txt"))[0] if SEEDS.is_dir() else None
needs_seed = pytest.mark.skipif(SEED is None, reason="the demo corpus is not on this machine")

# Documents are the supervision office's material: unit users get 403 on all of them.
READ = {"supervisor": 200, "unit_a": 403, "unit_b": 403, "leader": 200, "anonymous": 401}
UPLOAD = {"supervisor": 202, "unit_a": 403, "unit_b": 403, "leader": 403, "anonymous": 401}


def _upload(client: TestClient, *files: tuple[str, bytes]) -> object:
    return client.post(
        "/api/v1/documents", files=[("files", (name, data, "text/plain")) for name, data in files]
    )


@needs_seed
def test_uploading_a_seed_parses_it_into_draft_tasks(client_for: ClientFactory, world: World) -> None:
    assert SEED is not None
    client = caller(client_for, world, "supervisor")
    response = client.post(
        "/api/v1/documents", files=[("files", (SEED.name, SEED.read_bytes(), "text/plain"))]
    )
    assert response.status_code == 202, response.text
    [doc] = response.json()["documents"]
    assert (doc["filename"], doc["status"], doc["status_label"]) == (SEED.name, "parsed", "已解析")

    extraction = client.get(f"/api/v1/documents/{doc['id']}/extraction").json()
    assert extraction["extraction"] and extraction["status"] == "parsed"
    assert len(extraction["tasks"]) >= 3
    assert {t["status"] for t in extraction["tasks"]} == {"draft"}
    assert all(t["document_id"] == doc["id"] for t in extraction["tasks"])

    detail = client.get(f"/api/v1/documents/{doc['id']}").json()
    assert detail["tasks"] == len(extraction["tasks"]) and detail["sections"]
    assert detail["text"] and detail["title"]
    task = client.get(f"/api/v1/tasks/{extraction['tasks'][0]['id']}").json()
    assert task["source"]["sentence"] and task["source"]["sentence"] in detail["text"]

    original = client.get(f"/api/v1/documents/{doc['id']}/original")
    assert original.status_code == 200 and original.content == SEED.read_bytes()


@needs_seed
def test_the_same_bytes_twice_are_one_document(client_for: ClientFactory, world: World) -> None:
    assert SEED is not None
    client = caller(client_for, world, "supervisor")
    first = _upload(client, (SEED.name, SEED.read_bytes())).json()["documents"][0]  # type: ignore[attr-defined]
    again = _upload(client, ("改名.txt", SEED.read_bytes())).json()["documents"][0]  # type: ignore[attr-defined]
    assert again["id"] == first["id"]
    listed = client.get("/api/v1/documents").json()
    assert listed["total"] == 1 and listed["items"][0]["tasks"] >= 3


def test_several_files_in_one_upload(client_for: ClientFactory, world: World) -> None:
    client = caller(client_for, world, "supervisor")
    response = _upload(
        client,
        ("甲.txt", "关于开展安全检查的通知\n区应急局负责组织开展安全生产大检查。".encode()),
        ("乙.txt", "关于做好防汛工作的通知\n区水务局负责汛期值守。".encode("gb18030")),
    )
    assert response.status_code == 202  # type: ignore[attr-defined]
    assert [d["filename"] for d in response.json()["documents"]] == ["甲.txt", "乙.txt"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("空.txt", b"", 422, "empty_file"),
        ("setup.exe", b"MZ\x90\x00\x03", 415, "unsupported_file_type"),
    ],
)
def test_bad_files_are_refused_with_a_clear_problem(
    client_for: ClientFactory, world: World, name: str, data: bytes, status: int, code: str
) -> None:
    client = caller(client_for, world, "supervisor")
    response = _upload(client, (name, data))
    assert is_problem(response, status)
    assert response.json()["code"] == code and name in response.json()["detail"]  # type: ignore[attr-defined]
    assert client.get("/api/v1/documents").json()["total"] == 0


def test_an_upload_without_files_is_a_422_problem(client_for: ClientFactory, world: World) -> None:
    response = caller(client_for, world, "supervisor").post("/api/v1/documents", data={"x": "1"})
    assert is_problem(response, 422)


@pytest.fixture
def small_limit_client(engine: Engine, tmp_path: Path, world: World) -> Iterator[TestClient]:
    """A server that accepts files up to 1 MB."""
    app = create_app(web_settings(tmp_path, max_upload_mb=1), engine)
    with TestClient(app, base_url=BASE_URL, follow_redirects=False) as client:
        yield sign_in(client, engine, world.supervisor)


def test_a_file_over_the_limit_is_413(small_limit_client: TestClient) -> None:
    big = "通知正文。".encode() * 80_000  # 1.2 MB
    response = _upload(small_limit_client, ("大文件.txt", big))
    assert is_problem(response, 413)
    assert "1MB" in response.json()["detail"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", CALLERS)
def test_who_may_upload(client_for: ClientFactory, world: World, who: str) -> None:
    response = _upload(caller(client_for, world, who), ("通知.txt", "区财政局负责资金拨付。".encode()))
    assert response.status_code == UPLOAD[who]  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("suffix", ["", "/extraction"])
def test_who_may_read_documents(
    client_for: ClientFactory, world: World, engine: Engine, who: str, suffix: str
) -> None:
    doc = add_document(engine, title="会议纪要", text="会议决定：区财政局负责。")
    client = caller(client_for, world, who)
    assert client.get("/api/v1/documents").status_code == READ[who]
    assert client.get(f"/api/v1/documents/{doc}{suffix}").status_code == READ[who]


@pytest.mark.parametrize("who", CALLERS)
def test_who_may_download_an_original(client_for: ClientFactory, world: World, who: str) -> None:
    sup = caller(client_for, world, "supervisor")
    [doc] = _upload(sup, ("通知.txt", "区财政局负责资金拨付。".encode())).json()["documents"]  # type: ignore[attr-defined]
    response = caller(client_for, world, who).get(f"/api/v1/documents/{doc['id']}/original")
    assert response.status_code == READ[who]
    if response.status_code == 200:
        assert response.content == "区财政局负责资金拨付。".encode()


def test_a_missing_document_is_404(client_for: ClientFactory, world: World) -> None:
    client = caller(client_for, world, "leader")
    for path in ("", "/extraction", "/original"):
        assert is_problem(client.get(f"/api/v1/documents/424242{path}"), 404)


def test_the_document_list_pages_and_filters_by_status(
    client_for: ClientFactory, world: World, engine: Engine
) -> None:
    for n in range(3):
        add_document(engine, title=f"通知{n}", text="正文", filename=f"{n}.txt")
    add_document(engine, title="坏文件", text="", filename="bad.txt", status="failed")
    client = caller(client_for, world, "supervisor")
    page = client.get("/api/v1/documents?per_page=2&page=2").json()
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    failed = client.get("/api/v1/documents?status=failed").json()
    assert [d["title"] for d in failed["items"]] == ["坏文件"]
    assert is_problem(client.get("/api/v1/documents?status=lost"), 422)
