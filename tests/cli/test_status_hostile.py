"""`bootgate status` against servers that lie: one calm line, exit 1, nothing unprintable."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.cli.test_cli import run


def document(**changes: object) -> dict[str, object]:
    """A well-formed status document with some fields changed."""
    info: dict[str, object] = {
        "service": "svc",
        "ready": False,
        "stopping": False,
        "failed": False,
        "elapsed_s": 1.5,
        "nodes": {"db": {"phase": "waiting", "detail": "connection refused"}},
        "blocking": ["db: connection refused"],
    }
    info.update(changes)
    return {"status": "fail", "bootgate": info}


class Liar(BaseHTTPRequestHandler):
    """Answers /status with `Liar.body` and /status/stream with `Liar.stream`."""

    body: ClassVar[bytes] = b""
    stream: ClassVar[bytes] = b""

    def do_GET(self) -> None:
        streaming = self.path.endswith("/stream")
        payload = self.stream if streaming else self.body
        self.send_response(200)
        kind = "text/event-stream" if streaming else "application/health+json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def liar() -> Iterator[str]:
    """A local server whose answers each test sets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Liar)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


HOSTILE_DOCUMENTS = [
    b"",
    b"[]",
    b"null",
    b"not json",
    b"\xff\xfe garbage",
    b'{"status": "pass"}',
    b'{"status": "pass", "bootgate": []}',
    json.dumps(document(elapsed_s="soon")).encode(),
    json.dumps(document(ready="yes")).encode(),
    json.dumps(document(nodes=[])).encode(),
    json.dumps(document(nodes={"db": {"phase": 7}})).encode(),
    json.dumps(document(blocking="db")).encode(),
    json.dumps(document()).replace("1.5", "1e999").encode(),
    json.dumps(document()).replace("1.5", "NaN").encode(),
    json.dumps(document(nodes={"db": {"phase": "starting", "progress": {"done": 1}}}))
    .encode()
    .replace(b'"done": 1', b'"done": 1, "total": Infinity'),
]


@pytest.mark.parametrize("body", HOSTILE_DOCUMENTS)
def test_a_document_of_the_wrong_shape_is_one_line_exit_1(liar: str, body: bytes) -> None:
    """Empty, non-JSON, wrong-typed or infinite documents: exit 1 and one printable line."""
    Liar.body = body
    result = run("status", liar)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.isprintable() or result.stderr[:-1].isprintable()


def test_escape_sequences_in_node_names_are_shown_escaped(liar: str) -> None:
    """A node name carrying ANSI/OSC escapes cannot clear the screen or forge a line."""
    forged = "db\x1b[2J\x1b]0;owned\x07\r[+] all good"
    Liar.body = json.dumps(
        document(nodes={forged: {"phase": "waiting"}}, blocking=[forged])
    ).encode()
    result = run("status", liar)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout
    assert "\r" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    for line in result.stdout.splitlines():
        assert line.isprintable()


def test_a_stream_of_bad_events_ends_calmly(liar: str) -> None:
    """--watch on a stream whose event is not a status document: exit 1, one line."""
    Liar.stream = b"event: status\ndata: [1, 2]\n\n"
    result = run("status", "--watch", liar)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
