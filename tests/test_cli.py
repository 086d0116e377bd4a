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
import requests

from storybot.engines.local import builtin_model_path
from tests.model_file_server import ModelFileServer
from tests.support import ROOT, LiveServer


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


def test_db_upgrade_current_downgrade(tmp_path: Path) -> None:
    assert storybot(tmp_path, "db", "upgrade").returncode == 0
    assert "(head)" in storybot(tmp_path, "db", "current").stdout
    assert storybot(tmp_path, "db", "downgrade", "base").returncode == 0
    assert "(head)" not in storybot(tmp_path, "db", "current").stdout


def test_prompts_export_and_import(live_server: LiveServer, tmp_path: Path) -> None:
    requests.post(f"{live_server.url}/api/prompts", json={"content": "CLI 書き出し"}, timeout=5)
    exported = storybot(live_server.data_dir, "prompts", "export")
    assert exported.returncode == 0, exported.stderr
    library = json.loads(exported.stdout)
    assert "CLI 書き出し" in {p["content"] for p in library["prompts"]}

    other = tmp_path / "other"
    assert storybot(other, "db", "upgrade").returncode == 0
    path = tmp_path / "library.json"
    path.write_text(exported.stdout, encoding="utf-8")
    first = storybot(other, "prompts", "import", str(path))
    assert first.returncode == 0, first.stderr
    assert f"Imported {len(library['prompts'])} new and 0 updated" in first.stdout
    again = storybot(other, "prompts", "import", str(path))
    assert f"Imported 0 new and {len(library['prompts'])} updated" in again.stdout

    bad = tmp_path / "bad.json"
    bad.write_text('{"prompts": [{"content": "no uuid"}]}', encoding="utf-8")
    refused = storybot(other, "prompts", "import", str(bad))
    assert refused.returncode != 0
    assert "not a Storybot prompt library" in refused.stderr


def test_backup_while_serving_then_restore(live_server: LiveServer, tmp_path: Path) -> None:
    url = f"{live_server.url}/api/prompts"
    kept = requests.post(url, json={"content": "In the backup"}, timeout=5).json()
    backup = tmp_path / "backup.sqlite3"
    result = storybot(live_server.data_dir, "backup", str(backup))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        contents = {row[0] for row in conn.execute("SELECT content FROM prompt")}
    assert "In the backup" in contents

    later = requests.post(url, json={"content": "After the backup"}, timeout=5).json()
    restored = storybot(live_server.data_dir, "restore", "--yes", str(backup))
    assert restored.returncode == 0, restored.stderr
    # the running server sees the restored database
    assert requests.get(f"{url}/{kept['id']}", timeout=5).status_code == 200
    assert requests.get(f"{url}/{later['id']}", timeout=5).status_code == 404

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
    result = storybot(tmp_path, "generate", "A tale", "--profile", "Nobody")
    assert result.returncode != 0
    assert "There is no reader" in result.stderr


def test_generate_in_japanese_with_the_built_in_model_says_how_to_fix_it(tmp_path: Path) -> None:
    result = storybot(tmp_path, "generate", "ねこのおはなし", "--language", "ja")
    assert result.returncode != 0
    assert "add a model" in result.stderr


@pytest.mark.slow
def test_generate_streams_a_story_for_a_reader(tmp_path: Path) -> None:
    from storybot.cli import prepare_database
    from storybot.schemas.profiles import ProfileCreate
    from storybot.services.profile_service import create_profile
    from tests.support import build_app, make_settings

    settings = make_settings(tmp_path)
    app = build_app(settings)
    with app.app_context():
        create_profile(ProfileCreate(name="Noah", age=5, interests=["trains"]))
    prepare_database(app)
    result = storybot(
        tmp_path, "generate", "A train that can fly", "--profile", "noah", "--length", "short"
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) > 5  # the story, on standard output
    assert "[done]" in result.stderr
    assert "trace id" in result.stderr
