"""The ``storybot`` command: db, prompts export/import, backup and restore."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storybot.engines.local import builtin_model_path
from tests.model_file_server import ModelFileServer
from tests.support import ROOT, TEST_PASSWORD, LiveServer, add_account, build_app, make_settings


def storybot(
    data_dir: Path, *args: str, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
    env["STORYBOT_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "storybot", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=input_text,
        timeout=120,
    )


def create_admin(data_dir: Path, email: str = "admin@example.com") -> None:
    """The first admin of a data dir, made as a newcomer would from a terminal."""
    made = storybot(
        data_dir, "users", "create-admin", email, "--password-stdin", input_text=TEST_PASSWORD
    )
    assert made.returncode == 0, made.stderr


def test_the_first_admin_and_a_token_are_made_from_a_terminal(tmp_path: Path) -> None:
    asked = storybot(
        tmp_path,
        "users",
        "create-admin",
        "Parent@Example.com",
        input_text="a long password\na long password\n",
    )
    assert asked.returncode == 0, asked.stderr
    assert "Created the admin parent@example.com" in asked.stdout
    short = storybot(
        tmp_path, "users", "create-admin", "b@example.com", "--password-stdin", input_text="short"
    )
    assert short.returncode != 0
    assert "at least 8 characters" in short.stderr
    taken = storybot(
        tmp_path,
        "users",
        "create-admin",
        "parent@example.com",
        "--password-stdin",
        input_text=TEST_PASSWORD,
    )
    assert taken.returncode != 0
    assert "exists already" in taken.stderr

    made = storybot(tmp_path, "tokens", "create", "parent@example.com", "--name", "backups")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("sbt_")
    app = build_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    me = app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["email"] == "parent@example.com"
    assert me.json["role"] == "admin"
    nobody = storybot(tmp_path, "tokens", "create", "nobody@example.com", "--name", "x")
    assert nobody.returncode != 0
    assert "There is no account" in nobody.stderr


def test_db_upgrade_current_downgrade(tmp_path: Path) -> None:
    assert storybot(tmp_path, "db", "upgrade").returncode == 0
    assert "(head)" in storybot(tmp_path, "db", "current").stdout
    assert storybot(tmp_path, "db", "downgrade", "base").returncode == 0
    assert "(head)" not in storybot(tmp_path, "db", "current").stdout


def test_prompts_export_and_import(live_server: LiveServer, tmp_path: Path) -> None:
    live_server.session.post(
        f"{live_server.url}/api/prompts", json={"content": "CLI 書き出し"}, timeout=5
    )
    exported = storybot(live_server.data_dir, "prompts", "export")
    assert exported.returncode == 0, exported.stderr
    library = json.loads(exported.stdout)
    assert "CLI 書き出し" in {p["content"] for p in library["prompts"]}

    other = tmp_path / "other"
    assert storybot(other, "db", "upgrade").returncode == 0
    assert "no account yet" in storybot(other, "prompts", "export").stderr
    create_admin(other)  # a new account: it has the example prompts already
    path = tmp_path / "library.json"
    path.write_text(exported.stdout, encoding="utf-8")
    first = storybot(other, "prompts", "import", str(path))
    assert first.returncode == 0, first.stderr
    examples = json.loads((ROOT / "storybot" / "data" / "example_prompts.json").read_text())
    known = {p["uuid"] for p in examples["prompts"]} & {p["uuid"] for p in library["prompts"]}
    fresh = len(library["prompts"]) - len(known)
    assert f"Imported {fresh} new and {len(known)} updated" in first.stdout
    again = storybot(other, "prompts", "import", str(path))
    assert f"Imported 0 new and {len(library['prompts'])} updated" in again.stdout

    bad = tmp_path / "bad.json"
    bad.write_text('{"prompts": [{"content": "no uuid"}]}', encoding="utf-8")
    refused = storybot(other, "prompts", "import", str(bad))
    assert refused.returncode != 0
    assert "not a Storybot prompt library" in refused.stderr


def test_backup_while_serving_then_restore(live_server: LiveServer, tmp_path: Path) -> None:
    url = f"{live_server.url}/api/prompts"
    kept = live_server.session.post(url, json={"content": "In the backup"}, timeout=5).json()
    backup = tmp_path / "backup.sqlite3"
    result = storybot(live_server.data_dir, "backup", str(backup))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        contents = {row[0] for row in conn.execute("SELECT content FROM prompt")}
    assert "In the backup" in contents

    later = live_server.session.post(url, json={"content": "After the backup"}, timeout=5).json()
    restored = storybot(live_server.data_dir, "restore", "--yes", str(backup))
    assert restored.returncode == 0, restored.stderr
    # the running server sees the restored database
    assert live_server.session.get(f"{url}/{kept['id']}", timeout=5).status_code == 200
    assert live_server.session.get(f"{url}/{later['id']}", timeout=5).status_code == 404

    refused = storybot(live_server.data_dir, "backup", str(backup))
    assert refused.returncode != 0
    assert "exists" in refused.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = storybot(tmp_path / "data", "restore", "--yes", str(junk))
    assert result.returncode != 0
    assert "is not a Storybot backup" in result.stderr


def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    env_db = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
    env["STORYBOT_DATABASE_URL"] = env_db
    result = subprocess.run(
        [sys.executable, "-m", "storybot", "backup", str(tmp_path / "x")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "pg_dump" in result.stderr


def test_models_lists_the_built_in_model(tmp_path: Path) -> None:
    result = storybot(tmp_path, "models", "--json")
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)
    assert any(m["builtin"] and m["name"] == "SmolLM2-135M-Instruct.Q4_1" for m in models)


def test_models_pull_downloads_a_model_with_a_progress_bar_and_says_how_to_use_it(
    tmp_path: Path, model_file_server: ModelFileServer
) -> None:
    builtin = builtin_model_path()
    assert builtin is not None
    model_file_server.files["pulled-model.gguf"] = builtin
    digest = hashlib.sha256(builtin.read_bytes()).hexdigest()
    url = model_file_server.url("pulled-model.gguf")

    result = storybot(tmp_path, "models", "pull", url, "--sha256", digest)
    assert result.returncode == 0, result.stderr
    assert "pulled-model.gguf" in result.stderr  # the progress bar's label
    saved = tmp_path / "models" / "pulled-model.gguf"
    assert saved.read_bytes() == builtin.read_bytes()
    assert "Use it" in result.stdout
    assert "/api/models/pulled-model/engine" in result.stdout
    listed = json.loads(storybot(tmp_path, "models", "--json").stdout)
    assert str(saved) in {m["path"] for m in listed}

    again = storybot(tmp_path, "models", "pull", url)
    assert again.returncode != 0
    assert "already" in again.stderr
    model_file_server.files["other.gguf"] = builtin
    wrong = storybot(
        tmp_path, "models", "pull", model_file_server.url("other.gguf"), "--sha256", "0" * 64
    )
    assert wrong.returncode != 0
    assert "SHA-256" in wrong.stderr
    assert not (tmp_path / "models" / "other.gguf").exists()
    assert not (tmp_path / "models" / "other.gguf.part").exists()


def test_generate_with_an_unknown_reader_says_so(tmp_path: Path) -> None:
    no_account = storybot(tmp_path, "generate", "A tale")
    assert no_account.returncode != 0
    assert "storybot users create-admin" in no_account.stderr
    create_admin(tmp_path)
    result = storybot(tmp_path, "generate", "A tale", "--profile", "Nobody")
    assert result.returncode != 0
    assert "There is no reader" in result.stderr


def test_generate_in_japanese_with_the_built_in_model_says_how_to_fix_it(tmp_path: Path) -> None:
    create_admin(tmp_path)
    result = storybot(tmp_path, "generate", "ねこのおはなし", "--language", "ja")
    assert result.returncode != 0
    assert "add a model" in result.stderr


@pytest.mark.slow
def test_generate_streams_a_story_for_a_reader(tmp_path: Path) -> None:
    from storybot.cli import prepare_database
    from storybot.schemas.profiles import ProfileCreate
    from storybot.services.ownership import acting_as
    from storybot.services.profile_service import create_profile

    settings = make_settings(tmp_path)
    app = build_app(settings)
    admin = add_account(app)
    with app.app_context(), acting_as(admin.id):
        create_profile(ProfileCreate(name="Noah", age=5, interests=["trains"]))
    prepare_database(app)
    result = storybot(
        tmp_path, "generate", "A train that can fly", "--profile", "noah", "--length", "short"
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) > 5  # the story, on standard output
    assert "[done]" in result.stderr
    assert "trace id" in result.stderr
