"""The command line under hostile input: a known exit code, one line, no traceback, no controls.

Targets and options are built from every scheme's grammar with hostile characters mixed in,
and run in this process through `main(argv)`. Name resolution is held to loopback for the
whole property: a generated host name is never looked up on the network, and a generated
address is always a loopback one.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bootgate.cli import main

EXAMPLES = int(os.environ.get("BOOTGATE_FUZZ_EXAMPLES", "150"))
SCHEMES = [
    "tcp", "http", "https", "postgres", "postgresql", "mysql", "mariadb", "redis", "rediss",
    "amqp", "amqps", "nats", "mqtt", "unix", "file", "gopher", "",
]  # fmt: skip
HOSTILE = [
    "\n", "\r", "\x1b[2J", "\x1b]0;x\x07", "\x00", "\u202e", "\u200b", "\uff1a", "\uff0f",
    "\uff20", "\u00b2", "\u0661", "ü", "..", "[", "]", "%", "%25", "%zz", "@", ":", "/", "?",
    "#", " ", "\t", "\U0001f600", "xn--", "\u0130",
]  # fmt: skip
hostile = st.sampled_from(HOSTILE)
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=8)
piece = st.one_of(word, hostile, st.text(max_size=4))


def _is_loopback_or_not_an_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        pass
    try:
        return socket.inet_aton(host)[0] == 127  # "1.2" is an address to the C library
    except (OSError, ValueError):
        return True


host = st.one_of(
    st.sampled_from(["127.0.0.1", "localhost", "[::1]", "[::1%25lo]", "127.1.2.3", ""]),
    st.builds(lambda a, b: a + b, word, piece),
    st.builds(lambda a: f"[{a}]", piece),
).filter(_is_loopback_or_not_an_address)
port = st.one_of(st.none(), st.integers(0, 70000).map(str), piece)
userinfo = st.one_of(
    st.none(), st.builds(lambda u, p: f"{u}:{p}@", word, piece), st.builds(lambda t: t + "@", piece)
)
path = st.one_of(st.just(""), st.builds(lambda a, b: f"/{a}{b}", word, piece))
query = st.one_of(
    st.just(""),
    st.builds(lambda k, v: f"?{k}={v}", st.sampled_from(["sslmode", "password", "x", ""]), piece),
)


@st.composite
def targets(draw: st.DrawFn) -> str:
    """One target: scheme://[userinfo]host[:port][/path][?query], any part possibly hostile."""
    scheme = draw(st.sampled_from(SCHEMES))
    the_port = draw(port)
    text = f"{scheme}://" if scheme else draw(st.sampled_from(["", "//", ":/"]))
    text += (draw(userinfo) or "") + draw(host)
    text += "" if the_port is None else f":{the_port}"
    return text + draw(path) + draw(query)


duration = st.one_of(
    st.sampled_from(["0", "10ms", "1m30s", "-1", "nan", "inf", "1e400", "²", "5x", ""]), piece
)
option = st.one_of(
    st.tuples(st.sampled_from(["--interval", "--max-interval", "--timeout"]), duration),
    st.tuples(st.just("--status"), st.one_of(st.sampled_from(["200,204", "2xx", "²"]), piece)),
    st.tuples(st.just("--header"), st.one_of(st.just("X-A: b"), piece, st.just("X: ü\u0100"))),
    st.tuples(st.just("--attempts"), st.one_of(st.sampled_from(["1", "0", "²"]), piece)),
    st.tuples(st.sampled_from(["--ca-file", "--cert-file", "--key-file"]), piece),
    st.tuples(st.sampled_from(["--any", "--no-fail-fast", "--json", "-v", "-q", "--insecure"])),
)
# Every run ends quickly whatever the options said before: the last occurrence of a flag wins.
BOUNDED = ["--timeout", "150ms", "--attempt-timeout", "100ms"]


@contextlib.contextmanager
def loopback_resolver() -> Iterator[None]:
    """Resolve only to loopback: any other name or address is "not known"."""
    real = socket.getaddrinfo

    def resolve(*args: Any, **kwargs: Any) -> Any:
        results = real(*args, **kwargs)
        if all(ipaddress.ip_address(str(r[4][0]).split("%")[0]).is_loopback for r in results):
            return results
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    socket.getaddrinfo = resolve
    try:
        yield
    finally:
        socket.getaddrinfo = real


def run(argv: list[str]) -> tuple[int, str, str]:
    """`main(argv)` in this process with stdout and stderr captured."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def assert_calm(code: int, stdout: str, stderr: str) -> None:
    """A known exit code, at most one line on stderr, nothing unprintable anywhere."""
    assert code in (0, 1, 2, 3), (code, stderr)
    assert stderr.count("\n") <= 1, stderr
    assert "Traceback" not in stderr
    for line in (stdout + stderr).splitlines():
        assert line.isprintable(), line


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["check", "wait"]),
    st.lists(targets(), min_size=1, max_size=3),
    st.lists(option, max_size=4),
)
def test_check_and_wait_stay_calm(
    command: str, given_targets: list[str], options: list[Any]
) -> None:
    """Any mix of targets and options: exit 0-3, one line at most on stderr, no control chars."""
    argv = [command, *[part for opt in options for part in opt], *BOUNDED, *given_targets]
    with loopback_resolver():
        assert_calm(*run(argv))


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(targets())
def test_status_stays_calm(url: str) -> None:
    """`bootgate status` with any URL: a known exit code and one printable line."""
    with loopback_resolver():
        assert_calm(*run(["status", url]))


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "tcp://[::1:80"],
        ["check", "tcp://[abc]:80"],
        ["status", "http://[::1"],
        ["check", "tcp://127.0.0.1\uff1a80"],
        ["check", "tcp://ü..x:80"],
        ["check", "tcp://a\r\nb:1"],
        ["check", "--status", "²", "http://127.0.0.1:1/"],
        ["check", "--header", "X: \u0100", "http://127.0.0.1:1/"],
        ["check", "http://127.0.0.1:1/\u0100"],
        ["wait", "--timeout", "100ms", "postgres://h/x?sslmode=bogus"],
        ["check", "http://[::1]x:80"],
        ["check", "--ca-file", "\x00", "https://127.0.0.1:1/"],
        ["check", "--cert-file", "a\x00b", "https://127.0.0.1:1/"],
    ],
)
def test_named_cases_stay_calm(argv: list[str]) -> None:
    """The inputs that once gave tracebacks or multi-line errors: now one calm line."""
    with loopback_resolver():
        assert_calm(*run(argv))


def test_scoped_ipv6_target_is_probed() -> None:
    """`tcp://[::1%25lo]:PORT` is a valid target: it is probed (refused), not refused as input."""
    code, stdout, _ = run(["check", "tcp://[::1%25lo]:1"])
    assert code == 1
    assert "connection refused" in stdout
