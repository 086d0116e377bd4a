"""The Fabric deployment (deploy/fabfile.py) against a real sshd on loopback.

A throwaway user logs in with a throwaway key; a temporary folder stands in for
``/srv/storybot``, ``/var/lib/storybot`` and ``/etc/storybot``; the restart is the
fabfile's "process" way (a pid file) instead of systemd. Each release is a real wheel
installed into its own virtual environment, from a wheelhouse of the dependencies made
once (and kept in pytest's cache while the dependencies stay the same).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.deploy.conftest import DEPLOY, ROOT, program
from tests.deploy.sshd import Sshd, ThrowawayUser
from tests.deploy.wheels import storybot_wheel
from tests.support import free_port

FAB = Path(sys.executable).with_name("fab")
# The Python of the stand-in server (Debian's), which makes each release's venv.
SERVER_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def world() -> Iterator[Path]:
    """A folder every user can enter (pytest's own are the owner's only), removed after."""
    folder = Path(tempfile.mkdtemp(prefix="storybot-deploy-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def user(world: Path) -> Iterator[ThrowawayUser]:
    """The throwaway user the deployment logs in as (and Storybot runs as)."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the deployment test makes a throwaway user: it runs as root")
        pytest.skip("the deployment test makes a throwaway user: run it as root")
    made = ThrowawayUser(world / "home").create()
    yield made
    made.remove()


@pytest.fixture(scope="module")
def sshd(world: Path, user: ThrowawayUser) -> Iterator[Sshd]:
    """The SSH server the deployment connects to."""
    folder = world / "ssh"
    folder.mkdir()
    server = Sshd(folder, user.name).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (the good releases deploy it)."""
    return storybot_wheel(tmp_path_factory)


@pytest.fixture(scope="module")
def wheelhouse(request: pytest.FixtureRequest, wheel: Path) -> Path:
    """Wheels of Storybot's dependencies, for ``pip install --no-index`` in each release:
    made once (33 s) and kept in pytest's cache while pyproject.toml stays the same."""
    # Made by the server's Python: the dependencies' markers depend on its version.
    version = subprocess.run(
        [SERVER_PYTHON, "--version"], capture_output=True, text=True, check=True
    ).stdout
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + version.encode()).hexdigest()
    folder = Path(request.config.cache.mkdir(f"storybot-wheelhouse-{key[:16]}"))
    if not (folder / "complete").exists():
        subprocess.run(
            [SERVER_PYTHON, "-m", "pip", "wheel", "-q", "--wheel-dir", str(folder), str(wheel)],
            check=True,
        )
        for own in folder.glob("storybot-*.whl"):
            own.unlink()
        (folder / "complete").touch()
    return folder


@pytest.fixture(scope="module")
def source(world: Path) -> Path:
    """A copy of the checkout to build releases from (one of them broken on purpose),
    with a database and a data folder among the deploy files that rsync must leave out."""
    copy = world / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.sqlite3", "instance")
    shutil.copytree(ROOT / "storybot", copy / "storybot", ignore=ignore)
    shutil.copytree(DEPLOY, copy / "deploy", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        shutil.copy(ROOT / name, copy / name)
    (copy / "deploy" / "db.sqlite3").write_text("a developer's database")
    (copy / "deploy" / "instance").mkdir()
    (copy / "deploy" / "instance" / "secret_key").write_text("a developer's key")
    return copy


@dataclass
class Server:
    """The stand-in server's folders and how to run the fabfile against it."""

    sshd: Sshd
    user: ThrowawayUser
    target: Path
    config: Path
    port: int

    @property
    def root(self) -> Path:
        """Stands in for /srv/storybot."""
        return self.target / "srv" / "storybot"

    @property
    def data(self) -> Path:
        """Stands in for /var/lib/storybot."""
        return self.target / "var" / "lib" / "storybot"

    @property
    def env_file(self) -> Path:
        """Stands in for /etc/storybot/storybot.env."""
        return self.target / "etc" / "storybot" / "storybot.env"

    def fab(self, *task: str, **options: str) -> subprocess.CompletedProcess[str]:
        """``fab`` with this server's options (and ``options`` through the environment,
        as FABRIC_STORYBOT_<OPTION>), as an operator runs it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")}
        env.update({f"FABRIC_STORYBOT_{k.upper()}": v for k, v in options.items()})
        return subprocess.run(
            [
                str(FAB),
                "-r",
                str(DEPLOY),
                "-f",
                str(self.config),
                "-S",
                os.devnull,
                "-H",
                f"{self.user.name}@127.0.0.1:{self.sshd.port}",
                "-i",
                str(self.sshd.client_key),
                *task,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    def current(self) -> str:
        """The release ``current`` points at."""
        return Path(os.readlink(self.root / "current")).name

    def releases(self) -> list[str]:
        """The releases on the server, oldest first."""
        return sorted(p.name for p in (self.root / "releases").iterdir())

    def health(self) -> dict[str, object]:
        """What the running Storybot answers at /api/health."""
        answer = requests.get(f"http://127.0.0.1:{self.port}/api/health", timeout=10)
        answer.raise_for_status()
        body: dict[str, object] = answer.json()
        return body

    def pid(self) -> int:
        """The running server's process id, from the fabfile's pid file."""
        return int((self.data / "storybot-serve.pid").read_text())


@pytest.fixture(scope="module")
def server(
    world: Path, user: ThrowawayUser, sshd: Sshd, wheel: Path, wheelhouse: Path, source: Path
) -> Server:
    """The options file for ``fab -f`` and the target folder the user owns. The good
    releases deploy the wheel built once; no bytecode is compiled (it saves a third of
    each release's 25 s install here; a server compiles it)."""
    target = world / "target"
    target.mkdir()
    shutil.chown(target, user.name, user.name)
    port = free_port()
    config = world / "fabric.yaml"
    made = Server(sshd, user, target, config, port)
    config.write_text(
        "storybot:\n"
        f"  root: {made.root}\n  data_dir: {made.data}\n  env_file: {made.env_file}\n"
        f"  app_user: {user.name}\n  app_group: {user.name}\n  owner: {user.name}\n"
        f"  sudo: false\n  python: {SERVER_PYTHON}\n"
        f"  pip_args: --no-compile --no-index --find-links {wheelhouse}\n"
        "  keep: 2\n  restart: process\n"
        f"  health_url: http://127.0.0.1:{port}/api/health\n  health_timeout: 20\n"
        f"  known_hosts: {sshd.known_hosts}\n  source: {source}\n"
    )
    return made


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"fab failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_deploy_switch_roll_back_and_prune(server: Server, source: Path, wheel: Path) -> None:
    """Set up, deploy twice, roll back and forth, deploy a broken release that rolls
    back, and prune."""
    started = time.monotonic()
    # Set-up: the folders with their owners and modes, a settings file with a secret.
    _ok(server.fab("setup"))
    assert _mode(server.root) == 0o755
    assert _mode(server.root / "releases") == 0o755
    assert _mode(server.data) == 0o750
    assert server.data.stat().st_uid == server.user.uid
    assert _mode(server.env_file) == 0o640
    assert _mode(server.env_file.parent) == 0o750
    settings = server.env_file.read_text()
    assert "STORYBOT_ENV=production" in settings
    assert "STORYBOT_SECRET_KEY=" in settings
    with server.env_file.open("a") as env:  # the operator's own settings
        env.write(f"STORYBOT_PORT={server.port}\nSTORYBOT_THREADS=16\n")

    # Release 1: installed, migrated, current, serving the UI as itself.
    out = _ok(server.fab("deploy", "--wheel", str(wheel)))
    first = server.current()
    assert f"Deployed release {first}." in out
    assert server.health() == {"status": "ok", "checks": {}, "version": "0.1.0", "release": first}
    storybot = server.root / "current" / "venv" / "bin" / "storybot"
    version = subprocess.run([str(storybot), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith(f"storybot 0.1.0 (release {first}, commit ")
    assert (server.data / "db.sqlite3").stat().st_size > 0  # the migrations ran
    page = requests.get(f"http://127.0.0.1:{server.port}/", timeout=10)
    assert page.status_code == 200
    assert '<div id="root">' in page.text
    script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
    assert script
    assert requests.get(f"http://127.0.0.1:{server.port}{script[1]}", timeout=10).ok
    # What the gateway serves as the UI (its --static-root) is this release's build.
    ui = server.root / "current" / "static"
    assert (ui / "index.html").read_text() == page.text
    assert (ui / script[1].lstrip("/")).is_file()
    release_files = {p.relative_to(server.root) for p in (server.root / "releases").rglob("*")}
    assert (Path("releases") / first / "deploy" / "fabfile.py") in release_files
    assert not [p for p in release_files if "sqlite3" in p.name or "instance" in p.parts]
    first_pid = server.pid()

    # Release 2: current switches, the old process is replaced.
    _ok(server.fab("deploy", "--wheel", str(wheel)))
    second = server.current()
    assert second > first
    assert server.releases() == [first, second]
    assert server.health()["release"] == second
    assert server.pid() != first_pid
    assert not any(p.name.startswith(".current-") for p in server.root.iterdir())

    # By hand: back to the one before, then forward again to a named one.
    _ok(server.fab("rollback"))
    assert server.current() == first
    assert server.health()["release"] == first
    assert _ok(server.fab("releases")).splitlines() == [f"* {first}", f"  {second}"]
    _ok(server.fab("rollback", "--to", second))
    assert server.health()["release"] == second

    # A broken release, built from the source (its health check answers 500): back to
    # release 2, the broken one removed, and then only one release kept.
    health_module = source / "storybot" / "api" / "health.py"
    good = health_module.read_text()
    health_module.write_text(good.replace('_health("ok").model_dump()', "1 / 0"))
    try:
        failed = server.fab("deploy", "--keep", "1")
    finally:
        health_module.write_text(good)
    assert failed.returncode != 0
    assert "Building the wheel" in failed.stdout
    assert f"rolling back to {second}" in failed.stdout
    assert "HTTPError: HTTP Error 500" in failed.stdout
    assert server.current() == second
    assert server.health()["release"] == second
    assert server.releases() == [second]  # the broken one is gone, the oldest pruned
    print(f"deploy scenario: {time.monotonic() - started:.1f} s")


def test_unknown_host_key_is_refused(server: Server, tmp_path: Path) -> None:
    """With a known_hosts file, a server whose key is not in it is not deployed to."""
    stranger = tmp_path / "stranger"
    subprocess.run(
        [program("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True
    )
    kind, key = stranger.with_suffix(".pub").read_text().split()[:2]
    other = tmp_path / "known_hosts"
    other.write_text(f"[127.0.0.1]:{server.sshd.port} {kind} {key}\n")
    config = tmp_path / "fabric.yaml"
    config.write_text(server.config.read_text().replace(str(server.sshd.known_hosts), str(other)))
    wrong = Server(server.sshd, server.user, server.target, config, server.port)
    before = server.releases() if (server.root / "releases").exists() else []
    done = wrong.fab("releases")
    assert done.returncode != 0
    assert "does not match" in done.stderr, done.stderr
    assert not (server.root / "releases").exists() or server.releases() == before
