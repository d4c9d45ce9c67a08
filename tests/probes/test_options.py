"""Probe options carry the flags' names, reach the wire, and a misspelt one is never ignored."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import pytest

import bootgate
from bootgate import ConfigError, Permanent, Ready
from bootgate.probes import OPTIONS, check, probe_for
from bootgate.probes._options import ProbeOptions

SEEN: list[dict[str, str]] = []


class _NeedsToken(BaseHTTPRequestHandler):
    """200 when the request carries `X-Token: abc`, 403 otherwise; records the headers."""

    def do_GET(self) -> None:
        SEEN.append(dict(self.headers))
        self.send_response(200 if self.headers.get("X-Token") == "abc" else 403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def url() -> Iterator[str]:
    """A local HTTP server that wants an X-Token header."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NeedsToken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SEEN.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_option_names_are_the_flags_names() -> None:
    """Every option is a flag of `wait`/`check` in snake case."""
    import argparse

    from bootgate.cli._options import add_target_arguments

    parser = argparse.ArgumentParser()
    add_target_arguments(parser)
    assert set(OPTIONS) <= set(vars(parser.parse_args([])))


@pytest.mark.parametrize(
    ("options", "nearest"),
    [
        ({"headers": ["X-Token: abc"]}, "header"),
        ({"cafile": "/x"}, "ca_file"),
        ({"statuses": "200"}, "status"),
        ({"verify": False}, None),
    ],
)
def test_an_unknown_option_names_the_nearest_one(
    options: dict[str, Any], nearest: str | None
) -> None:
    """probe_for and check refuse an unknown key, naming it and the nearest valid key."""
    hint = f"did you mean '{nearest}'" if nearest else "the options are attempt_timeout"
    for make in (probe_for, check):
        with pytest.raises(
            ConfigError, match=f"unknown probe option '{next(iter(options))}'"
        ) as info:
            make("http://127.0.0.1:1/", **options)
        assert hint in str(info.value)


def test_wait_for_refuses_a_misspelt_option_before_waiting() -> None:
    """`options={"headers": ...}` is a ConfigError, not a wait that sends no header."""

    async def wait() -> None:
        await bootgate.wait_for(["http://127.0.0.1:1/"], options={"headers": ["X-Token: abc"]})

    with pytest.raises(ConfigError, match="did you mean 'header'"):
        anyio.run(wait)


@pytest.mark.parametrize(
    "header", ["X-Token: abc", ["X-Token: abc", "X-Other: 1"], {"X-Token": "abc"}]
)
def test_the_header_reaches_the_server_on_both_paths(url: str, header: object) -> None:
    """`header` as one line, a list of lines or a mapping is sent by check and by the probe."""
    assert check(url, header=header).kind == "ready"
    assert isinstance(anyio.run(probe_for(url, header=header)), Ready)
    assert [seen["X-Token"] for seen in SEEN] == ["abc", "abc"]
    assert isinstance(anyio.run(probe_for(url)), Permanent)


def test_the_command_line_sends_its_header(url: str) -> None:
    """`bootgate check --header` reaches the server (the flag and the option share a name)."""
    command = [sys.executable, "-m", "bootgate.cli", "check", "-q", url]
    assert subprocess.run(command, capture_output=True).returncode == 3
    with_header = subprocess.run([*command, "--header", "X-Token: abc"], capture_output=True)
    assert with_header.returncode == 0


@pytest.mark.parametrize(
    ("status", "codes"),
    [
        ("200,204", {200, 204}),
        (204, {204}),
        ([200, "201"], {200, 201}),
        ("3xx", set(range(300, 400))),
    ],
)
def test_status_forms(status: object, codes: set[int]) -> None:
    """`status` takes the flag's text, one code, or a list of codes."""
    assert ProbeOptions({"status": status}).statuses == frozenset(codes)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"status": "20x"}, "--status: '20x' is not an HTTP status"),
        ({"header": "no colon"}, "--header: 'no colon' is not 'Name: value'"),
        ({"header": "X-A: b\r\nX-B: c"}, "holds a control character"),
        ({"header": 7}, "--header: expected 'Name: value' lines"),
        ({"insecure": "yes"}, "--insecure: expected True or False"),
        ({"ca_file": 3}, "--ca-file: expected a path"),
        ({"attempt_timeout": "soon"}, "--attempt-timeout: 'soon' is not a duration"),
    ],
)
def test_bad_option_values_are_one_line_errors(options: dict[str, object], message: str) -> None:
    """A bad value is a ConfigError naming the option as its flag."""
    with pytest.raises(ConfigError, match=message.replace("\r\n", "")[:30]):
        ProbeOptions(options)


def test_a_missing_ca_file_is_a_config_error() -> None:
    """An unreadable --ca-file is reported when the probe is made, not as a network failure."""
    with pytest.raises(ConfigError, match=r"--ca-file: cannot load /no/such\.pem"):
        probe_for("https://127.0.0.1/", ca_file="/no/such.pem")


def test_attempt_timeout_takes_any_duration() -> None:
    """attempt_timeout accepts seconds or "250ms", like the flag."""
    assert ProbeOptions({"attempt_timeout": "250ms"}).attempt_timeout == 0.25
    assert ProbeOptions({"attempt_timeout": 2}).attempt_timeout == 2.0
