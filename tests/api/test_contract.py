"""The OpenAPI document is a valid contract: it validates, says who may call what, documents
every error with the envelope, bounds every request field, and ids beyond the database's
range are 404s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from storybot.api.contract import UNSAFE_METHODS, access_of, expected_errors
from storybot.cli import main
from storybot.schemas.common import MAX_DB_ID

ENVELOPES = {"#/components/schemas/ErrorEnvelope", "#/components/schemas/ValidationErrorEnvelope"}
# The operations anyone may call (docs/api.md, "Accounts").
PUBLIC = {
    ("get", "/api/health"),
    ("get", "/api/ready"),
    ("get", "/api/openapi.json"),
    ("get", "/api/auth/setup"),
    ("post", "/api/auth/setup"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
}


@pytest.fixture(scope="module")
def document(contract_app: Flask) -> dict[str, Any]:
    """The document as a client reads it."""
    response = contract_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (method, path, operation) of the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_the_document_validates(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_security_schemes_and_who_may_call_each_operation(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert schemes["cookieAuth"]["name"] == "storybot_session"
    assert schemes["csrfHeader"]["in"] == "header"
    assert schemes["csrfHeader"]["name"] == "X-CSRF-Token"
    assert document["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            assert operation["security"] == [], (method, path)
        elif method in UNSAFE_METHODS:
            assert operation["security"] == [
                {"bearerAuth": []},
                {"cookieAuth": [], "csrfHeader": []},
            ], (method, path)
        else:
            assert "security" not in operation, (method, path)  # the document's default

    admin_only = {
        (m, p) for m, p, operation in operations(document) if "403" in operation["responses"]
    }
    assert ("get", "/api/users") in admin_only
    assert ("patch", "/api/settings") in admin_only
    assert ("get", "/api/settings") not in admin_only


def test_the_document_says_public_exactly_what_the_server_lets_in(
    contract_app: Flask, document: dict[str, Any]
) -> None:
    said = {(m, p) for m, p, op in operations(document) if op.get("security") == []}
    assert said == PUBLIC
    let_in = set()
    for rule in contract_app.url_map.iter_rules():
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if access_of(contract_app, rule.endpoint, method.lower()) == "public":
                let_in.add((method.lower(), rule.rule))
    assert {(m, p) for m, p in let_in if p.startswith("/api/")} == PUBLIC


def test_every_error_is_documented_with_the_envelope(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        responses = operation["responses"]
        for status, response in responses.items():
            if int(status) < 400 or (path, status) == ("/api/ready", "503"):
                continue  # the readiness answer is the Health model, ok or not
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"] in ENVELOPES, (method, path, status)
            if status == "422":
                assert schema["$ref"].endswith("ValidationErrorEnvelope")
            if status in ("429", "503"):
                assert "Retry-After" in response["headers"], (method, path, status)
        access = "public" if operation.get("security") == [] else "member"
        documented = {int(s) for s in responses}
        assert expected_errors(method, path, operation, access) <= documented, (method, path)
        assert 500 in documented


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def unbounded(document: dict[str, Any], schema: dict[str, Any], where: str) -> Iterator[str]:
    """The places in ``schema`` where a string, a list or a map has no length limit."""
    seen: set[int] = set()

    def walk(node: dict[str, Any], at: str) -> Iterator[str]:
        node = _resolve(document, node)
        if id(node) in seen:
            return
        seen.add(id(node))
        kind = node.get("type")
        # A choice or a date-time is bounded by what it may be.
        fixed = {"enum", "const"} & set(node) or node.get("format") == "date-time"
        if kind == "string" and "maxLength" not in node and not fixed:
            yield f"{at}: a string without maxLength"
        if kind == "array":
            if "maxItems" not in node:
                yield f"{at}: a list without maxItems"
            yield from walk(node.get("items", {}), f"{at}[]")
        if kind == "object" and isinstance(node.get("additionalProperties"), dict):
            if "maxProperties" not in node:
                yield f"{at}: a map without maxProperties"
            yield from walk(node.get("propertyNames", {"type": "string"}), f"{at}{{key}}")
            yield from walk(node["additionalProperties"], f"{at}{{}}")
        for name, child in node.get("properties", {}).items():
            yield from walk(child, f"{at}.{name}")
        for key in ("anyOf", "oneOf", "allOf"):
            for child in node.get(key, []):
                yield from walk(child, at)

    yield from walk(schema, where)


def test_every_request_string_and_list_has_a_length_limit(document: dict[str, Any]) -> None:
    found = []
    for method, path, operation in operations(document):
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters", []):
            label = f"{where} {parameter['in']} {parameter['name']}"
            found += unbounded(document, parameter["schema"], label)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            found += unbounded(document, body["schema"], f"{where} body")
    assert found == []


def test_the_walk_finds_an_unbounded_field() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
            "values": {"type": "object", "additionalProperties": {"type": "integer"}},
            "kind": {"type": "string", "enum": ["a", "b"]},
        },
    }
    assert sorted(unbounded({}, schema, "body")) == [
        "body.name: a string without maxLength",
        "body.tags: a list without maxItems",
        "body.values: a map without maxProperties",
        "body.values{key}: a string without maxLength",
    ]


def test_ids_are_the_database_range(document: dict[str, Any]) -> None:
    parameters = document["paths"]["/api/stories/{story_id}"]["get"]["parameters"]
    (story_id,) = [p for p in parameters if p["name"] == "story_id"]
    assert story_id["schema"]["minimum"] == 1
    assert story_id["schema"]["maximum"] == MAX_DB_ID == 2**31 - 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/stories/18446744073709551616/regenerate"),
        ("post", "/api/stories/18446744073709551616/continue"),
        ("get", f"/api/stories/{2**31}"),
        ("get", "/api/stories/0/events"),
        ("get", "/api/stories/-1"),
        ("patch", f"/api/prompts/{2**63}"),
        ("delete", f"/api/profiles/{2**31}"),
    ],
)
def test_ids_beyond_the_range_are_not_found(
    contract_app: Flask, auth_headers: dict[str, str], method: str, path: str
) -> None:
    client: FlaskClient = contract_app.test_client()
    response = client.open(path, method=method.upper(), headers=auth_headers, json={})
    assert response.status_code == 404, response.json
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/stories", {"prompt_id": 2**64}),
        ("/api/stories", {"prompt": "A fox", "profile_id": 2**31}),
        ("/api/stories", {"prompt": "A fox", "profile_id": 0}),
    ],
)
def test_ids_beyond_the_range_in_a_body_are_refused(
    contract_app: Flask, auth_headers: dict[str, str], path: str, body: dict[str, Any]
) -> None:
    response = contract_app.test_client().post(path, headers=auth_headers, json=body)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"


@pytest.mark.parametrize("value", ["18446744073709551616", "²", "-1"])
def test_a_last_event_id_beyond_the_range_is_refused(
    contract_app: Flask, auth_headers: dict[str, str], value: str
) -> None:
    client = contract_app.test_client()
    story = client.post("/api/stories", headers=auth_headers, json={"prompt": "A fox"})
    assert story.status_code == 202, story.json
    response = client.get(
        f"/api/stories/{story.json['id']}/events", headers={**auth_headers, "Last-Event-ID": value}
    )
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "Last-Event-ID"


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "kind"),
    [
        ("post", "/api/prompts", {"content": "a\x00b"}, "content", "nul_character"),
        ("post", "/api/profiles", {"name": "Mia", "interests": ["a\x00"]}, "interests.0", None),
        ("get", "/api/stories?q=a%00b", None, "q", "nul_character"),
        ("get", "/api/prompts?q=fox&q=owl", None, "q", "given_twice"),
    ],
)
def test_text_no_route_takes_is_refused(
    contract_app: Flask,
    auth_headers: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    field: str,
    kind: str | None,
) -> None:
    client = contract_app.test_client()
    response = client.open(path, method=method.upper(), headers=auth_headers, json=body)
    assert response.status_code == 422, response.json
    (detail,) = response.json["error"]["details"]
    assert detail["field"] == field
    assert detail["type"] == (kind or "nul_character")


def test_the_openapi_command_writes_the_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    result = CliRunner().invoke(main, ["openapi", str(target)])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text(encoding="utf-8"))
    validate(document)
    assert "/api/stories/{story_id}" in document["paths"]
