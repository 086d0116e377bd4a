"""Messages as codes with params: what the server says to a person reaches a client as a
code it can word in its own language, with the English text kept beside it.

The failing engine is the scripted fake OpenAI-compatible server over real HTTP (or a
port nobody listens on), through the real runner and the event stream.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from storybot.database import write_intent
from storybot.extensions import db
from storybot.messages import CATALOGUE, word
from storybot.models import Setting, Story
from storybot.schemas.tones import TONES
from tests.engines.fake_openai_server import FakeOpenAIServer, Reply, free_port
from tests.engines.fake_openai_server import fake_openai as fake_openai
from tests.stories.support import ask, read_events, wait_for
from tests.stories.test_faults_end_to_end import remote as remote
from tests.stories.test_faults_end_to_end import use_remote

LOCALES = Path(__file__).resolve().parents[2] / "web" / "src" / "locales"


def test_a_failed_story_carries_its_code_and_params_beside_the_english(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    use_remote(client, nowhere)
    story = ask(client)
    failed = wait_for(client, story["id"], "failed")
    assert failed["failure_code"] == "unavailable"
    assert failed["failure_params"] == {"cause": "refused", "url": nowhere}
    assert failed["failure_reason"] == (
        f"The model server at {nowhere} refused the connection; is it running?"
    )
    final = read_events(client, story["id"])[-1]
    assert final.event == "failed"
    assert final.data["failure_params"] == failed["failure_params"]


def test_a_story_cut_mid_stream_words_the_same_from_its_params(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(drop_after=2))
    story = ask(client)
    failed = wait_for(client, story["id"], "failed")
    assert failed["failure_code"] == "interrupted"
    assert failed["failure_params"] == {"cause": "dropped", "url": remote.base_url}
    assert word(failed["failure_code"], failed["failure_params"]) == failed["failure_reason"]


def test_continuing_a_failed_story_clears_its_params(
    client: FlaskClient, remote: FakeOpenAIServer
) -> None:
    remote.enqueue(Reply(drop_after=1), Reply(pieces=["The end."]))
    story = ask(client)
    wait_for(client, story["id"], "failed")
    assert client.post(f"/api/stories/{story['id']}/continue").status_code == 202
    done = wait_for(client, story["id"], "done")
    assert done["failure_code"] is done["failure_params"] is None


def test_engine_health_details_carry_codes(client: FlaskClient, remote: FakeOpenAIServer) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    use_remote(client, nowhere)
    engines = {e["name"]: e for e in client.get("/api/engines").json["items"]}
    down = engines["remote"]
    assert down["ok"] is False
    assert down["detail_code"] == "unavailable"
    assert down["detail_params"] == {"cause": "refused", "url": nowhere}
    assert "refused the connection" in down["detail"]
    local = engines["local"]
    assert local["detail_code"] == "model_file"
    assert local["detail"] == f"model file {local['detail_params']['path']}"
    engine_check = client.get("/api/ready").json["checks"]["engine"]
    assert engine_check["detail_code"] == "unavailable"

    use_remote(client, remote.base_url)
    up = {e["name"]: e for e in client.get("/api/engines").json["items"]}["remote"]
    assert (up["ok"], up["detail_code"]) == (True, "server_answers")
    assert up["detail_params"] == {"url": remote.base_url}


def test_a_422_detail_carries_its_code_and_params(client: FlaskClient) -> None:
    too_long = client.post("/api/profiles", json={"name": "M" * 61})
    assert too_long.status_code == 422
    detail = too_long.json["error"]["details"][0]
    assert detail["field"] == "name"
    assert (detail["code"], detail["params"]) == ("string_too_long", {"max_length": 60})
    assert "60" in detail["message"]

    both = client.post("/api/stories", json={"prompt": "A cat", "prompt_id": 1})
    rule = both.json["error"]["details"][0]
    assert (rule["code"], rule["params"]) == ("one_prompt", {})
    assert rule["message"] == word("one_prompt")
    assert both.json["error"]["message"] == word("one_prompt")

    prompt = client.post(
        "/api/prompts",
        json={
            "content": "A story about a {{animal}}",
            "variables": [{"name": "animal", "type": "choice", "options": ["fox", "owl"]}],
        },
    ).json
    wrong = client.post(
        "/api/stories", json={"prompt_id": prompt["id"], "variables": {"animal": "cat"}}
    )
    assert wrong.status_code == 422
    service_rule = wrong.json["error"]["details"][0]
    assert service_rule["field"] == "variables.animal"
    assert service_rule["code"] == "not_an_option"
    assert service_rule["params"] == {"name": "animal", "options": "fox, owl"}
    assert service_rule["message"] == "'animal' must be one of: fox, owl"


def test_an_unknown_tone_is_refused_naming_the_codes(client: FlaskClient) -> None:
    for body, url, method in (
        ({"prompt": "A cat", "tone": "spooky"}, "/api/stories", client.post),
        ({"default_tone": "spooky"}, "/api/settings", client.patch),
    ):
        response = method(url, json=body)
        assert response.status_code == 422, response.json
        detail = response.json["error"]["details"][0]
        assert detail["code"] == "unknown_tone"
        assert detail["params"] == {"tone": "spooky", "expected": ", ".join(TONES)}
    assert client.get("/api/settings").json["default_tone"] == "warm"


def test_a_tone_is_stored_as_its_code(client: FlaskClient, fake_engine: object) -> None:
    assert client.patch("/api/settings", json={"default_tone": "funny"}).status_code == 200
    story = ask(client, tone="Sleepy")  # an old English chip's word, any case
    assert story["request"]["tone"] == "sleepy"
    assert "Write a sleepy story" in story["messages"][1]["content"]


def test_legacy_tone_words_still_show(client: FlaskClient, fake_engine: object) -> None:
    with client.application.app_context(), write_intent():
        db.session.get(Setting, "default_tone").value = "おもしろい"  # an old Japanese chip
        db.session.commit()
    assert client.get("/api/settings").json["default_tone"] == "funny"

    with client.application.app_context(), write_intent():
        db.session.get(Setting, "default_tone").value = "silly"  # typed in the old free field
        db.session.commit()
    assert client.get("/api/settings").json["default_tone"] == "silly"
    story = ask(client)
    assert "Write a silly story" in story["messages"][1]["content"]
    assert client.patch("/api/settings", json={"default_length": "long"}).status_code == 200
    assert client.get("/api/settings").json["default_tone"] == "silly"  # kept, not dropped

    wait_for(client, story["id"], "done")
    # BEGIN IMMEDIATE, as the app's writers: a deferred read-then-write would fail at once
    # (SQLITE_BUSY) if the runner's heartbeat commits between the read and the write.
    with client.application.app_context(), write_intent():
        old = db.session.get(Story, story["id"])
        old.request = old.request.model_copy(update={"tone": "ねむくなる"})
        db.session.commit()
    assert client.get(f"/api/stories/{story['id']}").json["request"]["tone"] == "sleepy"


def _placeholders(text: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, text))


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_web_ui_words_every_code_the_server_sends(language: str) -> None:
    locale = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))
    missing = []
    for (code, cause), english in CATALOGUE.items():
        key = f"{code}_{cause}" if cause else code
        wording = locale["messages"].get(key) or locale["validation"].get(key)
        if wording is None:
            missing.append(key)
            continue
        # the UI's words use only values the server sends (i18next's {{name}})
        used = _placeholders(wording, r"\{\{\s*(\w+)")
        assert used <= _placeholders(english, r"\{(\w+)"), (key, used)
    assert missing == []
