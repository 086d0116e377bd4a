"""Stories get their reading level and their reader's target; Japanese stories get furigana
through the API and the exports, from whichever engine wrote them (here the fake engine)."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine
from tests.stories.support import ask, titled, wait_for, write

SAM = (
    "Sam has a red hat. He likes his hat. One day the wind came. The wind took the hat. "
    "Sam ran and ran. He got his hat back. Sam was glad. He put the hat on and went home."
)
DENSHA = (
    "ミアは電車に乗りました。窓から海が見えます。「きれい！」とミアは言いました。"
    "海の上を白い鳥がとんでいます。"
)


@pytest.fixture
def hana(client: FlaskClient) -> dict:
    """A seven-year-old Japanese reader who sees readings over every kanji."""
    response = client.post(
        "/api/profiles",
        json={"name": "はな", "age": 7, "language": "ja", "furigana": "all"},
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_story_has_its_measured_level_and_the_readers_target(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = write(client, fake_engine, titled("Sam's Hat", SAM), profile_id=reader["id"])
    assert story["reading_grade"] == 1.0
    assert story["target_grade"] == 1.0  # six years old, an early reader
    (entry,) = client.get("/api/stories").json["items"]
    assert (entry["reading_grade"], entry["target_grade"]) == (1.0, 1.0)
    # The target is the one of the time the story was asked for.
    client.patch(f"/api/profiles/{reader['id']}", json={"age": 9, "reading_level": "advanced"})
    assert client.get(f"/api/stories/{story['id']}").json["target_grade"] == 1.0


def test_a_story_without_a_reader_has_no_target(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, titled("Sam's Hat", SAM))
    assert story["target_grade"] is None
    assert story["reading_grade"] == 1.0


def test_a_corrected_text_is_measured_again(client: FlaskClient, fake_engine: FakeEngine) -> None:
    story = write(client, fake_engine, titled("Sam's Hat", SAM))
    harder = (
        "Title: The Bridge\n\nMaya had always wondered what lived beneath the old bridge at "
        "the edge of town. Every afternoon, after finishing her homework, she would walk along "
        "the river and listen carefully to the strange sounds echoing from the shadows."
    )
    changed = client.patch(f"/api/stories/{story['id']}", json={"text": harder}).json
    assert changed["reading_grade"] > 6


def test_a_short_text_is_not_measured(client: FlaskClient, fake_engine: FakeEngine) -> None:
    story = write(client, fake_engine, ["The end."])
    assert story["reading_grade"] is None


def test_a_japanese_story_gets_the_readers_furigana(
    client: FlaskClient, fake_engine: FakeEngine, hana: dict
) -> None:
    story = write(client, fake_engine, titled("でんしゃ", DENSHA), profile_id=hana["id"])
    assert story["reading_grade"] is not None
    answer = client.get(f"/api/stories/{story['id']}/furigana").json
    assert answer["furigana"] == "all"
    assert answer["complete"] is True
    assert answer["source_length"] == len(DENSHA)
    assert "".join(s["text"] for s in answer["segments"]) == DENSHA
    assert {"text": "電車", "reading": "でんしゃ"} in answer["segments"]
    assert {"text": "乗", "reading": "の"} in answer["segments"]
    assert {"text": "りました。", "reading": None} in answer["segments"]  # okurigana outside


def test_another_mode_can_be_asked_for(
    client: FlaskClient, fake_engine: FakeEngine, hana: dict
) -> None:
    story = write(client, fake_engine, titled("でんしゃ", DENSHA), profile_id=hana["id"])
    url = f"/api/stories/{story['id']}/furigana"
    kana = client.get(url, query_string={"furigana": "hiragana"}).json
    assert "".join(s["text"] for s in kana["segments"]).startswith("ミアはでんしゃにのりました。")
    graded = client.get(url, query_string={"furigana": "above_grade"}).json
    assert graded["kanji_grade"] == 1  # from the age: a seven-year-old knows grade 1
    marked = {s["text"] for s in graded["segments"] if s["reading"]}
    assert marked == {"電車", "乗", "窓", "海", "言", "鳥"}  # 上, 白, 見 are grade 1
    bad = client.get(url, query_string={"furigana": "some"})
    assert bad.status_code == 422
    assert bad.json["error"]["code"] == "validation_error"
    assert bad.json["trace_id"]


def test_while_written_only_complete_sentences_get_readings(
    client: FlaskClient, fake_engine: FakeEngine, hana: dict
) -> None:
    fake_engine.enqueue(["ミアは電車に乗りました。", "窓から海が見"], pause_after=2)
    story = ask(client, profile_id=hana["id"])
    url = f"/api/stories/{story['id']}/furigana"
    deadline = time.monotonic() + 10
    answer = client.get(url).json
    while answer["source_length"] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
        answer = client.get(url).json
    assert answer["complete"] is False
    assert "".join(s["text"] for s in answer["segments"]) == "ミアは電車に乗りました。"
    assert answer["source_length"] == len("ミアは電車に乗りました。")
    fake_engine.release()
    wait_for(client, story["id"], "done")
    assert client.get(url).json["complete"] is True


def test_an_english_story_is_shown_as_written(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = write(client, fake_engine, titled("Sam's Hat", SAM), profile_id=reader["id"])
    answer = client.get(
        f"/api/stories/{story['id']}/furigana", query_string={"furigana": "all"}
    ).json
    assert answer["furigana"] == "none"
    assert answer["segments"] == [{"text": SAM, "reading": None}]


def test_the_exports_follow_the_reader_and_the_query(
    client: FlaskClient, fake_engine: FakeEngine, hana: dict
) -> None:
    story = write(client, fake_engine, titled("でんしゃ", DENSHA), profile_id=hana["id"])
    url = f"/api/stories/{story['id']}/export"
    html = client.get(url, query_string={"format": "html"}).get_data(as_text=True)
    assert "<ruby>電車<rt>でんしゃ</rt></ruby>" in html
    assert "読みやすさ：" in html
    plain = client.get(url, query_string={"format": "html", "furigana": "none"})
    assert "<ruby>" not in plain.get_data(as_text=True)
    epub = client.get(url, query_string={"format": "epub"})
    assert epub.status_code == 200
    markdown = client.get(url, query_string={"format": "markdown", "furigana": "hiragana"})
    assert "ミアはでんしゃにのりました。" in markdown.get_data(as_text=True)


def test_the_openapi_document_has_the_furigana_endpoint_and_fields(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    operation = document["paths"]["/api/stories/{story_id}/furigana"]["get"]
    assert "StoryFurigana" in str(operation["responses"]["200"])
    schemas = document["components"]["schemas"]
    assert {"reading_grade", "target_grade"} <= set(schemas["StoryOut"]["properties"])
    assert {"furigana", "kanji_grade"} <= set(schemas["ProfileOut"]["properties"])
