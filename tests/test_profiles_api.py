"""Reader profiles: adding, listing, changing and removing the people stories are for.

Runs on SQLite and PostgreSQL. What happens to a reader's stories when the reader is
deleted, and a reader's export, are in tests/stories/test_library.py and
tests/stories/test_family_data.py (they need stories written by a fake engine).
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

MIA = {
    "name": "Mia",
    "age": 6,
    "language": "en",
    "reading_level": "early",
    "interests": ["dinosaurs", "space"],
    "favourite_things": ["her red bicycle"],
    "things_to_avoid": ["spiders"],
    "avatar": "🦕",
}


def add(client: FlaskClient, **body: object) -> dict:
    response = client.post("/api/profiles", json=body)
    assert response.status_code == 201, response.json
    return response.json


def refused(response: object, field: str) -> dict:
    """The 422 envelope of a refused request; its message and details name ``field``."""
    assert response.status_code == 422, response.json  # type: ignore[attr-defined]
    body = response.json  # type: ignore[attr-defined]
    error = body["error"]
    assert error["code"] == "validation_error"
    assert body["trace_id"]
    assert field in error["message"], error
    fields = [d["field"] for d in error["details"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), error
    return error


def test_adding_a_reader_answers_201_with_its_address(client: FlaskClient) -> None:
    response = client.post("/api/profiles", json=MIA)
    assert response.status_code == 201
    reader = response.json
    assert response.headers["Location"] == f"/api/profiles/{reader['id']}"
    assert {k: reader[k] for k in MIA} == MIA
    assert len(reader["uuid"]) == 36
    assert reader["created_at"]
    assert reader["updated_at"]
    assert client.get(response.headers["Location"]).json == reader


def test_a_reader_needs_only_a_name(client: FlaskClient) -> None:
    reader = add(client, name="  Leo  ")
    assert reader["name"] == "Leo"  # spaces around the name are dropped
    assert reader["age"] is None
    assert reader["language"] == "en"
    assert reader["reading_level"] == "developing"
    assert reader["interests"] == reader["favourite_things"] == reader["things_to_avoid"] == []
    assert reader["avatar"] == ""


def test_readers_are_listed_by_name(client: FlaskClient) -> None:
    for name in ("Zoe", "adam", "Mia", "Bea"):
        add(client, name=name)
    listed = client.get("/api/profiles").json
    assert [p["name"] for p in listed["items"]] == ["adam", "Bea", "Mia", "Zoe"]
    assert listed["total"] == 4


def test_no_readers_is_an_empty_list(client: FlaskClient) -> None:
    assert client.get("/api/profiles").json == {"items": [], "total": 0}


def test_an_unknown_reader_is_404(client: FlaskClient) -> None:
    for response in (
        client.get("/api/profiles/999"),
        client.patch("/api/profiles/999", json={"name": "Nobody"}),
        client.delete("/api/profiles/999"),
        client.get("/api/profiles/999/export"),
    ):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
        assert "no reader with id 999" in response.json["error"]["message"]


def test_patch_changes_only_the_given_fields(client: FlaskClient) -> None:
    reader = add(client, **MIA)
    response = client.patch(
        f"/api/profiles/{reader['id']}", json={"age": 7, "interests": ["volcanoes"]}
    )
    assert response.status_code == 200
    changed = response.json
    assert changed["age"] == 7
    assert changed["interests"] == ["volcanoes"]
    for key in ("name", "language", "reading_level", "favourite_things", "things_to_avoid"):
        assert changed[key] == reader[key], key
    assert changed["uuid"] == reader["uuid"]
    assert changed["updated_at"] >= reader["updated_at"]
    assert client.get(f"/api/profiles/{reader['id']}").json == changed


def test_an_empty_patch_changes_nothing(client: FlaskClient) -> None:
    reader = add(client, **MIA)
    response = client.patch(f"/api/profiles/{reader['id']}", json={})
    assert response.status_code == 200
    assert {k: response.json[k] for k in MIA} == MIA


def test_the_age_can_be_cleared_with_null(client: FlaskClient) -> None:
    reader = add(client, **MIA)
    response = client.patch(f"/api/profiles/{reader['id']}", json={"age": None})
    assert response.status_code == 200
    assert response.json["age"] is None
    assert response.json["name"] == "Mia"
    assert client.get(f"/api/profiles/{reader['id']}").json["age"] is None


@pytest.mark.parametrize(
    "field",
    ["name", "language", "reading_level", "interests", "favourite_things", "things_to_avoid"],
)
def test_other_fields_may_not_be_cleared_with_null(client: FlaskClient, field: str) -> None:
    reader = add(client, **MIA)
    response = client.patch(f"/api/profiles/{reader['id']}", json={field: None})
    error = refused(response, field)
    assert "null" in error["message"]
    assert client.get(f"/api/profiles/{reader['id']}").json[field] == reader[field]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "   "}, "name", "at least 1 character"),
        ({"name": "x" * 61}, "name", "at most 60 characters"),
        ({"name": "Mia", "age": 0}, "age", "greater than or equal to 1"),
        ({"name": "Mia", "age": 200}, "age", "less than or equal to 120"),
        ({"name": "Mia", "language": "fr"}, "language", "'en' or 'ja'"),
        ({"name": "Mia", "reading_level": "expert"}, "reading_level", "early"),
        ({"name": "Mia", "favourite_colour": "red"}, "favourite_colour", "not permitted"),
        ({"name": "Mia", "interests": "dinosaurs"}, "interests", "valid list"),
        ({"name": "Mia", "interests": [f"thing {i}" for i in range(21)]}, "interests", "20"),
        ({"name": "Mia", "things_to_avoid": [""]}, "things_to_avoid", "at least 1 character"),
        ({"age": 6}, "name", "required"),
    ],
)
def test_invalid_readers_are_refused_with_a_message_naming_the_field(
    client: FlaskClient, body: dict, field: str, words: str
) -> None:
    error = refused(client.post("/api/profiles", json=body), field)
    assert words in error["message"], error["message"]
    assert client.get("/api/profiles").json["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"age": 0}, "age"),
        ({"age": 200}, "age"),
        ({"language": "fr"}, "language"),
        ({"interests": "dinosaurs"}, "interests"),
        ({"interests": [str(i) for i in range(21)]}, "interests"),
        ({"nickname": "Mimi"}, "nickname"),
    ],
)
def test_invalid_changes_are_refused_and_change_nothing(
    client: FlaskClient, body: dict, field: str
) -> None:
    reader = add(client, **MIA)
    refused(client.patch(f"/api/profiles/{reader['id']}", json=body), field)
    assert client.get(f"/api/profiles/{reader['id']}").json == reader


def test_twenty_interests_are_allowed(client: FlaskClient) -> None:
    interests = [f"thing {i}" for i in range(20)]
    assert add(client, name="Mia", interests=interests)["interests"] == interests


def test_japanese_names_and_interests_round_trip(client: FlaskClient) -> None:
    hana = {
        "name": "はなこ",
        "age": 5,
        "language": "ja",
        "interests": ["くま", "はちみつ", "宇宙"],
        "favourite_things": ["あかい かさ"],
        "things_to_avoid": ["おばけ"],
        "avatar": "🐻",
    }
    reader = add(client, **hana)
    assert {k: reader[k] for k in hana} == hana
    assert client.get(f"/api/profiles/{reader['id']}").json == reader
    assert client.get("/api/profiles").json["items"] == [reader]
    changed = client.patch(f"/api/profiles/{reader['id']}", json={"name": "はな子"}).json
    assert changed["name"] == "はな子"
    assert changed["interests"] == hana["interests"]


def test_deleting_a_reader_answers_204_then_404(client: FlaskClient) -> None:
    reader = add(client, **MIA)
    other = add(client, name="Leo")
    response = client.delete(f"/api/profiles/{reader['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get(f"/api/profiles/{reader['id']}").status_code == 404
    assert client.delete(f"/api/profiles/{reader['id']}").status_code == 404
    assert client.get("/api/profiles").json["items"] == [other]
