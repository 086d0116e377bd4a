"""Two families share one Storybot: each endpoint, walked from the URL map, keeps them apart.

The walk covers every API route the app has, including ones added later: a
route with a path argument the walk does not know fails the test until it is
taught what to put there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from storybot.api.access import PUBLIC_ENDPOINTS
from storybot.engines.fake import FakeEngine
from tests.stories.support import wait_for
from tests.support import Account

SECRET = "Zephyrine-7Q"  # in the first family's prompt, reader and story; nowhere else
NOWHERE = 2_000_000_000  # an id no row has
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Family:
    """The first family's things, by id."""

    prompt_id: int
    profile_id: int
    story_id: int
    token_id: int
    user_id: int


def _first_family(client: FlaskClient, admin: Account, fake_engine: FakeEngine) -> Family:
    prompt = client.post("/api/prompts", json={"content": f"A tale of {SECRET}", "title": SECRET})
    reader = client.post("/api/profiles", json={"name": SECRET, "interests": [SECRET]})
    fake_engine.enqueue([f"{SECRET} went to sea. ", "The end."])
    story = client.post(
        "/api/stories",
        json={"prompt_id": prompt.json["id"], "profile_id": reader.json["id"]},
    )
    assert story.status_code == 202, story.json
    wait_for(client, story.json["id"], "done")
    token = client.post("/api/tokens", json={"name": SECRET})
    return Family(
        prompt.json["id"], reader.json["id"], story.json["id"], token.json["id"], admin.id
    )


def _fill(rule: Rule, family: Family, *, missing: bool) -> str:
    """The rule's URL with the first family's ids (or ids nobody has) in it."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        ids = {
            "prompt_id": family.prompt_id,
            "profile_id": family.profile_id,
            "story_id": family.story_id,
            "token_id": family.token_id,
            "user_id": family.user_id,
        }
        if name in ids:
            values[name] = NOWHERE if missing else ids[name]
        elif name in ("model_name", "download_id"):
            values[name] = "nothing-here" if missing else "SmolLM2-135M-Instruct.Q4_1"
        else:
            raise AssertionError(
                f"{rule.rule}: teach the isolation walk what <{name}> of another account is"
            )
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[^<>:]+:)?{name}>", str(value), url)
    return url


def _api_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and rule.endpoint not in PUBLIC_ENDPOINTS
        and not rule.rule.startswith("/api/docs")
    ]


def _call(client: FlaskClient, method: str, url: str) -> tuple[int, str]:
    kwargs = {} if method in SAFE else {"json": {}}
    response = client.open(url, method=method, **kwargs)
    body = response.get_data(as_text=True)
    return response.status_code, body


def test_every_endpoint_keeps_one_familys_data_from_the_other(
    app: Flask,
    client: FlaskClient,
    admin: Account,
    member_client: FlaskClient,
    fake_engine: FakeEngine,
) -> None:
    family = _first_family(client, admin, fake_engine)
    before = {
        "prompt": client.get(f"/api/prompts/{family.prompt_id}").json,
        "reader": client.get(f"/api/profiles/{family.profile_id}").json,
        "story": client.get(f"/api/stories/{family.story_id}").json,
    }
    walked = 0
    for rule in _api_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _fill(rule, family, missing=False)
            status, body = _call(member_client, method, url)
            assert SECRET not in body, f"{method} {url} showed the other family's data"
            assert status != 500, f"{method} {url}: {body}"
            if rule.arguments:
                # Another account's id answers exactly as an id that does not exist.
                assert status in (403, 404), f"{method} {url} answered {status}: {body}"
                nowhere_status, nowhere_body = _call(
                    member_client, method, _fill(rule, family, missing=True)
                )
                assert status == nowhere_status, (method, url, body, nowhere_body)
                if status == 404:
                    code = json.loads(body)["error"]["code"]
                    assert code == json.loads(nowhere_body)["error"]["code"]
            walked += 1
    assert walked >= 40  # every method of every route, not a handful

    # Nothing of the first family changed, and it still sees all of it.
    assert client.get(f"/api/prompts/{family.prompt_id}").json == before["prompt"]
    assert client.get(f"/api/profiles/{family.profile_id}").json == before["reader"]
    after = client.get(f"/api/stories/{family.story_id}").json
    assert after["text"] == before["story"]["text"]
    assert after["status"] == "done"
    assert SECRET in json.dumps(client.get("/api/stories").json)
    assert SECRET not in json.dumps(member_client.get("/api/stories").json)
    tokens = client.get("/api/tokens").json["items"]
    assert SECRET in {t["name"] for t in tokens}


def test_every_endpoint_but_the_public_ones_needs_a_sign_in(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    family = _first_family(client, admin, fake_engine)
    stranger = app.test_client()
    for rule in _api_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = _fill(rule, family, missing=False)
            status, body = _call(stranger, method, url)
            assert status == 401, f"{method} {url} answered a stranger {status}"
            assert SECRET not in body
            assert json.loads(body)["error"]["code"] == "unauthorized"
