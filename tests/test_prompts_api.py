"""The prompt library API, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask.testing import FlaskClient

EXAMPLES = 5  # a fresh database holds the bundled example prompts


def create(client: FlaskClient, **body: object) -> dict:
    response = client.post("/api/prompts", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_fresh_database_has_english_and_japanese_examples(client: FlaskClient) -> None:
    page = client.get("/api/prompts?limit=100").json
    assert page["total"] == EXAMPLES
    contents = " ".join(p["content"] for p in page["items"])
    assert "bedtime story" in contents
    assert "おはなし" in contents


def test_create_answers_201_with_location_and_the_prompt(client: FlaskClient) -> None:
    response = client.post("/api/prompts", json={"content": "A dragon who loves tea."})
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"] == f"/api/prompts/{body['id']}"
    assert body["content"] == "A dragon who loves tea."
    assert len(body["uuid"]) == 36
    assert client.get(response.headers["Location"]).json == body


def test_list_is_newest_first_and_pages_with_a_cursor(client: FlaskClient) -> None:
    made = [create(client, content=f"story number {i}")["id"] for i in range(7)]
    first = client.get("/api/prompts?limit=4").json
    assert first["total"] == EXAMPLES + 7
    assert [p["id"] for p in first["items"]] == made[::-1][:4]
    seen = [p["id"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/prompts?limit=4&cursor={cursor}").json
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == EXAMPLES + 7
    assert seen[:7] == made[::-1]


def test_search_finds_japanese_and_english_text(client: FlaskClient) -> None:
    create(client, content="くまのプーさんとはちみつ", title="はちみつ")
    create(client, content="A Honey badger goes to school")
    create(client, content="100% true story_of a cat")
    assert [p["content"] for p in client.get("/api/prompts?q=はちみつ").json["items"]] == [
        "くまのプーさんとはちみつ"
    ]
    assert client.get("/api/prompts?q=honey").json["total"] == 1
    assert client.get("/api/prompts?q=くま").json["total"] == 1
    # LIKE wildcards in the query are literal text
    assert client.get("/api/prompts?q=0%25 true").json["total"] == 1
    assert client.get("/api/prompts?q=y_of").json["total"] == 1
    assert client.get("/api/prompts?q=zzz_").json["total"] == 0


def test_filter_by_tag(client: FlaskClient) -> None:
    create(client, content="a", tags=["sea", "fish"])
    create(client, content="b", tags=["seaside"])
    found = client.get("/api/prompts?tag=sea").json
    assert [p["content"] for p in found["items"]] == ["a"]


def test_patch_changes_only_given_fields(client: FlaskClient) -> None:
    prompt = create(client, content="Old text", title="Old", tags=["x"])
    response = client.patch(f"/api/prompts/{prompt['id']}", json={"title": "New"})
    assert response.status_code == 200
    assert response.json["title"] == "New"
    assert response.json["content"] == "Old text"
    assert response.json["tags"] == ["x"]
    assert response.json["uuid"] == prompt["uuid"]


def test_delete_answers_204_then_404(client: FlaskClient) -> None:
    prompt = create(client, content="Short-lived")
    response = client.delete(f"/api/prompts/{prompt['id']}")
    assert response.status_code == 204
    assert response.data == b""
    missing = client.get(f"/api/prompts/{prompt['id']}")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    assert client.delete(f"/api/prompts/{prompt['id']}").status_code == 404


def test_japanese_text_and_emoji_round_trip_unchanged(client: FlaskClient) -> None:
    text = (
        "むかしむかし、🐉 ドラゴンと👧🏽 女の子が「こんにちは」と言いました。"
        "\n改行も　全角スペースも。"
    )
    prompt = create(client, content=text, title="竜と少女 🐲", tags=["ぼうけん", "🌙"])
    again = client.get(f"/api/prompts/{prompt['id']}").json
    assert again["content"] == text
    assert again["title"] == "竜と少女 🐲"
    assert again["tags"] == ["ぼうけん", "🌙"]


def test_template_variables_are_declared_and_typed(client: FlaskClient) -> None:
    prompt = create(
        client,
        content="{{reader.name}} meets {{count}} {{animal}}s and a {{hat}}; {not a var} {{ }}",
        variables=[
            {"name": "count", "type": "number", "default": 3},
            {"name": "animal", "type": "choice", "options": ["cat", "dog"], "default": "cat"},
        ],
    )
    by_name = {v["name"]: v for v in prompt["variables"]}
    assert set(by_name) == {"count", "animal", "hat"}
    assert by_name["hat"]["type"] == "text"  # used but not declared: a text variable


def test_unknown_reader_field_is_rejected(client: FlaskClient) -> None:
    response = client.post("/api/prompts", json={"content": "Hi {{reader.shoe_size}}"})
    assert response.status_code == 422
    assert "reader.shoe_size" in response.json["error"]["message"]


def test_choice_default_must_be_an_option(client: FlaskClient) -> None:
    response = client.post(
        "/api/prompts",
        json={
            "content": "{{pet}}",
            "variables": [{"name": "pet", "type": "choice", "options": ["cat"], "default": "emu"}],
        },
    )
    assert response.status_code == 422
    assert "pet" in response.json["error"]["message"]


def test_export_then_import_twice_creates_no_duplicates(client: FlaskClient) -> None:
    create(client, content="Keep me", tags=["t"])
    exported = client.get("/api/prompts/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["Content-Disposition"]
    library = exported.json
    assert library["format"] == "storybot.prompts"
    assert len(library["prompts"]) == EXAMPLES + 1

    library["prompts"][0]["title"] = "Changed on the way"
    new_uuid = "0b0f8a52-2a9e-4d53-9a57-1f1a3c0e7d99"
    library["prompts"].append({"uuid": new_uuid, "content": "Brand new one"})
    first = client.post("/api/prompts/import", json=library)
    assert first.status_code == 200
    assert first.json == {"created": 1, "updated": EXAMPLES + 1}
    second = client.post("/api/prompts/import", json=library)
    assert second.json == {"created": 0, "updated": EXAMPLES + 2}
    items = client.get("/api/prompts?limit=100").json["items"]
    assert len(items) == EXAMPLES + 2
    assert "Changed on the way" in {p["title"] for p in items}


def test_import_with_one_bad_prompt_changes_nothing(client: FlaskClient) -> None:
    library = {
        "prompts": [
            {"uuid": "1b0f8a52-2a9e-4d53-9a57-1f1a3c0e7d01", "content": "fine"},
            {"uuid": "1b0f8a52-2a9e-4d53-9a57-1f1a3c0e7d02", "content": "{{reader.nope}}"},
        ]
    }
    response = client.post("/api/prompts/import", json=library)
    assert response.status_code == 422
    assert response.json["error"]["message"].startswith("prompts.1:")
    assert client.get("/api/prompts").json["total"] == EXAMPLES
