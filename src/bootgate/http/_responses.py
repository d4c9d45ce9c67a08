"""Complete HTTP answers as plain values, and the renderings the gate answers with.

Every `Response` carries its Content-Length, so each adapter only copies status, headers and
body into its framework's response: a known length keeps connections alive without chunked
framing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bootgate import Status

from ._checks import CheckKind, check_report, go_quote, single_check
from ._page import asset, dashboard_page, initializing_page
from ._paths import Paths, Route
from ._render import advised_retry_after, gate_document, health_json
from ._request import Request

HEALTH_JSON = "application/health+json"
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"
EVENT_STREAM = "text/event-stream"

_NO_STORE = ("cache-control", "no-store")

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Response:
    """One complete HTTP answer: status code, headers (Content-Length included), body."""

    status: int
    headers: Headers
    body: bytes

    @classmethod
    def of(cls, status: int, content_type: str, body: bytes, *extra: tuple[str, str]) -> Response:
        """An answer of `content_type` that no cache keeps, with its length."""
        length = ("content-length", str(len(body)))
        return cls(status, (("content-type", content_type), _NO_STORE, *extra, length), body)

    @classmethod
    def text(cls, status: int, body: str, *extra: tuple[str, str]) -> Response:
        """A plain-text answer that no cache keeps."""
        return cls.of(status, TEXT, body.encode(), *extra)

    @classmethod
    def json(cls, status: int, document: Any, *extra: tuple[str, str]) -> Response:
        """A JSON answer that no cache keeps."""
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        return cls.of(status, JSON, body, *extra)

    def head(self) -> Response:
        """The same answer without its body (the length stays), for HEAD requests."""
        return Response(self.status, self.headers, b"")


OK = Response.text(200, "ok")
NOT_FOUND = Response.text(404, "not found\n")
METHOD_NOT_ALLOWED = Response.text(405, "method not allowed\n", ("allow", "GET, HEAD"))
NO_STREAM = Response.text(404, "the status stream is switched off here\n")
FORBIDDEN = Response.text(403, "the dashboard is open to loopback clients and token holders\n")


def _verbose(request: Request) -> bool:
    values = request.params.get("verbose")
    return values is not None and values[-1].lower() not in ("0", "false", "no")


def check_response(kind: CheckKind, request: Request, status: Status, *, trusted: bool) -> Response:
    """Answer /livez, /readyz or /startupz from the snapshot (`?verbose`, `?exclude=NAME`);
    failing lines withhold their reason from a client that is not `trusted`."""
    exclude = request.params.get("exclude", ())
    passed, report = check_report(kind, status, exclude, trusted=trusted)
    if passed and not _verbose(request):
        return OK
    return Response.text(200 if passed else 503, report)


def single_check_response(kind: CheckKind, name: str, status: Status, *, trusted: bool) -> Response:
    """Answer /readyz/<name> (and the livez and startupz twins): "ok", or 503 with its line."""
    found = single_check(kind, status, name, trusted=trusted)
    if found is None:
        return Response.text(404, f"no {kind} check named {go_quote(name)}\n")
    passed, line = found
    return OK if passed else Response.text(503, line + "\n")


def status_response(status: Status) -> Response:
    """Answer /status: health+json, 200 when passing or warning, 503 when failing."""
    return Response.of(200 if status.ready else 503, HEALTH_JSON, health_json(status))


def gate_response(request: Request, status: Status, paths: Paths) -> Response:
    """The 503 a request gets before the service is ready: a page for browsers, JSON otherwise."""
    wait = advised_retry_after(status)
    hint = ("retry-after", str(wait))
    if request.wants("text/html") and not request.websocket:
        page = initializing_page(
            status,
            stream_url=paths.url(Route.STREAM, request.root_path),
            script_url=paths.url(Route.SCRIPT, request.root_path),
            style_url=paths.url(Route.STYLE, request.root_path),
            refresh=wait,
        )
        return Response.of(503, HTML, page.encode(), hint)
    return Response.json(503, gate_document(status), hint)


def asset_response(route: Route) -> Response:
    """The page's script or stylesheet; long-cached, since its URL carries its content hash."""
    body, content_type = asset(route.value)
    headers = (
        ("content-type", content_type),
        ("cache-control", "public, max-age=86400"),
        ("content-length", str(len(body))),
    )
    return Response(200, headers, body)


def dashboard_response(request: Request, status: Status, paths: Paths) -> Response:
    """The dashboard page (the caller has checked that this request may see it)."""
    page = dashboard_page(
        status,
        stream_url=paths.url(Route.STREAM, request.root_path),
        script_url=paths.url(Route.DASHBOARD_SCRIPT, request.root_path),
        style_url=paths.url(Route.STYLE, request.root_path),
    )
    return Response.of(200, HTML, page.encode())
