"""Private server instances for tests: started in a tmp dir on a spare port, stopped by PID.

The machine's own servers are left alone; tests that need a server to appear, vanish or
misbehave start one of these. A missing server binary fails the test under CI=true and skips
it otherwise.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest


def free_port() -> int:
    """A port the OS says is free right now (bind to port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def need(binary: str) -> str:
    """The path of `binary`, or fail (CI) / skip (elsewhere) with a reason."""
    path = shutil.which(binary) or next(
        iter(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}")), None
    )
    if path is None:
        absent(f"{binary} is not installed")
    return str(path)


def absent(reason: str) -> None:
    """Fail under CI=true, skip otherwise."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def require_server(port: int, what: str) -> None:
    """Skip (or fail under CI) when nothing listens on the machine's `port`."""
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
    except OSError:
        absent(f"{what} is not running on 127.0.0.1:{port}")


class Server:
    """A process we started: stopped by its own PID, never by name."""

    def __init__(self, argv: list[str], port: int, *, user: str | None = None) -> None:
        self.argv = argv
        self.port = port
        self.user = user
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        """Start the process in the background (not waiting for it to serve)."""
        argv = ["runuser", "-u", self.user, "--", *self.argv] if self.user else self.argv
        self.process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        return self

    def stop(self) -> None:
        """Terminate the process group we started and reap it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def redis(tmp: Path, password: str | None = None) -> Server:
    """A redis-server on a spare port, no persistence."""
    port = free_port()
    argv = [need("redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--save", "", "--appendonly", "no", "--dir", str(tmp)]
    if password:
        argv += ["--requirepass", password]
    return Server(argv, port)


def nats(password: str | None = None) -> Server:
    """A nats-server on a spare port (user `app` when a password is given)."""
    port = free_port()
    argv = [need("nats-server"), "-a", "127.0.0.1", "-p", str(port)]
    if password:
        argv += ["--user", "app", "--pass", password]
    return Server(argv, port)


def mosquitto(tmp: Path) -> Server:
    """A mosquitto broker on a spare port, anonymous access."""
    port = free_port()
    config = tmp / f"mosquitto-{port}.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    return Server([need("mosquitto"), "-c", str(config)], port)


class Postgres:
    """A private PostgreSQL cluster (scram-sha-256 password auth) in a tmp dir."""

    PASSWORD = "s3cret-pw"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        self.server: Server | None = None
        self.port = 0

    def init(self) -> Postgres:
        """Run initdb once (the slow part)."""
        self.root.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / "pw"
        pwfile.write_text(self.PASSWORD + "\n")
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(pwfile, self.user)
        argv = [need("initdb"), "-D", str(self.data), "-U", "postgres", "--pwfile", str(pwfile)]
        argv += ["-A", "scram-sha-256", "--no-sync"]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        subprocess.run(argv, check=True, capture_output=True)
        return self

    def start(self, port: int | None = None, *extra: str) -> Postgres:
        """Start postgres on `port` (default: a fresh spare one), without waiting for it."""
        self.port = port or free_port()
        argv = [need("postgres"), "-D", str(self.data), "-p", str(self.port)]
        argv += ["-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        self.server = Server([*argv, *extra], self.port, user=self.user).start()
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: SIGINT, which ends open sessions; SIGTERM would wait
        for them) by its PID."""
        process = None if self.server is None else self.server.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        if self.server is not None:
            self.server.stop()

    def url(self, password: str | None = None, database: str = "postgres") -> str:
        """A postgres:// target for this cluster."""
        return f"postgres://postgres:{password or self.PASSWORD}@127.0.0.1:{self.port}/{database}"
