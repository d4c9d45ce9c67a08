"""Run an ASGI app factory in a real uvicorn process on a spare loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def spare_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_listening(port: int, seconds: float = 20.0) -> None:
    """Return once something accepts TCP connections on 127.0.0.1:port (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")
        time.sleep(0.01)  # pacing the connect attempts while the server starts


@contextmanager
def uvicorn(
    factory: str, port: int, env: Mapping[str, str] | None = None, *, capture: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `uvicorn <factory> --factory` on 127.0.0.1:port; stop it (SIGTERM) on exit.

    With `capture`, the server's stderr is piped for the caller to read (and must be read).
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE if capture else None,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})},
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
