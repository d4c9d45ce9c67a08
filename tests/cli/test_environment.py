"""The command line's options as flags and as BOOTGATE_* variables, against a real HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli.test_cli import run
from tests.servers import free_port


class _NeedsTwoHeaders(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        both = self.headers.get("X-One") == "1, 2" and self.headers.get("X-Two") == "two"
        self.send_response(200 if both else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def strict_url() -> Iterator[str]:
    """A local HTTP server that answers 200 only when both X-One and X-Two arrive."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NeedsTwoHeaders)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("command", ["wait", "check"])
def test_header_variable_sends_every_line(command: str, strict_url: str) -> None:
    """BOOTGATE_HEADER with two lines sends two headers; a flag replaces the variable."""
    both = {"BOOTGATE_HEADER": "X-One: 1, 2\nX-Two: two"}
    assert run(command, strict_url, env=both).returncode == 0
    one = run(command, "--timeout", "1s", "--header", "X-One: 1, 2", strict_url, env=both)
    assert one.returncode == 3  # 400 is permanent: the flag replaced both variable headers


def test_attempts_bound_a_wait_by_flag_and_by_variable() -> None:
    """--attempts / BOOTGATE_ATTEMPTS end a wait after that many attempts, exit 1."""
    target = f"tcp://127.0.0.1:{free_port()}"
    by_flag = run("wait", "-v", "--attempts", "2", "--timeout", "0", target)
    assert by_flag.returncode == 1
    assert by_flag.stdout.count("attempt ") == 2
    by_env = run("wait", "-v", target, env={"BOOTGATE_ATTEMPTS": "3"})
    assert by_env.returncode == 1
    assert by_env.stdout.count("attempt ") == 3


def test_bad_attempts_is_usage_error_naming_its_source() -> None:
    """A bad attempt count is exit 2 with one line naming the flag or the variable."""
    flag = run("wait", "--attempts", "none", "tcp://127.0.0.1:1")
    assert (flag.returncode, flag.stderr.count("\n")) == (2, 1)
    assert "--attempts" in flag.stderr
    env = run("check", "tcp://127.0.0.1:1", env={"BOOTGATE_ATTEMPTS": "-3"})
    assert env.returncode == 2
    assert "BOOTGATE_ATTEMPTS" in env.stderr


def test_a_bad_header_variable_is_reported_under_its_name() -> None:
    """A malformed BOOTGATE_HEADER is exit 2 naming BOOTGATE_HEADER, not --header."""
    for command in ("wait", "check"):
        result = run(command, "http://127.0.0.1:1/", env={"BOOTGATE_HEADER": "no colon here"})
        assert result.returncode == 2
        assert "BOOTGATE_HEADER" in result.stderr
        assert "--header" not in result.stderr
