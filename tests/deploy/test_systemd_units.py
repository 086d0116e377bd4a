"""The systemd units of deploy/systemd: valid for systemd, in boot order, hardened.

There is no running systemd here (PID 1 is not systemd), so the real program
checks them offline: ``systemd-analyze verify`` (syntax, dependencies, the
ExecStart command) and ``systemd-analyze security --offline`` (the exposure
score). ``verify`` needs ExecStart's program to exist: the units run
``/srv/storybot/current/venv/bin/storybot``, so the test verifies copies in which
that one path, and nothing else, is this checkout's own ``storybot`` (the same
program, from its virtual environment), and checks that the shipped files fail
only on that path.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from storybot.config import Settings
from tests.deploy.conftest import DEPLOY, program
from tests.support import ROOT, LiveServer

UNITS = DEPLOY / "systemd"
SERVICES = ("storybot-migrate.service", "storybot-web.service", "storybot-worker@.service")
ALL_UNITS = (*SERVICES, "storybot.target")
SERVER_PROGRAM = "/srv/storybot/current/venv/bin/storybot"
STORYBOT = Path(sys.executable).parent / "storybot"  # this checkout's, from its venv
ENV_EXAMPLE = UNITS / "storybot.env.example"

HARDENING = {
    "User": "storybot",
    "Group": "storybot",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ReadWritePaths": "/var/lib/storybot",
    "StateDirectory": "storybot",
    "PrivateTmp": "yes",
    "ProtectHome": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "CapabilityBoundingSet": "",
    "UMask": "0027",
    "EnvironmentFile": "/etc/storybot/storybot.env",
}


def directives(name: str) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections, each directive's values in order (they may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    section: dict[str, list[str]] = {}
    for raw in (UNITS / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return sections


def words(unit: str, section: str, key: str) -> list[str]:
    """Every space-separated value of a directive (After=a b, After=c: a, b, c)."""
    return [w for value in directives(unit)[section].get(key, []) for w in value.split()]


def verify(folder: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` on the units in ``folder`` (and a worker instance)."""
    paths = [str(folder / name) for name in ALL_UNITS]
    return subprocess.run(
        [program("systemd-analyze"), "verify", *paths, str(folder / "storybot-worker@1.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def copy_units(folder: Path, storybot: str) -> Path:
    """The units copied into ``folder``, their ExecStart program replaced by ``storybot``."""
    folder.mkdir()
    for name in ALL_UNITS:
        text = (UNITS / name).read_text()
        (folder / name).write_text(text.replace(SERVER_PROGRAM, storybot))
    return folder


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    assert STORYBOT.is_file(), STORYBOT
    done = verify(copy_units(tmp_path / "units", str(STORYBOT)))
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stderr.strip() == "", done.stderr  # not a warning either


def test_the_shipped_units_differ_from_the_verified_ones_only_in_the_program_path(
    tmp_path: Path,
) -> None:
    """The copies verified above are the shipped units: verifying the originals fails on the
    server's program path alone, missing on this machine."""
    done = verify(copy_units(tmp_path / "units", SERVER_PROGRAM))
    assert done.returncode != 0
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    assert problems, done.stdout
    assert all(f"Command {SERVER_PROGRAM} is not executable" in line for line in problems), (
        done.stderr
    )


def test_the_database_is_upgraded_before_the_web_server_and_the_workers_start() -> None:
    migrate = directives("storybot-migrate.service")["Service"]
    assert migrate["Type"] == ["oneshot"]
    assert migrate["RemainAfterExit"] == ["yes"]  # stays "active": dependents start after it
    assert migrate["ExecStart"] == [f"{SERVER_PROGRAM} db upgrade"]
    commands = {"storybot-web.service": "serve", "storybot-worker@.service": "worker"}
    for unit, command in commands.items():
        assert directives(unit)["Service"]["ExecStart"] == [f"{SERVER_PROGRAM} {command}"]
        assert "storybot-migrate.service" in words(unit, "Unit", "Requires")
        assert "storybot-migrate.service" in words(unit, "Unit", "After")
        # Databases on this host come first, but either may be on another host.
        assert {"postgresql.service", "redis-server.service"} <= set(words(unit, "Unit", "After"))
        for strong in ("Requires", "Wants", "BindsTo", "Requisite"):
            assert not {"postgresql.service", "redis-server.service"} & set(
                words(unit, "Unit", strong)
            )
        assert words(unit, "Unit", "PartOf") == ["storybot.target"]
        assert words(unit, "Install", "WantedBy") == ["storybot.target"]
    assert words("storybot-web.service", "Service", "Type") == ["notify"]
    target = set(words("storybot.target", "Unit", "Wants"))
    assert {"storybot-migrate.service", "storybot-web.service"} <= target


@pytest.mark.parametrize("unit", SERVICES)
def test_each_service_is_hardened(unit: str) -> None:
    service = directives(unit)["Service"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"{unit}: {key}={service.get(key)}"
    assert "STORYBOT_DATA_DIR=/var/lib/storybot" in service.get("Environment", [])
    # Left out on purpose (deploy/systemd/README.md): llama-cpp-python's ctypes callbacks
    # are libffi closures, which may need writable and executable memory.
    assert "MemoryDenyWriteExecute" not in service
    if unit != "storybot-migrate.service":
        assert service["Restart"] == ["on-failure"]
        assert service["KillMode"] == ["mixed"]


@pytest.mark.parametrize("unit", SERVICES)
def test_the_exposure_score_stays_low(unit: str) -> None:
    """``systemd-analyze security`` rates each service at most 2.0 ("OK"; 10 is unsafe)."""
    done = subprocess.run(
        [program("systemd-analyze"), "security", "--offline=yes", "--threshold=20", UNITS / unit],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Overall exposure level" in done.stdout, done.stderr
    assert done.returncode == 0, done.stdout.splitlines()[-1]


def test_a_retiring_web_server_has_time_to_close_its_streams() -> None:
    """systemd waits longer than gunicorn's graceful timeout before it kills the rest."""
    config: dict[str, object] = {}
    exec((DEPLOY / "gunicorn" / "gunicorn.conf.py").read_text(), config)
    stop = int(directives("storybot-web.service")["Service"]["TimeoutStopSec"][0])
    assert isinstance(config["graceful_timeout"], int)
    assert stop >= config["graceful_timeout"] + 10


def test_worker_instances_get_their_own_metrics_port_and_log() -> None:
    """``Environment=STORYBOT_METRICS_PORT=950%i``: instance N listens on 9500 + N."""
    environment = directives("storybot-worker@.service")["Service"]["Environment"]
    values = dict(item.split("=", 1) for item in environment)
    for instance in range(1, 10):
        expanded = {k: v.replace("%i", str(instance)) for k, v in values.items()}
        settings = Settings(
            metrics_port=expanded["STORYBOT_METRICS_PORT"],
            log_file=expanded["STORYBOT_LOG_FILE"],
            data_dir=expanded["STORYBOT_DATA_DIR"],
        )
        assert settings.metrics_port == 9500 + instance
        assert settings.log_file == Path(f"/var/lib/storybot/logs/worker-{instance}.log")
    with pytest.raises(ValueError, match="metrics_port"):
        Settings(metrics_port=values["STORYBOT_METRICS_PORT"].replace("%i", "10"))


def env_example() -> tuple[dict[str, str], set[str]]:
    """The example's settings (``NAME=value``), and the names its commented lines show."""
    active: dict[str, str] = {}
    shown: set[str] = set()
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        if line.startswith("# STORYBOT_") and "=" in line:
            shown.add(line[2:].split("=", 1)[0])
        elif line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert name.isupper(), raw
            assert name == name.strip(), raw
            active[name] = value
    return active, shown


def test_the_environment_example_names_real_settings_only() -> None:
    active, shown = env_example()
    fields = {f"STORYBOT_{name.upper()}" for name in Settings.model_fields}
    assert set(active) | shown <= fields, (set(active) | shown) - fields
    # The units set these per process; here they would win over the units'.
    assert not {"STORYBOT_DATA_DIR", "STORYBOT_METRICS_PORT", "STORYBOT_LOG_FILE"} & (set(active))
    assert active["STORYBOT_ENV"] == "production"
    assert active["STORYBOT_TRUSTED_PROXIES"] == "1"
    assert active["STORYBOT_SECRET_KEY"] == ""  # refuses to start until one is set


def test_the_environment_example_describes_a_server_that_may_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    active, _ = env_example()
    for name, value in active.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="STORYBOT_SECRET_KEY is required"):
        Settings().check_can_start()
    monkeypatch.setenv("STORYBOT_SECRET_KEY", "x" * 64)
    settings = Settings()
    settings.check_can_start()
    assert settings.queue_workers  # the web server loads no model
    assert settings.cors_origins == ["https://storybot.example.com"]


def _server_env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("STORYBOT_")},
        "STORYBOT_ENV": "production",
        "STORYBOT_SECRET_KEY": "s" * 64,
        "STORYBOT_DATA_DIR": str(tmp_path / "data"),
        "STORYBOT_THREADS": "16",
    }


def test_the_migrate_unit_command_upgrades_the_database(tmp_path: Path) -> None:
    """``storybot db upgrade`` (Flask-Migrate through the storybot command) brings an empty
    database to the newest schema: the one ``storybot worker`` waits for."""
    from alembic.script import ScriptDirectory

    from storybot import create_app
    from storybot.extensions import migrate

    done = subprocess.run(
        [STORYBOT, "db", "upgrade"],
        env=_server_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    app = create_app(Settings(data_dir=tmp_path / "scratch", database_url="sqlite://"))
    with app.app_context():
        head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
    with sqlite3.connect(tmp_path / "data" / "db.sqlite3") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]


# The file system a service sees under ProtectSystem=strict, ReadWritePaths=/var/lib/storybot
# and PrivateTmp: every mount read-only but the API file systems, the data directory
# writable, a /tmp and /var/tmp of its own. Emulated in a mount namespace of its own
# (unshare; nothing changes outside it), as systemd builds one; the data directory is
# bound on /var/tmp/storybot, inside the private /var/tmp.
SANDBOX = """set -eu
data=$1; probe=$2; shift 2
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mkdir /var/tmp/storybot
mount --bind "$data" /var/tmp/storybot
mount -t tmpfs -o mode=1777 tmpfs /tmp
for m in $(awk '{print $2}' /proc/self/mounts); do
  case "$m" in
    /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|/tmp|/var/tmp|/var/tmp/storybot) ;;
    *) mount -o remount,bind,ro "$m" ;;
  esac
done
if touch "$probe" 2>/dev/null; then echo "the sandbox is writable: $probe" >&2; exit 97; fi
exec "$@"
"""
SANDBOX_DATA = "/var/tmp/storybot"


def test_the_web_server_runs_with_the_units_read_only_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``storybot serve`` writes nowhere but its data directory and its own /tmp: it starts,
    creates the first account and serves /metrics with the rest of the system read-only.
    And ``Type=notify``: it sends READY=1 to $NOTIFY_SOCKET (an abstract socket here)."""
    import tests.support

    data = tmp_path / "data"
    data.mkdir()
    probe = ROOT / ".sandbox-probe"

    def sandboxed(command: str, env: dict[str, str], output: Path) -> subprocess.Popen[bytes]:
        with output.open("wb") as out:
            return subprocess.Popen(
                [
                    program("unshare"),
                    "--mount",
                    "--propagation",
                    "private",
                    "sh",
                    "-c",
                    SANDBOX,
                    "sandbox",
                    str(data),
                    str(probe),
                    sys.executable,
                    "-m",
                    "storybot",
                    command,
                ],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )

    monkeypatch.setattr(tests.support, "spawn_storybot", sandboxed)
    notify = f"storybot-test-notify-{secrets.token_hex(4)}"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind("\0" + notify)
    receiver.settimeout(10)
    server = LiveServer(
        tmp_path,
        env={
            "STORYBOT_DATA_DIR": SANDBOX_DATA,
            "HOME": SANDBOX_DATA,  # systemd sets the storybot user's: /var/lib/storybot
            "STORYBOT_GUNICORN_CONFIG": str(DEPLOY / "gunicorn" / "gunicorn.conf.py"),
            "NOTIFY_SOCKET": "@" + notify,
        },
    )
    try:
        server.start()  # it signs in: the first account, a session, a token
        assert "READY=1" in receiver.recv(4096).decode().split("\n")
        assert server.session.get(f"{server.url}/api/prompts", timeout=10).ok
        metrics = requests.get(f"{server.url}/metrics", timeout=10)
        assert metrics.ok
        assert "storybot_" in metrics.text
    finally:
        server.stop()
        receiver.close()
    assert not probe.exists()
    written = {path.relative_to(data).parts[0] for path in data.rglob("*")}
    assert {"db.sqlite3", "logs", "metrics", "secret_key"} <= written, written
