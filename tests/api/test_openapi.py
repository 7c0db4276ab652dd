"""The OpenAPI document describes every endpoint: a Chinese tag and summary, typed bodies, problem responses."""

from __future__ import annotations

from typing import Any

from tests.webclient import ClientFactory

OURS = (
    "/api/v1/documents",
    "/api/v1/tasks",
    "/api/v1/units",
    "/api/v1/people",
    "/api/v1/search",
    "/api/v1/scores",
)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in spec["paths"].items()
        if path.startswith(OURS)
        for method, op in ops.items()
    ]


def test_every_endpoint_has_a_chinese_tag_summary_and_problem_responses(client_for: ClientFactory) -> None:
    spec = client_for(None).get("/api/v1/openapi.json").json()
    operations = _operations(spec)
    assert len(operations) == 35
    for method, path, op in operations:
        assert op["tags"] and all(not tag.isascii() for tag in op["tags"]), (method, path)
        assert op["summary"] and not op["summary"].isascii(), (method, path)
        for status in ("401", "403", "404", "409", "422"):
            assert "application/problem+json" in op["responses"][status]["content"], (method, path, status)


def test_bodies_and_answers_are_described_by_models(client_for: ClientFactory) -> None:
    spec = client_for(None).get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {
        "TaskOut",
        "TaskPageOut",
        "EditIn",
        "ExtensionIn",
        "DecideIn",
        "UnitDetailOut",
        "SearchOut",
    } <= set(schemas)
    assert "expected_version" in schemas["InstructIn"]["properties"]
    progress = spec["paths"]["/api/v1/tasks/{task_id}/progress"]["post"]
    assert "multipart/form-data" in progress["requestBody"]["content"]
    ledger = spec["paths"]["/api/v1/tasks"]["get"]
    assert {p["name"] for p in ledger["parameters"]} == {
        "status",
        "unit_id",
        "leader",
        "document_id",
        "due_from",
        "due_to",
        "light",
        "q",
        "sort",
        "page",
        "per_page",
    }
