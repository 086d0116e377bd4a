"""A family's data: a reader's export, and deleting a reader or an account's data leaves
nothing behind, neither database rows nor files.

Runs on SQLite and PostgreSQL; stories are written by the scripted fake engine.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Enum, String, Text, func, select, text

from storybot.database import write_intent
from storybot.engines.fake import FakeEngine
from storybot.extensions import db
from storybot.models import ApiToken, Profile, Prompt, Story, StoryPiece, User
from storybot.services import family_data
from storybot.services.components import components
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
from tests.support import (
    TEST_PASSWORD,
    Account,
    add_account,
    assert_epubcheck_clean,
    signed_in,
)

# A name no example prompt, engine or log line has by chance.
NAME = "Zephyrine"


def _zip(response: Any) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _filename(response: Any) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    return str(disposition.split("filename=", 1)[1].strip('"'))


def _add_reader(client: FlaskClient, **fields: object) -> dict:
    response = client.post("/api/profiles", json={"name": NAME, "age": 7, **fields})
    assert response.status_code == 201, response.json
    return response.json


# --- export -----------------------------------------------------------------------------------


def test_the_export_holds_the_reader_every_story_and_an_epub_of_each_ended_one(
    client: FlaskClient, fake_engine: FakeEngine, tmp_path: Path
) -> None:
    mia = _add_reader(client, name="Mia", interests=["the moon"])
    leo = _add_reader(client, name="Leo")
    moon = write(client, fake_engine, MOON, profile_id=mia["id"])
    ja = write(
        client,
        fake_engine,
        titled("月のうさぎ", "むかしむかし、月にうさぎがいました。"),
        profile_id=mia["id"],
        language="ja",
    )
    same_title = write(client, fake_engine, MOON, profile_id=mia["id"])
    write(client, fake_engine, titled("Leo's", "Not for Mia."), profile_id=leo["id"])
    fake_engine.enqueue(["Title: Half\n\n", "Once upon ", "a time"], pause_after=2)
    running = ask(client, profile_id=mia["id"])
    read_events(client, running["id"], stop_after_texts=2)

    response = client.get(f"/api/profiles/{mia['id']}/export")
    archive = _zip(response)
    assert _filename(response) == "storybot-reader-mia.zip"
    assert response.headers["Cache-Control"] == "no-store"
    names = archive.namelist()
    assert all(name.isascii() for name in names)
    document = json.loads(archive.read("reader.json"))
    assert (document["format"], document["version"]) == ("storybot-reader", 1)
    assert document["exported_at"]
    assert document["reader"]["id"] == mia["id"]
    assert document["reader"]["interests"] == ["the moon"]
    stories = document["stories"]
    assert [s["id"] for s in stories] == [moon["id"], ja["id"], same_title["id"], running["id"]]
    first = stories[0]
    assert first["title"] == "Mia and the Moon"
    assert first["text"] == "Once upon a time, Mia flew to the moon."
    assert first["status"] == "done"
    assert first["reader_name"] == "Mia"
    assert first["prompt"]
    assert first["created_at"] <= first["finished_at"]
    assert first["target_grade"] == moon["target_grade"]
    assert first["reading_grade"] == moon["reading_grade"]
    assert stories[1]["title"] == "月のうさぎ"
    assert stories[3]["status"] == "running"
    assert stories[3]["text"] == "Once upon "
    assert stories[3]["epub"] is None  # still being written: in the JSON only

    epubs = [s["epub"] for s in stories[:3]]
    assert epubs == [
        f"stories/story-{moon['id']}-mia-and-the-moon.epub",
        f"stories/story-{ja['id']}.epub",  # a Japanese title has no ASCII spelling
        f"stories/story-{same_title['id']}-mia-and-the-moon.epub",
    ]
    assert sorted(names) == sorted(["reader.json", *epubs])
    for name in epubs:
        path = tmp_path / Path(name).name
        path.write_bytes(archive.read(name))
        assert_epubcheck_clean(path)
    fake_engine.release()


def test_a_japanese_readers_export_has_a_safe_file_name(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    hana = _add_reader(client, name="はな子", language="ja", furigana="all")
    write(client, fake_engine, titled("はなの森", "森に花がさきました。"), profile_id=hana["id"])
    response = client.get(f"/api/profiles/{hana['id']}/export")
    archive = _zip(response)
    assert _filename(response) == f"storybot-reader-{hana['id']}.zip"
    assert all(name.isascii() for name in archive.namelist())
    document = json.loads(archive.read("reader.json").decode("utf-8"))
    assert document["reader"]["name"] == "はな子"
    (story,) = document["stories"]
    assert story["title"] == "はなの森"
    # The reader's furigana setting is kept in the book, as in a single story's export.
    book = zipfile.ZipFile(io.BytesIO(archive.read(str(story["epub"]))))
    assert "<ruby>" in book.read("OEBPS/story.xhtml").decode("utf-8")


def test_a_reader_without_stories_exports_their_profile(client: FlaskClient) -> None:
    reader = _add_reader(client)
    archive = _zip(client.get(f"/api/profiles/{reader['id']}/export"))
    assert archive.namelist() == ["reader.json"]
    document = json.loads(archive.read("reader.json"))
    assert document["reader"]["name"] == NAME
    assert document["stories"] == []


# --- deletion leaves nothing behind -----------------------------------------------------------


def _rows_naming(app: Flask, needle: str) -> list[str]:
    """Every table column (as "table.column") with a row whose text holds ``needle``."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | Text) and not isinstance(column.type, Enum):
                    hits = db.session.scalar(
                        select(func.count()).select_from(table).where(column.contains(needle))
                    )
                    if hits:
                        found.append(f"{table.name}.{column.name}")
                elif column.type.__class__.__name__ == "JSON":
                    for value in db.session.scalars(select(column)):
                        if needle in json.dumps(value, ensure_ascii=False):
                            found.append(f"{table.name}.{column.name}")
                            break
        db.session.remove()
    return found


def _rows_referring_to(app: Flask, profile_id: int, story_ids: list[int]) -> list[str]:
    """Rows of any table whose foreign key (or profile_id/story_id column) is one of these."""
    targets = {"profile": [profile_id], "story": story_ids}
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in targets:
                column = table.c.id
                hits = db.session.scalar(
                    select(func.count()).select_from(table).where(column.in_(targets[table.name]))
                )
                if hits:
                    found.append(f"{table.name}.id")
            for column in table.columns:
                referred = {fk.column.table.name for fk in column.foreign_keys}
                referred |= {column.name.removesuffix("_id")} & set(targets)
                for name in referred & set(targets):
                    hits = db.session.scalar(
                        select(func.count()).select_from(table).where(column.in_(targets[name]))
                    )
                    if hits:
                        found.append(f"{table.name}.{column.name}")
        db.session.remove()
    return found


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


DATABASE_FILES = ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm")


def test_deleting_a_reader_leaves_no_row_and_no_file_about_them(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine
) -> None:
    data_dir = Path(components(app).settings.data_dir)
    before = set(_files(data_dir))
    reader = _add_reader(client, interests=[f"{NAME}'s kite"], things_to_avoid=["spiders"])
    other = _add_reader(client, name="Leo")
    ended = [
        write(client, fake_engine, titled(f"{NAME} and the Moon", f"{NAME} flew."), **for_)
        for for_ in ({"profile_id": reader["id"]}, {"profile_id": reader["id"], "language": "ja"})
    ]
    kept = write(client, fake_engine, titled("Leo's", "Leo swam."), profile_id=other["id"])
    fake_engine.enqueue([f"Title: {NAME}\n\n", "Once ", "upon ", "a time."], pause_after=2)
    running = ask(client, profile_id=reader["id"])
    read_events(client, running["id"], stop_after_texts=2)
    queued = ask(client, profile_id=reader["id"])
    assert queued["status"] == "queued"
    story_ids = [s["id"] for s in (*ended, running, queued)]
    # What an adult does first: download everything, then delete.
    assert client.get(f"/api/profiles/{reader['id']}/export").status_code == 200
    assert client.get(f"/api/stories/{ended[0]['id']}/export?format=epub").status_code == 200

    assert client.delete(f"/api/profiles/{reader['id']}").status_code == 204
    fake_engine.release()  # the engine writes on; nothing it writes may be saved
    fake_engine.enqueue(titled("Next", "Written."))
    after = wait_for(client, ask(client)["id"], "done", "failed", "cancelled", timeout=5)
    assert after["status"] == "done"
    components(app).runner.stop()

    assert _rows_referring_to(app, reader["id"], story_ids) == []
    assert _rows_naming(app, NAME) == []
    assert search(client, NAME) == []
    for story_id in story_ids:
        assert client.get(f"/api/stories/{story_id}").status_code == 404
    assert client.get(f"/api/stories/{kept['id']}").json["text"] == "Title: Leo's\n\nLeo swam."
    assert client.get(f"/api/profiles/{other['id']}").status_code == 200
    # No file was written for the export or the EPUB, and no file names the reader.
    files = _files(data_dir)
    written = set(files) - before
    assert {n for n in written if not n.startswith(("logs/", *DATABASE_FILES))} == set()
    for name, content in files.items():
        if not name.startswith(DATABASE_FILES):
            assert NAME.encode() not in content, name
    if components(app).settings.is_sqlite:
        # Deleted rows are overwritten (secure_delete): once the write-ahead log is
        # checkpointed, not a byte of the reader is left in the database's files.
        with app.app_context():
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.commit()
            db.session.remove()
        for name in DATABASE_FILES:
            path = data_dir / name
            assert not path.exists() or NAME.encode() not in path.read_bytes(), name


def test_deleting_a_reader_deletes_their_queued_story_before_it_is_written(
    client: FlaskClient, fake_engine: FakeEngine
) -> None:
    reader = _add_reader(client)
    fake_engine.enqueue(titled("First", "Someone else's."), pause_after=1)
    busy = ask(client)
    wait_for(client, busy["id"], "running")
    queued = ask(client, profile_id=reader["id"])
    assert client.delete(f"/api/profiles/{reader['id']}").status_code == 204
    fake_engine.release()
    assert wait_for(client, busy["id"], "done")["status"] == "done"
    assert client.get(f"/api/stories/{queued['id']}").status_code == 404
    # The reader's story was never started: no engine call was told about them.
    assert not [c for c in fake_engine.calls if NAME in json.dumps(c.messages)]
    assert any("Someone" not in json.dumps(c.messages) for c in fake_engine.calls)


# --- an account's data ------------------------------------------------------------------------


def _counts(app: Flask, owner_id: int) -> dict[str, int]:
    """How many stories, pieces, readers, prompts, tokens and accounts ``owner_id`` has."""
    with app.app_context():
        stories = select(Story.id).where(Story.owner_id == owner_id)
        counts = {
            "story": select(func.count()).where(Story.owner_id == owner_id),
            "story_piece": select(func.count()).where(StoryPiece.story_id.in_(stories)),
            "profile": select(func.count()).where(Profile.owner_id == owner_id),
            "prompt": select(func.count()).where(Prompt.owner_id == owner_id),
            "api_token": select(func.count()).where(ApiToken.user_id == owner_id),
            "user": select(func.count()).where(User.id == owner_id),
        }
        found = {name: int(db.session.scalar(query) or 0) for name, query in counts.items()}
        db.session.remove()
    return found


def _family(client: FlaskClient, fake_engine: FakeEngine, name: str) -> dict:
    """A reader with a story, a story without a reader and a prompt of one account."""
    reader = _add_reader(client, name=name)
    stories = [
        write(client, fake_engine, titled(f"{name} and the Moon", "x"), profile_id=reader["id"]),
        write(client, fake_engine, titled("Free", "No reader.")),
    ]
    prompt = client.post("/api/prompts", json={"content": f"A story for {name}"})
    assert prompt.status_code == 201, prompt.json
    return {"reader": reader, "stories": stories, "prompt": prompt.json}


def test_deleting_an_accounts_data_leaves_the_other_accounts_rows(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    other = add_account(app, "other-family@example.com", "member")
    other_client = signed_in(app.test_client(), other)
    mine = _family(client, fake_engine, "Mia")
    theirs = _family(other_client, fake_engine, NAME)
    fake_engine.enqueue([f"Title: {NAME}\n\n", "Once ", "upon"], pause_after=2)
    running = ask(other_client, profile_id=theirs["reader"]["id"])
    read_events(other_client, running["id"], stop_after_texts=2)
    before_mine = _counts(app, admin.id)
    before_theirs = _counts(app, other.id)
    assert before_theirs["story"] == 3
    assert before_theirs["prompt"] > 1  # the example prompts and their own

    with app.app_context():
        deleted = family_data.delete_owned_data(other.id)
        db.session.remove()
    assert deleted.stories == 3
    assert deleted.story_pieces == before_theirs["story_piece"]
    assert (deleted.readers, deleted.prompts) == (1, before_theirs["prompt"])
    assert deleted.accounts == 0
    fake_engine.release()  # their story being written was stopped: nothing more is saved
    after_theirs = _counts(app, other.id)
    assert after_theirs == {**{k: 0 for k in after_theirs}, "api_token": 1, "user": 1}
    assert _counts(app, admin.id) == before_mine
    assert client.get(f"/api/profiles/{mine['reader']['id']}").status_code == 200
    for story in mine["stories"]:
        assert client.get(f"/api/stories/{story['id']}").json["text"]
    assert other_client.get("/api/stories").json["total"] == 0

    with app.app_context():
        gone = family_data.delete_owned_data(other.id, delete_account=True)
        db.session.remove()
    assert gone.accounts == 1
    assert set(_counts(app, other.id).values()) == {0}
    assert other_client.get("/api/stories").status_code == 401  # its token went with it
    assert _counts(app, admin.id) == before_mine
    assert _rows_naming(app, NAME) == []
    assert _rows_naming(app, "other-family@example.com") == []


def test_deleting_an_account_through_the_api_deletes_its_data_only(
    app: Flask, client: FlaskClient, admin: Account, fake_engine: FakeEngine
) -> None:
    other = add_account(app, "other-family@example.com", "member")
    third = add_account(app, "third-family@example.com", "member")
    mine = _family(client, fake_engine, "Mia")
    _family(signed_in(app.test_client(), other), fake_engine, NAME)
    _family(signed_in(app.test_client(), third), fake_engine, "Leo")
    before_mine = _counts(app, admin.id)
    before_third = _counts(app, third.id)

    assert client.delete(f"/api/users/{other.id}").status_code == 204
    assert set(_counts(app, other.id).values()) == {0}
    assert _rows_naming(app, NAME) == []
    me = signed_in(app.test_client(), third)
    response = me.delete("/api/me", json={"password": TEST_PASSWORD})
    assert response.status_code == 204, response.json
    assert set(_counts(app, third.id).values()) == {0}
    assert before_third["story"] == 2
    assert _counts(app, admin.id) == before_mine
    assert client.get(f"/api/profiles/{mine['reader']['id']}").status_code == 200


def test_another_accounts_reader_can_be_neither_exported_nor_deleted(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine
) -> None:
    reader = _add_reader(client)
    story = write(client, fake_engine, MOON, profile_id=reader["id"])
    other = signed_in(app.test_client(), add_account(app, "other-family@example.com", "member"))
    for response in (
        other.get(f"/api/profiles/{reader['id']}/export"),
        other.delete(f"/api/profiles/{reader['id']}"),
    ):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert client.get(f"/api/profiles/{reader['id']}").status_code == 200
    assert client.get(f"/api/stories/{story['id']}").status_code == 200
    # Their own reader's export holds none of the other family's stories.
    theirs = other.post("/api/profiles", json={"name": "Leo"}).json
    archive = _zip(other.get(f"/api/profiles/{theirs['id']}/export"))
    assert json.loads(archive.read("reader.json"))["stories"] == []


@pytest.mark.parametrize("batch", [1, 3])
def test_deleting_story_rows_takes_any_number_of_ids_in_batches(
    app: Flask, client: FlaskClient, fake_engine: FakeEngine, batch: int, monkeypatch: Any
) -> None:
    monkeypatch.setattr(family_data, "BATCH_SIZE", batch)
    made = [write(client, fake_engine, titled(f"S{i}", "x"))["id"] for i in range(4)]
    pieces = sum(piece_count(client, story_id) for story_id in made[:3])
    with app.app_context(), write_intent():  # BEGIN IMMEDIATE, as the app's own writers
        deleted = family_data.delete_story_rows(made[:3])
        db.session.commit()
        left = list(db.session.scalars(select(Story.id)))
        db.session.remove()
    assert (deleted.stories, deleted.story_pieces) == (3, pieces)
    assert left == made[3:]
