"""A daily token quota per account: counted as stories end, 429 with Retry-After when spent."""

from __future__ import annotations

from flask.testing import FlaskClient

from storybot.engines.fake import FakeEngine
from tests.stories.support import ask, wait_for
from tests.support import Account


def test_a_spent_quota_stops_new_stories_until_midnight(
    client: FlaskClient,
    member: Account,
    member_client: FlaskClient,
    fake_engine: FakeEngine,
) -> None:
    quota = member_client.get("/api/me").json["quota"]
    assert quota["daily_tokens"] is None
    assert quota["used_today"] == 0
    set_quota = client.patch(f"/api/users/{member.id}", json={"daily_token_quota": 10})
    assert set_quota.json["daily_token_quota"] == 10

    fake_engine.enqueue(["One ", "two ", "three ", "four ", "five ", "six."])
    story = ask(member_client)
    done = wait_for(member_client, story["id"], "done")
    spent = done["prompt_tokens"] + done["completion_tokens"]
    assert spent >= 10
    quota = member_client.get("/api/me").json["quota"]
    assert quota == {**quota, "daily_tokens": 10, "used_today": spent}
    assert "T00:00:00" in quota["resets_at"]  # the next midnight, UTC
    listed = next(u for u in client.get("/api/users").json["items"] if u["id"] == member.id)
    assert listed["used_today"] == spent

    refused = member_client.post("/api/stories", json={"prompt": "One more, please"})
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "quota_spent"
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    for again in ("regenerate", "continue"):
        answer = member_client.post(f"/api/stories/{story['id']}/{again}")
        assert answer.status_code in (409, 429), again
    assert member_client.post(f"/api/stories/{story['id']}/regenerate").status_code == 429

    # Another family is not affected; lifting the limit lets the member go on.
    fake_engine.enqueue(["Still ", "writing."])
    assert client.post("/api/stories", json={"prompt": "The admin's story"}).status_code == 202
    client.patch(f"/api/users/{member.id}", json={"daily_token_quota": None})
    fake_engine.enqueue(["Again."])
    assert member_client.post("/api/stories", json={"prompt": "Now it works"}).status_code == 202
