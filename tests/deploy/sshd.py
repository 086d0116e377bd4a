"""A real OpenSSH server on loopback for the deployment tests, and a throwaway user to log
in as with a throwaway key."""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.conftest import program
from tests.support import free_port, stop_child


@dataclass
class ThrowawayUser:
    """A user made for one test module (``useradd``), removed with its processes after."""

    home: Path
    name: str = field(default_factory=lambda: f"sbdeploy{secrets.token_hex(3)}")

    def create(self) -> ThrowawayUser:
        """Add the user, its own group and its home; ``*`` as its password hash: no
        password signs it in, yet sshd does not count it locked (``!``) for keys."""
        subprocess.run(
            [
                program("useradd"),
                "--user-group",
                "--home-dir",
                str(self.home),
                "--create-home",
                "--shell",
                "/bin/sh",
                "--password",
                "*",
                self.name,
            ],
            check=True,
        )
        return self

    @property
    def uid(self) -> int:
        """The user's id."""
        return pwd.getpwnam(self.name).pw_uid

    def processes(self) -> list[int]:
        """The live processes running as this user (what deployments left running);
        not zombies, which only their parent (here maybe no reaping init) clears."""
        uid, found = self.uid, []
        for entry in Path("/proc").iterdir():
            try:
                if not entry.name.isdigit() or entry.stat().st_uid != uid:
                    continue
                state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if state != "Z":
                found.append(int(entry.name))
        return found

    def remove(self) -> None:
        """Stop the user's processes (SIGTERM, then SIGKILL), then delete the user."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + 10
            while self.processes() and time.monotonic() < deadline:
                time.sleep(0.1)
        subprocess.run([program("userdel"), "--force", self.name], check=True)


class Sshd:
    """``sshd -D`` on 127.0.0.1 with its own configuration, host key and authorized keys."""

    def __init__(self, folder: Path, user: str) -> None:
        self.folder = folder
        self.user = user
        self.port = free_port()
        self.host_key = folder / "host_key"
        self.client_key = folder / "client_key"
        self.known_hosts = folder / "known_hosts"
        self.output = folder / "sshd-output.txt"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Sshd:
        """Make the keys, write the configuration, start the server; wait until it listens."""
        keygen = program("ssh-keygen")
        for key in (self.host_key, self.client_key):
            subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        authorized = self.folder / "authorized_keys"
        authorized.write_text(self.client_key.with_suffix(".pub").read_text())
        authorized.chmod(0o644)
        host_public = self.host_key.with_suffix(".pub").read_text().split()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_public[0]} {host_public[1]}\n")
        config = self.folder / "sshd_config"
        config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
            f"PidFile {self.folder / 'sshd.pid'}\nAuthorizedKeysFile {authorized}\n"
            f"AllowUsers {self.user}\nPermitRootLogin no\nUsePAM no\nStrictModes no\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nSubsystem sftp internal-sftp\nLogLevel VERBOSE\n"
        )
        # sshd's privilege separation needs this folder; Debian's service makes it at boot.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [program("sshd"), "-D", "-e", "-f", str(config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 15
        while "Server listening" not in self.output.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sshd did not start:\n{self.output.read_text()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop the server."""
        stop_child(self.process)
