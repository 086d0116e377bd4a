"""The story library: listing, paging, filtering, searching, deleting.

Runs on SQLite (FTS5 trigram search) and PostgreSQL (pg_trgm); stories are written by
the scripted fake engine.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from storybot.engines.base import EngineError
from storybot.engines.fake import FakeEngine
from tests.stories.support import (
    MOON,
    ask,
    piece_count,
    read_events,
    search,
    titled,
    wait_for,
    write,
)

# --- listing, paging, filters ----------------------------------------------------------------


def test_the_library_lists_stories_newest_first_in_pages(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    made = [write(client, fake_engine, titled(f"Story {i}", f"Text {i}."))["id"] for i in range(5)]
    first = client.get("/api/stories?limit=2").json
    assert first["total"] == 5
    assert [s["id"] for s in first["items"]] == made[::-1][:2]
    assert first["next_cursor"]
    seen = [s["id"] for s in first["items"]]
    cursor = first["next_cursor"]
    pages = 1
    while cursor:
        page = client.get("/api/stories", query_string={"limit": 2, "cursor": cursor}).json
        assert page["total"] == 5
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        pages += 1
    assert seen == made[::-1]
    assert pages == 3


def test_a_library_entry_shows_the_title_and_the_start_of_the_story(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = write(client, fake_engine, MOON, profile_id=reader["id"])
    (entry,) = client.get("/api/stories").json["items"]
    assert entry["id"] == story["id"]
    assert entry["title"] == "Mia and the Moon"
    assert entry["excerpt"] == "Once upon a time, Mia flew to the moon."
    assert entry["reader_name"] == "Mia"
    assert entry["profile_id"] == reader["id"]
    assert entry["status"] == "done"
    assert entry["favourite"] is False
    assert "messages" not in entry


def test_an_empty_library_has_no_next_page(client: FlaskClient) -> None:
    assert client.get("/api/stories").json == {"items": [], "total": 0, "next_cursor": None}


def test_a_cursor_this_server_never_gave_is_422(client: FlaskClient) -> None:
    response = client.get("/api/stories?cursor=not-a-cursor")
    assert response.status_code == 422
    assert "cursor" in response.json["error"]["message"]


@pytest.mark.parametrize("limit", [0, 101])
def test_page_size_is_between_1_and_100(client: FlaskClient, limit: int) -> None:
    response = client.get(f"/api/stories?limit={limit}")
    assert response.status_code == 422
    assert "limit" in response.json["error"]["message"]


def test_the_library_filters_by_reader(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    leo = client.post("/api/profiles", json={"name": "Leo"}).json
    for_mia = write(client, fake_engine, titled("For Mia", "x"), profile_id=reader["id"])
    for_leo = write(client, fake_engine, titled("For Leo", "y"), profile_id=leo["id"])
    write(client, fake_engine, titled("For nobody", "z"))
    mia_page = client.get(f"/api/stories?profile_id={reader['id']}").json
    assert [s["id"] for s in mia_page["items"]] == [for_mia["id"]]
    assert mia_page["total"] == 1
    leo_page = client.get(f"/api/stories?profile_id={leo['id']}").json
    assert [s["id"] for s in leo_page["items"]] == [for_leo["id"]]


def test_the_library_filters_by_status(client: FlaskClient, fake_engine: FakeEngine) -> None:
    done = write(client, fake_engine, titled("Finished", "The end."))
    fake_engine.enqueue(["Title: Broken\n\n", "Once"], fail_with=EngineError("timeout", "Slow."))
    failed = wait_for(client, ask(client)["id"], "failed")
    assert [s["id"] for s in client.get("/api/stories?status=done").json["items"]] == [done["id"]]
    failed_page = client.get("/api/stories?status=failed").json
    assert [s["id"] for s in failed_page["items"]] == [failed["id"]]
    assert client.get("/api/stories?status=cancelled").json["total"] == 0
    bad = client.get("/api/stories?status=lost")
    assert bad.status_code == 422
    assert "status" in bad.json["error"]["message"]


def test_favourites_are_marked_and_filtered(client: FlaskClient, fake_engine: FakeEngine) -> None:
    loved = write(client, fake_engine, titled("Loved", "a"))
    write(client, fake_engine, titled("Plain", "b"))
    response = client.patch(f"/api/stories/{loved['id']}", json={"favourite": True})
    assert response.status_code == 200
    assert response.json["favourite"] is True
    assert search_titles(client, "favourite=true") == ["Loved"]
    assert search_titles(client, "favourite=false") == ["Plain"]
    assert search_titles(client, "") == ["Plain", "Loved"]
    client.patch(f"/api/stories/{loved['id']}", json={"favourite": False})
    assert search_titles(client, "favourite=true") == []


def search_titles(client: FlaskClient, query: str) -> list[str]:
    return [s["title"] for s in client.get(f"/api/stories?{query}").json["items"]]


def test_filters_combine_with_search_and_paging(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    for i in range(3):
        write(client, fake_engine, titled(f"Dragon {i}", "A dragon."), profile_id=reader["id"])
    write(client, fake_engine, titled("Dragon elsewhere", "A dragon."))
    write(client, fake_engine, titled("Snail", "A snail."), profile_id=reader["id"])
    query = {"q": "dragon", "profile_id": reader["id"], "limit": 2}
    first = client.get("/api/stories", query_string=query).json
    assert first["total"] == 3
    assert [s["title"] for s in first["items"]] == ["Dragon 2", "Dragon 1"]
    second = client.get("/api/stories", query_string={**query, "cursor": first["next_cursor"]})
    assert [s["title"] for s in second.json["items"]] == ["Dragon 0"]
    assert second.json["next_cursor"] is None


# --- search ----------------------------------------------------------------------------------


def test_search_finds_japanese_words_in_the_text(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    write(
        client,
        fake_engine,
        titled("もりのおはなし", "くまさんは「はちみつ」がだいすきでした。"),
        language="ja",
    )
    write(
        client, fake_engine, titled("うみのおはなし", "さかなが およいでいました。"), language="ja"
    )
    write(client, fake_engine, titled("The Bear", "A bear who loved honey."))
    assert search(client, "はちみつ") == ["もりのおはなし"]
    assert search(client, "くま") == ["もりのおはなし"]  # two characters: shorter than a trigram
    assert search(client, "す") == ["もりのおはなし"]  # one character
    assert search(client, "「はちみつ」が") == ["もりのおはなし"]
    assert search(client, "おはなし") == ["うみのおはなし", "もりのおはなし"]  # in the titles
    assert search(client, "ぞう") == []


def test_search_in_english_ignores_case(client: FlaskClient, fake_engine: FakeEngine) -> None:
    write(client, fake_engine, titled("The Honey Badger", "Once a Honey Badger went to SCHOOL."))
    write(client, fake_engine, titled("The Snail", "A snail crossed the garden."))
    assert search(client, "honey badger") == ["The Honey Badger"]
    assert search(client, "HONEY") == ["The Honey Badger"]
    assert search(client, "school") == ["The Honey Badger"]
    assert search(client, "Sn") == ["The Snail"]
    assert search(client, "  garden  ") == ["The Snail"]  # spaces around the words are dropped
    assert search(client, "the") == ["The Snail", "The Honey Badger"]
    assert search(client, "giraffe") == []


def test_search_treats_like_wildcards_and_quotes_as_text(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    write(client, fake_engine, titled("Cat", 'A 100% true story_of a cat who said "hi".'))
    write(client, fake_engine, titled("Dog", "A dog who dug 100 holes in a story of mud."))
    assert search(client, "0% t") == ["Cat"]
    assert search(client, "%") == ["Cat"]
    assert search(client, "_") == ["Cat"]
    assert search(client, "y_of") == ["Cat"]
    assert search(client, "100%") == ["Cat"]
    assert search(client, "d%g") == []
    assert search(client, "zzz_") == []
    assert search(client, '"hi"') == ["Cat"]
    assert search(client, 'said "') == ["Cat"]
    assert search(client, "100") == ["Dog", "Cat"]
    assert search(client, "a\\b") == []


def test_search_sees_corrections_and_forgets_deleted_stories(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, titled("Tea", "A dragon who loves tea."))
    client.patch(f"/api/stories/{story['id']}", json={"text": "A dragon who loves cocoa."})
    assert search(client, "cocoa") == ["Tea"]
    assert search(client, "loves tea") == []
    client.patch(f"/api/stories/{story['id']}", json={"title": "Cocoa time"})
    assert search(client, "time") == ["Cocoa time"]
    client.delete(f"/api/stories/{story['id']}")
    assert search(client, "cocoa") == []


# --- deleting --------------------------------------------------------------------------------


def test_deleting_a_story_removes_it_and_its_text(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    keep = write(client, fake_engine, titled("Keep", "Stay."))
    story = write(client, fake_engine, MOON)
    assert piece_count(client, story["id"]) == len(MOON)
    response = client.delete(f"/api/stories/{story['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get(f"/api/stories/{story['id']}").status_code == 404
    assert client.get(f"/api/stories/{story['id']}/events").status_code == 404
    assert client.delete(f"/api/stories/{story['id']}").status_code == 404
    assert piece_count(client, story["id"]) == 0
    assert [s["id"] for s in client.get("/api/stories").json["items"]] == [keep["id"]]
    assert piece_count(client, keep["id"]) == 2


def test_deleting_a_story_being_written_stops_it_and_the_next_one_is_written(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    fake_engine.enqueue(MOON, pause_after=2)
    story = ask(client)
    read_events(client, story["id"], stop_after_texts=2)
    assert client.delete(f"/api/stories/{story['id']}").status_code == 204
    assert client.get(f"/api/stories/{story['id']}").status_code == 404
    assert piece_count(client, story["id"]) == 0
    fake_engine.release()
    fake_engine.enqueue(titled("Next", "Written."))
    after = wait_for(client, ask(client)["id"], "done", "failed", "cancelled", timeout=5)
    assert after["status"] == "done"  # not cancelled on behalf of the deleted story
    assert after["text"] == "Title: Next\n\nWritten."
    assert piece_count(client, after["id"]) == 2
    assert client.get("/api/stories").json["total"] == 1


def test_a_deleted_storys_address_never_shows_another_story(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    story = write(client, fake_engine, MOON)
    client.delete(f"/api/stories/{story['id']}")
    newer = write(client, fake_engine, titled("Another", "Story."))
    assert newer["id"] != story["id"]
    assert client.get(f"/api/stories/{story['id']}").status_code == 404


# --- readers and their stories ---------------------------------------------------------------


def test_deleting_a_reader_deletes_their_stories_and_only_theirs(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    leo = client.post("/api/profiles", json={"name": "Leo"}).json
    mias = [write(client, fake_engine, MOON, profile_id=reader["id"]) for _ in range(2)]
    leos = write(client, fake_engine, titled("Leo's", "x"), profile_id=leo["id"])
    nobodys = write(client, fake_engine, titled("Nobody's", "y"))
    response = client.delete(f"/api/profiles/{reader['id']}")
    assert response.status_code == 204
    assert client.get(f"/api/profiles/{reader['id']}").status_code == 404
    for story in mias:
        assert client.get(f"/api/stories/{story['id']}").status_code == 404
        assert piece_count(client, story["id"]) == 0
    remaining = client.get("/api/stories").json
    assert [s["id"] for s in remaining["items"]] == [nobodys["id"], leos["id"]]
    assert client.get(f"/api/stories?profile_id={reader['id']}").json["total"] == 0
    assert search(client, "moon") == []


def test_the_reader_name_is_a_snapshot(
    client: FlaskClient, fake_engine: FakeEngine, reader: dict
) -> None:
    story = write(client, fake_engine, MOON, profile_id=reader["id"])
    client.patch(f"/api/profiles/{reader['id']}", json={"name": "Amelia"})
    assert client.get(f"/api/stories/{story['id']}").json["reader_name"] == "Mia"
