"""Asking for a story: what is refused (422, with a message that says what to fix) and how
a library prompt's variables reach the model."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine

ANIMAL_PROMPT = {
    "title": "Counting stars",
    "content": "{{reader.name}} and a {{animal}} count {{count}} stars over {{place}}.",
    "variables": [
        {"name": "animal", "type": "choice", "options": ["fox", "owl"], "label": "Animal"},
        {"name": "count", "type": "number", "default": 3},
        {"name": "place", "type": "text"},
    ],
}


def add_prompt(client: FlaskClient, **body: object) -> dict:
    response = client.post("/api/prompts", json=body)
    assert response.status_code == 201, response.json
    return response.json


def refused(client: FlaskClient, body: dict, *words: str) -> dict:
    """POST the story request; it must be a 422 whose message has all of ``words``."""
    before = client.get("/api/stories").json["total"]
    response = client.post("/api/stories", json=body)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert response.json["trace_id"]
    for word in words:
        assert word in error["message"], error
    assert client.get("/api/stories").json["total"] == before  # nothing was queued
    return error


def wait_done(client: FlaskClient, story_id: int, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        story = client.get(f"/api/stories/{story_id}").json
        if story["status"] not in ("queued", "running"):
            assert story["status"] == "done", story
            return story
        time.sleep(0.02)
    raise AssertionError(f"story {story_id} did not finish")


def detail_fields(error: dict) -> list[str]:
    return [d["field"] for d in error["details"] or []]


# --- what to write about ---------------------------------------------------------------------


def test_a_story_needs_a_prompt_or_a_library_prompt(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    refused(client, {}, "prompt_id", "prompt")
    refused(client, {"prompt": "   "}, "prompt_id", "prompt")
    assert fake_engine.calls == []


def test_a_story_takes_a_prompt_or_a_library_prompt_not_both(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    prompt = add_prompt(client, content="A dragon who loves tea.")
    refused(client, {"prompt": "A cat", "prompt_id": prompt["id"]}, "either", "prompt_id")
    assert fake_engine.calls == []


def test_variables_go_with_a_library_prompt(client: FlaskClient, fake_engine: FakeEngine) -> None:
    refused(client, {"prompt": "A cat", "variables": {"animal": "fox"}}, "variables", "prompt_id")


def test_an_unknown_library_prompt_is_refused(client: FlaskClient, fake_engine: FakeEngine) -> None:
    error = refused(client, {"prompt_id": 9999}, "no prompt with id 9999")
    assert detail_fields(error) == ["prompt_id"]


def test_an_unknown_reader_is_refused(client: FlaskClient, fake_engine: FakeEngine) -> None:
    error = refused(client, {"prompt": "A cat", "profile_id": 9999}, "no reader with id 9999")
    assert detail_fields(error) == ["profile_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "x" * 2001}, "prompt"),
        ({"prompt": "A cat", "length": "epic"}, "length"),
        ({"prompt": "A cat", "language": "fr"}, "language"),
        ({"prompt": "A cat", "tone": ""}, "tone"),
        ({"prompt": "A cat", "moral": "m" * 201}, "moral"),
        ({"prompt": "A cat", "colour": "blue"}, "colour"),
        ({"prompt": "A cat", "profile_id": "Mia"}, "profile_id"),
    ],
)
def test_malformed_requests_name_the_field(
    client: FlaskClient, fake_engine: FakeEngine, body: dict, field: str
) -> None:
    error = refused(client, body, field)
    assert field in detail_fields(error)


# --- template variables ----------------------------------------------------------------------


def test_a_missing_variable_is_named(client: FlaskClient, fake_engine: FakeEngine) -> None:
    prompt = add_prompt(client, **ANIMAL_PROMPT)
    error = refused(
        client, {"prompt_id": prompt["id"], "variables": {"place": "the sea"}}, "'animal'", "value"
    )
    assert detail_fields(error) == ["variables.animal"]
    refused(client, {"prompt_id": prompt["id"], "variables": {"animal": "fox"}}, "'place'")
    assert fake_engine.calls == []


def test_an_undeclared_placeholder_is_a_required_text_variable(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    prompt = add_prompt(client, content="A story about {{hero}}.")
    refused(client, {"prompt_id": prompt["id"]}, "'hero'", "needs a value")
    story = client.post(
        "/api/stories", json={"prompt_id": prompt["id"], "variables": {"hero": "Bo"}}
    )
    assert story.status_code == 202, story.json
    assert story.json["request"]["prompt_text"] == "A story about Bo."


@pytest.mark.parametrize(
    ("variables", "words", "field"),
    [
        ({"animal": "fox", "place": "x", "count": "five"}, ["'count'", "number"], "count"),
        ({"animal": "fox", "place": "x", "count": True}, ["count"], "count"),  # not 1
        ({"animal": "cat", "place": "x"}, ["'animal'", "fox, owl"], "animal"),
        ({"animal": 3, "place": "x"}, ["'animal'", "text"], "animal"),
        ({"animal": "fox", "place": 7}, ["'place'", "text"], "place"),
        ({"animal": "fox", "place": "p" * 201}, ["'place'", "200 characters"], "place"),
    ],
)
def test_a_wrongly_typed_variable_is_named(
    client: FlaskClient, fake_engine: FakeEngine, variables: dict, words: list[str], field: str
) -> None:
    prompt = add_prompt(client, **ANIMAL_PROMPT)
    error = refused(client, {"prompt_id": prompt["id"], "variables": variables}, *words)
    assert f"variables.{field}" in detail_fields(error)
    assert fake_engine.calls == []


def test_an_unknown_variable_is_named(client: FlaskClient, fake_engine: FakeEngine) -> None:
    prompt = add_prompt(client, **ANIMAL_PROMPT)
    variables = {"animal": "fox", "place": "the sea", "colour": "blue"}
    error = refused(
        client, {"prompt_id": prompt["id"], "variables": variables}, "no variable", "'colour'"
    )
    assert detail_fields(error) == ["variables.colour"]


def test_variables_are_filled_into_the_request_the_model_receives(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    prompt = add_prompt(client, **ANIMAL_PROMPT)
    response = client.post(
        "/api/stories",
        json={
            "prompt_id": prompt["id"],
            "profile_id": reader["id"],
            "variables": {"animal": "owl", "place": "the quiet sea"},
        },
    )
    assert response.status_code == 202, response.json
    story = response.json
    assert story["prompt_id"] == prompt["id"]
    filled = "Mia and a owl count 3 stars over the quiet sea."  # count: its default
    assert story["request"]["prompt_text"] == filled
    wait_done(client, story["id"])
    user = fake_engine.calls[0].messages[-1]["content"]
    assert filled.removesuffix(".") in user  # told as "Tell the story of ..."
    assert "{{" not in user


def test_numbers_and_reader_fields_are_written_as_people_read_them(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    prompt = add_prompt(
        client,
        content="{{reader.name}} ({{reader.age}}) loves {{reader.interests}}; "
        "{{n}} cakes; {{half}} a pie.",
        variables=[{"name": "n", "type": "number"}, {"name": "half", "type": "number"}],
    )
    response = client.post(
        "/api/stories",
        json={
            "prompt_id": prompt["id"],
            "profile_id": reader["id"],
            "variables": {"n": 2, "half": 0.5},
        },
    )
    assert response.status_code == 202, response.json
    wait_done(client, response.json["id"])
    user = fake_engine.calls[0].messages[-1]["content"]
    assert "Mia (6) loves dinosaurs, space; 2 cakes; 0.5 a pie." in user


def test_a_japanese_example_prompt_names_the_japanese_reader(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    hana = client.post("/api/profiles", json={"name": "はなこ", "language": "ja"}).json
    examples = client.get("/api/prompts", query_string={"q": "{{reader.name}}が"}).json["items"]
    assert examples, "the bundled examples have a Japanese prompt naming the reader"
    response = client.post(
        "/api/stories", json={"prompt_id": examples[0]["id"], "profile_id": hana["id"]}
    )
    assert response.status_code == 202, response.json
    assert response.json["language"] == "ja"
    wait_done(client, response.json["id"])
    system, user = (m["content"] for m in fake_engine.calls[0].messages)
    assert "Japanese" in system
    assert "はなこが" in user
    assert "{{" not in user


# --- engines and languages -------------------------------------------------------------------


def test_an_unknown_engine_is_refused_with_the_configured_ones(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    error = refused(
        client, {"prompt": "A cat", "engine": "gpt-9"}, "'gpt-9'", "Configured engines: fake, local"
    )
    assert detail_fields(error) == ["engine"]


def test_a_japanese_reader_with_the_built_in_model_is_told_how_to_add_one(
    client: FlaskClient,
) -> None:
    hana = client.post("/api/profiles", json={"name": "はなこ", "language": "ja"}).json
    error = refused(
        client,
        {"prompt": "くまと はちみつの おはなし", "profile_id": hana["id"]},
        "'local'",
        "English only",
        "Japanese",
        "add a model",
        "OpenAI-compatible",
        '"languages": ["ja"]',
        "Settings",
        "found on this machine",
        "GGUF model file by its link",
    )
    assert detail_fields(error) == ["language"]
    assert error["details"][0]["type"] == "language_not_written"
    assert error["details"][0]["params"] == {
        "engine": "local",
        "language": "ja",
        "languages": ["en"],
    }
    assert error["details"][0]["fixes"] == ["discover_servers", "download_model"]


def test_asking_for_japanese_with_the_built_in_model_is_refused_too(client: FlaskClient) -> None:
    refused(client, {"prompt": "A cat", "language": "ja"}, "Japanese", "add a model")


def test_an_engine_that_writes_japanese_takes_the_japanese_reader(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    hana = client.post("/api/profiles", json={"name": "はなこ", "language": "ja"}).json
    response = client.post(
        "/api/stories", json={"prompt": "くまの おはなし", "profile_id": hana["id"]}
    )
    assert response.status_code == 202, response.json
    assert response.json["language"] == "ja"
    assert response.json["engine"] == "fake"
    wait_done(client, response.json["id"])


def test_the_reader_may_ask_for_english_from_an_english_only_engine(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(["Title: Busy\n\n", "Still writing."], pause_after=1)
    busy = client.post("/api/stories", json={"prompt": "Keep the runner busy"}).json
    hana = client.post("/api/profiles", json={"name": "はなこ", "language": "ja"}).json
    response = client.post(
        "/api/stories",
        json={"prompt": "A cat", "profile_id": hana["id"], "language": "en", "engine": "local"},
    )
    assert response.status_code == 202, response.json
    assert response.json["language"] == "en"
    assert response.json["engine"] == "local"
    # cancelled while it waits behind the busy story: the built-in model is never run
    assert client.post(f"/api/stories/{response.json['id']}/cancel").json["status"] == "cancelled"
    fake_engine.release()
    wait_done(client, busy["id"])
