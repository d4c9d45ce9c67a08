"""HTTP answers as plain values, shared by the ASGI gate and the WSGI adapter."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from bootgate import Status

from ._access import Access
from ._page import asset, dashboard_page, initializing_page
from ._paths import Paths, Route
from ._render import CheckKind, check_report, gate_document, health_json, retry_after

HEALTH_JSON = "application/health+json"
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"
EVENT_STREAM = "text/event-stream"

_NO_STORE = ("cache-control", "no-store")


@dataclass(frozen=True, slots=True)
class Response:
    """One complete HTTP answer: status code, headers, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def text(cls, status: int, body: str, *extra: tuple[str, str]) -> Response:
        """A plain-text answer that no cache keeps."""
        return cls(status, (("content-type", TEXT), _NO_STORE, *extra), body.encode())

    @classmethod
    def json(cls, status: int, document: Any, *extra: tuple[str, str]) -> Response:
        """A JSON answer that no cache keeps."""
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        return cls(status, (("content-type", JSON), _NO_STORE, *extra), body)

    def head(self) -> Response:
        """The same answer without its body, for HEAD requests."""
        length = ("content-length", str(len(self.body)))
        return Response(self.status, (*self.headers, length), b"")


OK = Response.text(200, "ok")
METHOD_NOT_ALLOWED = Response.text(405, "method not allowed\n", ("allow", "GET, HEAD"))


@dataclass(frozen=True, slots=True)
class Request:
    """The parts of a request the health endpoints and the gate look at."""

    method: str
    path: str
    """The path without the server's root_path."""
    root_path: str
    query: str
    accept: str
    last_event_id: str | None = None
    client: str | None = None
    """The client's address, if the server knows it."""
    authorization: str = ""

    @property
    def params(self) -> Mapping[str, Sequence[str]]:
        """The query string, parsed (blank values kept: `?verbose` is a flag)."""
        return parse_qs(self.query, keep_blank_values=True)

    def wants(self, media_type: str) -> bool:
        """True when the Accept header names `media_type` (no quality weighing: none is needed)."""
        return media_type in self.accept


def _verbose(params: Mapping[str, Sequence[str]]) -> bool:
    values = params.get("verbose")
    return values is not None and values[-1].lower() not in ("0", "false", "no")


def check_response(
    kind: CheckKind, request: Request, ready: bool, status: Callable[[], Status]
) -> Response:
    """Answer /livez, /readyz or /startupz; a ready /readyz without options costs one flag."""
    if request.query == "" and kind == "readyz" and ready:
        return OK
    params = request.params
    verbose = _verbose(params)
    passed, report = check_report(kind, status(), params.get("exclude", ()))
    if passed and not verbose:
        return OK
    return Response.text(200 if passed else 503, report)


def status_response(status: Status) -> Response:
    """Answer /status: health+json, 200 when passing or warning, 503 when failing."""
    headers = (("content-type", HEALTH_JSON), _NO_STORE)
    return Response(200 if status.ready else 503, headers, health_json(status))


def gate_response(request: Request, status: Status, paths: Paths) -> Response:
    """The 503 a request gets before the service is ready: a page for browsers, JSON otherwise."""
    response = _gate_response(request, status, paths)
    return response.head() if request.method == "HEAD" else response


def _gate_response(request: Request, status: Status, paths: Paths) -> Response:
    wait = retry_after(status)
    hint = ("retry-after", str(wait))
    if request.wants("text/html"):
        page = initializing_page(
            status,
            stream_url=paths.url(Route.STREAM, request.root_path),
            script_url=paths.url(Route.SCRIPT, request.root_path),
            style_url=paths.url(Route.STYLE, request.root_path),
            refresh=wait,
        )
        return Response(503, (("content-type", HTML), _NO_STORE, hint), page.encode())
    return Response.json(503, gate_document(status), hint)


def asset_response(route: Route) -> Response:
    """The page's script or stylesheet; long-cached, since its URL carries its content hash."""
    body, content_type = asset(route.value)
    return Response(
        200, (("content-type", content_type), ("cache-control", "public, max-age=86400")), body
    )


FORBIDDEN = Response.text(403, "the dashboard is open to loopback clients and token holders\n")


def dashboard_response(request: Request, status: Status, paths: Paths, access: Access) -> Response:
    """The dashboard page, if `access` lets this request see it."""
    tokens = request.params.get("token")
    if not access.allows(request.client, request.authorization, tokens[-1] if tokens else None):
        return FORBIDDEN
    page = dashboard_page(
        status,
        stream_url=paths.url(Route.STREAM, request.root_path),
        script_url=paths.url(Route.DASHBOARD_SCRIPT, request.root_path),
        style_url=paths.url(Route.STYLE, request.root_path),
    )
    return Response(200, (("content-type", HTML), _NO_STORE), page.encode())


def endpoint_response(
    route: Route,
    request: Request,
    ready: bool,
    status: Callable[[], Status],
    *,
    paths: Paths,
    dashboard: Access | None = None,
) -> Response:
    """Answer any endpoint route except the event stream (which is not one complete response)."""
    if request.method not in ("GET", "HEAD"):
        return METHOD_NOT_ALLOWED
    response: Response
    if route is Route.LIVEZ:
        response = check_response("livez", request, ready, status)
    elif route is Route.READYZ:
        response = check_response("readyz", request, ready, status)
    elif route is Route.STARTUPZ:
        response = check_response("startupz", request, ready, status)
    elif route is Route.STATUS:
        response = status_response(status())
    elif route is Route.DASHBOARD:
        if dashboard is None:  # pragma: no cover - the gate routes it only when switched on
            raise LookupError("the dashboard is off")
        response = dashboard_response(request, status(), paths, dashboard)
    else:
        response = asset_response(route)
    return response.head() if request.method == "HEAD" else response
