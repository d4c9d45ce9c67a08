"""The `bootgate` command as users run it: exit codes, output, env vars, exec, cold start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.servers import free_port, require_server

BOOTGATE = [sys.executable, "-m", "bootgate.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `bootgate ARGS` in a subprocess with a clean BOOTGATE_* environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("BOOTGATE_")}
    return subprocess.run(
        [*BOOTGATE, *args], env=base | (env or {}), capture_output=True, text=True, timeout=60
    )


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def http_url() -> Iterator[str]:
    """A local HTTP server: /ok answers 200, anything else 404."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["wait", "foo://db:1"], {}, "unknown scheme 'foo'"),
        (["wait", "tcp://db"], {}, "missing port"),
        (["wait", "--timeout", "5x", "tcp://db:1"], {}, "--timeout: '5x' is not a duration"),
        (["wait", "tcp://db:1"], {"BOOTGATE_INTERVAL": "fast"}, "BOOTGATE_INTERVAL"),
        (["wait"], {}, "no targets"),
        (["wait"], {"BOOTGATE_WAIT": "tcp://a:1, nope"}, "in BOOTGATE_WAIT: nope"),
        (["check", "tcp://a:1"], {"BOOTGATE_ANY": "maybe"}, "BOOTGATE_ANY"),
        (["frobnicate"], {}, "invalid choice"),
    ],
)
def test_bad_input_is_exit_2_with_one_line(
    args: list[str], env: dict[str, str], message: str
) -> None:
    """Bad input exits 2 with one line naming the bad part, never a traceback."""
    result = run(*args, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_check_exit_codes_and_redaction(http_url: str) -> None:
    """check: 0 when ready, 1 when not yet, 3 when permanent; passwords are ***."""
    assert run("check", f"{http_url}/ok").returncode == 0
    refused = run("check", f"http://u:hunter2@127.0.0.1:{free_port()}/")
    assert refused.returncode == 1
    assert "not ready http://u:***@127.0.0.1" in refused.stdout
    assert "hunter2" not in refused.stdout + refused.stderr
    assert run("check", f"{http_url}/missing").returncode == 3
    assert run("check", "--status", "404", f"{http_url}/missing").returncode == 0
    either = run("check", "--any", f"{http_url}/ok", f"tcp://127.0.0.1:{free_port()}")
    assert either.returncode == 0


def test_wait_timeout_is_exit_1_and_json_lines() -> None:
    """A deadline that passes exits 1; --json prints one parseable object per event."""
    result = run("wait", "--timeout", "300ms", "--json", f"tcp://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {e["event"] for e in events} == {"attempt", "timeout"}
    assert events[0]["reason"] == "connection refused"
    assert "timeout" in result.stderr


def test_wait_then_exec_the_command(http_url: str) -> None:
    """wait prints one line per ready target and then becomes COMMAND (its exit code wins)."""
    result = run("wait", f"{http_url}/ok", "--", sys.executable, "-c", "raise SystemExit(7)")
    assert result.returncode == 7
    assert result.stdout.startswith(f"ready {http_url}/ok after ")
    env = {"BOOTGATE_WAIT": f"{http_url}/ok", "BOOTGATE_QUIET": "1"}
    quiet = run("wait", "--", "true", env=env)
    assert (quiet.returncode, quiet.stdout) == (0, "")


def test_wait_permanent_is_exit_3(http_url: str) -> None:
    """A permanent failure ends the wait at once with exit 3; --no-fail-fast keeps waiting."""
    assert run("wait", f"{http_url}/missing").returncode == 3
    patient = run("wait", "--no-fail-fast", "--timeout", "300ms", f"{http_url}/missing")
    assert patient.returncode == 1


@pytest.mark.servers
def test_wait_verbose_against_postgres() -> None:
    """--verbose shows a reason per attempt; a missing database fails fast (exit 3)."""
    require_server(5432, "postgres")
    result = run("wait", "-v", "postgres://postgres:pw@127.0.0.1:5432/no_such_db_bg")
    assert result.returncode == 3
    assert "3D000" in result.stderr
    assert "postgres://postgres:***@" in result.stderr


def test_check_cold_path_imports_no_event_loop() -> None:
    """check on tcp/http targets imports neither asyncio, anyio, a driver nor dataclasses."""
    code = (
        "import sys\n"
        "from bootgate.cli import main\n"
        f"main(['check', '-q', 'tcp://127.0.0.1:{free_port()}', 'http://127.0.0.1:1/x'])\n"
        "heavy = {'asyncio', 'anyio', 'dataclasses', 'typing', 'psycopg', 'pymysql', 'redis',"
        " 'ssl', 'http'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_interrupt_is_exit_130() -> None:
    """Ctrl-C while waiting ends the command with exit code 130 and one line."""
    import signal

    waiter = subprocess.Popen(
        [*BOOTGATE, "wait", "-v", f"tcp://127.0.0.1:{free_port()}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert waiter.stdout is not None
    assert "connection refused" in waiter.stdout.readline()  # it is waiting now
    waiter.send_signal(signal.SIGINT)
    _, err = waiter.communicate(timeout=30)
    assert waiter.returncode == 130
    assert err.strip() == "bootgate: interrupted"
