"""`bootgate status` against a real gateway served by uvicorn."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bootgate.cli._status import (
    FAILED,
    NOT_READY,
    READY,
    USAGE,
    render,
    status,
    status_urls,
    verdict,
)
from tests.examples.uvicorn_server import spare_port, uvicorn, wait_listening

GATEWAY = "examples.s1_gateway.demo:asgi_app"


class Terminal(io.StringIO):
    """A StringIO that says it is a terminal, so the command redraws in place."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://gw:8000", "http://gw:8000/status"),
        ("http://gw:8000/", "http://gw:8000/status"),
        ("http://gw:8000/readyz", "http://gw:8000/status"),
        ("https://gw/api/-/status", "https://gw/api/-/status"),
        ("http://gw/x/status/stream", "http://gw/x/status"),
    ],
)
def test_service_urls_lead_to_the_status_document(url: str, expected: str) -> None:
    """A service URL or any of its health URLs points to /status and /status/stream."""
    assert status_urls(url) == (expected, expected + "/stream")


def test_bad_urls_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """A URL that is not http(s) is exit 2 with one line, password hidden."""
    assert status("ftp://u:secret@gw/") == USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "secret" not in err


def test_unreachable_service_is_not_ready(capsys: pytest.CaptureFixture[str]) -> None:
    """Nobody listening: exit 1 and one line saying so."""
    assert status(f"http://127.0.0.1:{spare_port()}") == NOT_READY
    assert "cannot read the status" in capsys.readouterr().err


def test_one_look_during_startup_then_watch_until_ready() -> None:
    """During migrations: exit 1 with a progress bar; --watch redraws until ready, exit 0."""
    port = spare_port()
    with uvicorn(GATEWAY, port, {"MIGRATION_DELAY": "0.1"}):
        wait_listening(port)
        out = io.StringIO()
        assert status(f"http://127.0.0.1:{port}") == NOT_READY
        status(f"http://127.0.0.1:{port}", out=out)
        text = out.getvalue()
        assert text.startswith("gateway: starting after ")
        assert "schema_migrations" in text
        assert "waiting on: package_catalog ← schema_migrations" in text
        screen = Terminal()
        assert status(f"http://127.0.0.1:{port}/readyz", watch=True, out=screen) == READY
        frames = screen.getvalue()
        assert "\x1b[" in frames  # redrawn in place
        assert "gateway: ready after" in frames.split("\x1b[J")[-1]
        lines = io.StringIO()
        assert status(f"http://127.0.0.1:{port}", as_json=True, out=lines) == READY
        assert json.loads(lines.getvalue())["bootgate"]["ready"] is True


def test_render_marks_failures() -> None:
    """A failed node shows its reason, and the verdict for the document is exit 3."""
    document = {
        "status": "fail",
        "bootgate": {
            "service": "svc",
            "ready": False,
            "stopping": False,
            "failed": True,
            "elapsed_s": 1.5,
            "blocking": ["db: failed: password authentication failed"],
            "nodes": {"db": {"phase": "failed", "detail": "password authentication failed"}},
        },
    }
    assert render(document) == [
        "svc: cannot start after 1.50s [fail]",
        "  ✘ db  failed    password authentication failed",
        "waiting on: db: failed: password authentication failed",
    ]
    assert verdict(document) == FAILED


def test_the_command_line_entry(capsys: pytest.CaptureFixture[str]) -> None:
    """`bootgate status` is a subcommand of the bootgate command with its own arguments."""
    from bootgate.cli import main

    assert main(["status", f"http://127.0.0.1:{spare_port()}", "--json"]) == NOT_READY
    assert "cannot read the status" in capsys.readouterr().err
    assert main(["status"]) == USAGE


class _Plain(BaseHTTPRequestHandler):
    """A server that is not a bootgate service: 404 for everything, with an HTML body."""

    def do_GET(self) -> None:
        body = b"<h1>not found</h1>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_a_server_that_is_not_bootgate(capsys: pytest.CaptureFixture[str]) -> None:
    """A plain server is "not ready" with one line saying what it answered, with or without
    --watch; a URL with a bad port is a usage error."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Plain)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert status(url) == NOT_READY
        assert "no bootgate status document in the answer (HTTP 404)" in capsys.readouterr().err
        assert status(url, watch=True) == NOT_READY
        assert "answered HTTP 404 (text/html), not a status stream" in capsys.readouterr().err
    finally:
        server.shutdown()
        server.server_close()
    assert status("http://127.0.0.1:99999/") == USAGE
    assert "bad port" in capsys.readouterr().err
