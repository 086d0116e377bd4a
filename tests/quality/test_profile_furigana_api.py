"""The furigana fields of readers through the API (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

HANA = {"name": "はな", "age": 7, "language": "ja"}


def add(client: FlaskClient, **body: object) -> dict:
    response = client.post("/api/profiles", json=body)
    assert response.status_code == 201, response.json
    return response.json


def refused(response: object, field: str) -> dict:
    """The 422 envelope, with a trace id, naming ``field`` in its message and details."""
    assert response.status_code == 422, response.json  # type: ignore[attr-defined]
    body = response.json  # type: ignore[attr-defined]
    assert body["error"]["code"] == "validation_error"
    assert body["trace_id"]
    assert field in body["error"]["message"]
    assert field in [d["field"] for d in body["error"]["details"]]
    return body["error"]


def test_a_new_reader_sees_kanji_as_written(client: FlaskClient) -> None:
    reader = add(client, **HANA)
    assert reader["furigana"] == "none"
    assert reader["kanji_grade"] is None


@pytest.mark.parametrize("mode", ["none", "all", "above_grade", "hiragana"])
def test_each_mode_round_trips(client: FlaskClient, mode: str) -> None:
    reader = add(client, **HANA, furigana=mode, kanji_grade=2)
    again = client.get(f"/api/profiles/{reader['id']}").json
    assert (again["furigana"], again["kanji_grade"]) == (mode, 2)


def test_the_grade_changes_and_clears(client: FlaskClient) -> None:
    reader = add(client, **HANA, furigana="above_grade", kanji_grade=3)
    changed = client.patch(f"/api/profiles/{reader['id']}", json={"kanji_grade": 5}).json
    assert changed["kanji_grade"] == 5
    cleared = client.patch(f"/api/profiles/{reader['id']}", json={"kanji_grade": None})
    assert cleared.status_code == 200
    assert cleared.json["kanji_grade"] is None  # the age (7) gives the grade from now on


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"furigana": "some"}, "furigana"),
        ({"furigana": None}, "furigana"),
        ({"kanji_grade": 0}, "kanji_grade"),
        ({"kanji_grade": 7}, "kanji_grade"),
        ({"kanji_grade": "two"}, "kanji_grade"),
    ],
)
def test_bad_values_are_refused_with_the_envelope(
    client: FlaskClient, body: dict, field: str
) -> None:
    refused(client.post("/api/profiles", json={**HANA, **body}), field)
    reader = add(client, **HANA)
    refused(client.patch(f"/api/profiles/{reader['id']}", json=body), field)
    assert client.get(f"/api/profiles/{reader['id']}").json["furigana"] == "none"


def test_above_grade_needs_a_grade_or_an_age(client: FlaskClient) -> None:
    error = refused(
        client.post("/api/profiles", json={"name": "ゆい", "furigana": "above_grade"}),
        "kanji_grade",
    )
    assert "age" in error["message"]
    reader = add(client, name="ゆい", furigana="above_grade", kanji_grade=2)
    refused(
        client.patch(f"/api/profiles/{reader['id']}", json={"kanji_grade": None}), "kanji_grade"
    )
    assert client.get(f"/api/profiles/{reader['id']}").json["kanji_grade"] == 2
    aged = client.patch(f"/api/profiles/{reader['id']}", json={"age": 9, "kanji_grade": None})
    assert aged.status_code == 200
