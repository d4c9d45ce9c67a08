"""Scenario S2 end to end: the app starts before its own private PostgreSQL, in real processes.

Without bootgate (`--no-wait`) the app crashes when PostgreSQL is not there yet: the incident.
With it, the app runs under uvicorn from the start: `/readyz` is 503 with the reason while it
waits (each attempt logged), the app serves once PostgreSQL accepts sessions, `/readyz` drops
while PostgreSQL restarts and comes back without the process dying, SIGTERM tears down in
reverse order and exits 0, and a wrong password ends the process at once with exit status 3
and a clear, password-free line.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from bootgate import Retry, wait_for
from tests.servers import Postgres, free_port

pytestmark = [pytest.mark.servers, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent.parent
SOON = Retry(timeout=30.0)


@pytest.fixture
def cluster() -> Iterator[Postgres]:
    """A private PostgreSQL cluster, initialised but not started."""
    top = Path(tempfile.mkdtemp(prefix="bootgate-s2-"))
    top.chmod(0o755)
    pg = Postgres(top / "cluster").init()
    pg.port = free_port()
    yield pg
    pg.stop()
    shutil.rmtree(top, ignore_errors=True)


def start_app(url: str, port: int, *args: str) -> subprocess.Popen[str]:
    """The app as a process of its own, logging to a pipe."""
    env = os.environ | {"DATABASE_URL": url, "PORT": str(port), "BOOTGATE_TIMEOUT": "30s"}
    return subprocess.Popen(
        [sys.executable, "-m", "examples.s2_postgres_late.app", *args],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


class Log:
    """Drains the app's stderr in a thread (a full pipe would block the app) and lets the test
    wait for a line containing some text."""

    def __init__(self, app: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._app = app
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._drain, args=(app,), daemon=True)
        self._thread.start()

    def _drain(self, app: subprocess.Popen[str]) -> None:
        assert app.stderr is not None
        for line in app.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.lines.append("")  # end of output
            self._changed.notify_all()

    def close(self) -> None:
        """After the app has ended: finish draining and close the pipe."""
        self._thread.join(30)
        assert self._app.stderr is not None
        self._app.stderr.close()

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The first line containing `text`; fails if the app ends or `timeout` passes first."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(text in line for line in self.lines) or "" in self.lines, timeout
            )
            match = next((line for line in self.lines if text in line), None)
        assert found, f"no {text!r} in the app's log within {timeout}s: {self.lines[-5:]}"
        assert match is not None, f"the app ended without {text!r}: {self.lines[-5:]}"
        return match


def wait_http(url: str, status: str = "200") -> None:
    """Wait (with bootgate itself) until `url` answers `status` (any other answer, a 200 while
    waiting for the 503 included, is one more attempt)."""
    options = {"status": status}
    anyio.run(lambda: wait_for([url], retry=SOON, fail_fast=False, options=options))


def test_without_waiting_the_app_crashes(cluster: Postgres) -> None:
    """Negative control: the app that connects once at startup dies when PostgreSQL is late."""
    app = start_app(cluster.url(), free_port(), "--no-wait")
    _, err = app.communicate(timeout=30)
    assert app.returncode != 0
    assert "Connection refused" in err or "connection refused" in err


def fetch(url: str) -> tuple[int, str]:
    """GET `url` once: (status, body), 503s included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_app_serves_the_reason_then_is_ready_and_stops_cleanly(cluster: Postgres) -> None:
    """Under uvicorn: /readyz 503 with the reason while PostgreSQL is away, ready once it is
    up, 503 again while it restarts; SIGTERM tears down in reverse order and exits 0."""
    port = free_port()
    app = start_app(cluster.url(), port)
    log = Log(app)
    base = f"http://127.0.0.1:{port}"
    try:
        assert "db" in log.wait_for("connection refused")  # each attempt is logged
        wait_http(f"{base}/readyz", "503")  # the server answers while PostgreSQL is away
        status, body = fetch(f"{base}/readyz?verbose")
        assert status == 503
        assert "[-]db waiting: connection refused, attempt " in body
        assert ", gives up in " in body
        assert "secret" not in body
        status, body = fetch(f"{base}/items")
        assert status == 503
        assert json.loads(body)["blocking"][0].startswith("catalog ← connection ← db: ")
        cluster.start(cluster.port)
        wait_http(f"{base}/readyz", "200")
        assert fetch(f"{base}/items") == (200, '["apples", "pears"]')
        cluster.stop()
        wait_http(f"{base}/readyz", "503")
        assert app.poll() is None
        cluster.start(cluster.port)
        wait_http(f"{base}/readyz", "200")
        assert app.poll() is None
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(30)
        log.close()
    lines = [line.strip() for line in log.lines]
    assert lines.index("shop: catalog dropped") < lines.index(
        "shop: closed the database connection"
    )
    assert lines[-2:] == ["shop: stopped", ""]


def test_a_wrong_password_fails_fast_and_clearly(cluster: Postgres) -> None:
    """Exit code 3 with the server's SQLSTATE, the password shown as ***."""
    cluster.start(cluster.port)
    app = start_app(cluster.url(password="not-the-password"), free_port())
    _, err = app.communicate(timeout=30)
    assert app.returncode == 3
    last = err.strip().splitlines()[-1]
    assert "28P01" in last
    assert "password authentication failed" in last
    assert "not-the-password" not in err
