"""Errors as problem+json with a Chinese detail a user can act on."""

from __future__ import annotations

from tests.personas import World
from tests.webclient import ClientFactory


def test_malformed_json_says_so_in_chinese(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).post(
        "/api/v1/tokens", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "请求体不是有效的 JSON"


def test_missing_field_is_named_with_a_chinese_reason(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).post("/api/v1/tokens", json={})
    body = response.json()
    assert response.status_code == 422
    assert body["detail"] == "提交的内容格式不正确：name（必填项缺失）"
    assert body["errors"] == [{"field": "name", "type": "missing", "message": "必填项缺失"}]


def test_unknown_api_path_is_a_404_problem(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["title"] == "未找到"


def test_unknown_page_is_a_404_page_with_the_menu(client_for: ClientFactory, world: World) -> None:
    response = client_for(world.supervisor).get("/nothing-here")
    assert response.status_code == 404
    assert "未找到" in response.text and "退出登录" in response.text


def test_error_page_links_back_only_to_this_site(client_for: ClientFactory, world: World) -> None:
    client = client_for(world.supervisor)
    here = client.get("/nothing-here", headers={"referer": "https://testserver/tasks?status=draft"})
    assert 'href="/tasks?status=draft"' in here.text and "返回上一页" in here.text
    elsewhere = client.get("/nothing-here", headers={"referer": "https://evil.example/phish"})
    assert "返回上一页" not in elsewhere.text and "evil.example" not in elsewhere.text
