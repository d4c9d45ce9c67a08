"""Scenario S2 end to end: the app starts before its own private PostgreSQL, in real processes.

Without bootgate (`--no-wait`) the app crashes when PostgreSQL is not there yet: the incident.
With it, the app waits (each attempt logged), serves once PostgreSQL accepts sessions, lowers
`/readyz` while PostgreSQL restarts and raises it again without dying, and fails fast with exit
code 3 and a clear, password-free line on a wrong password.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
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
    """Wait (with bootgate itself) until `url` answers `status`."""
    anyio.run(lambda: wait_for([url], retry=SOON, options={"status": status}))


def test_without_waiting_the_app_crashes(cluster: Postgres) -> None:
    """Negative control: the app that connects once at startup dies when PostgreSQL is late."""
    app = start_app(cluster.url(), free_port(), "--no-wait")
    _, err = app.communicate(timeout=30)
    assert app.returncode != 0
    assert "Connection refused" in err or "connection refused" in err


def test_the_app_waits_serves_and_survives_a_restart(cluster: Postgres) -> None:
    """Waits while PostgreSQL is absent, serves once it is up, /readyz follows a restart."""
    port = free_port()
    app = start_app(cluster.url(), port)
    log = Log(app)
    try:
        assert "db" in log.wait_for("connection refused")  # each attempt is logged
        cluster.start(cluster.port)
        log.wait_for("serving on")
        readyz = f"http://127.0.0.1:{port}/readyz"
        wait_http(readyz, "200")
        cluster.stop()
        wait_http(readyz, "503")
        assert app.poll() is None
        cluster.start(cluster.port)
        wait_http(readyz, "200")
        assert app.poll() is None
    finally:
        app.terminate()
        app.wait(30)
        log.close()


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
