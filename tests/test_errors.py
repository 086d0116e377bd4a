"""Every error is the one JSON envelope, with the request's trace id."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from storybot.schemas.prompts import MAX_PROMPT_CHARS


def assert_envelope(response: TestResponse, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.content_type == "application/json"
    body = response.json
    assert set(body) == {"error", "trace_id"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["trace_id"] == response.headers["X-Trace-Id"]
    return body


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post(
        "/api/prompts", data='{"content": "unclosed', content_type="application/json"
    )
    assert_envelope(response, 400, "malformed_json")


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    response = client.post("/api/prompts", data="content=hello", content_type="text/plain")
    assert_envelope(response, 415, "unsupported_media_type")


def test_body_over_the_limit_is_413(client: FlaskClient) -> None:
    huge = '{"content": "' + "a" * 1_100_000 + '"}'
    response = client.post("/api/prompts", data=huge, content_type="application/json")
    assert_envelope(response, 413, "body_too_large")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": 42}, "content"),
        ({"content": "ok", "tags": "not-a-list"}, "tags"),
        ({"content": "ok", "colour": "red"}, "colour"),
        ({}, "content"),
        ({"content": "   \n\t "}, ""),
        ({"content": "x" * (MAX_PROMPT_CHARS + 1)}, "content"),
    ],
)
def test_invalid_prompts_are_422_naming_the_field(
    client: FlaskClient, body: dict, field: str
) -> None:
    response = client.post("/api/prompts", json=body)
    envelope = assert_envelope(response, 422, "validation_error")
    if field:
        assert field in [d["field"] for d in envelope["error"]["details"]]


def test_a_json_body_that_is_not_an_object_is_422(client: FlaskClient) -> None:
    assert_envelope(client.post("/api/prompts", json=["content"]), 422, "validation_error")
    assert_envelope(client.post("/api/prompts", json='{"content": "x"}'), 422, "validation_error")


def test_null_in_a_patch_is_422(client: FlaskClient) -> None:
    prompt = client.post("/api/prompts", json={"content": "x"}).json
    response = client.patch(f"/api/prompts/{prompt['id']}", json={"content": None})
    assert_envelope(response, 422, "validation_error")


def test_unknown_route_under_api_is_json_404(client: FlaskClient) -> None:
    assert_envelope(client.get("/api/no-such-thing"), 404, "not_found")
    assert_envelope(client.get("/api/prompts/999999"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/prompts")
    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_bad_query_parameter_is_422(client: FlaskClient) -> None:
    assert_envelope(client.get("/api/prompts?limit=0"), 422, "validation_error")
    assert_envelope(client.get("/api/prompts?limit=many"), 422, "validation_error")
    assert_envelope(client.get("/api/prompts?cursor=garbage!"), 422, "validation_error")


def test_unexpected_error_is_500_envelope_and_session_is_usable(client: FlaskClient) -> None:
    app = client.application

    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    response = client.get("/api/boom")
    assert_envelope(response, 500, "internal_error")
    assert "kaboom" not in response.get_data(as_text=True)
    assert client.get("/api/prompts").status_code == 200
