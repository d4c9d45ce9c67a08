"""The gate's one decision, without I/O: what to do with a request, given the service's state.

Every adapter (ASGI, WSGI, aiohttp, Django, Flask) translates its framework's request into a
`Request`, asks `decide`, and turns the answer into its framework's response:

- `PASS`: hand the request to the application;
- a `Response`: send it as it is (health answers, the 503 with Retry-After, the page, 405...);
- a `Stream`: serve the status stream (Server-Sent Events);
- a `Hold`: wait up to `seconds` for readiness (or for startup to fail or stop), then ask
  `after_hold` what to do.

Routing, methods, access rules, content negotiation and rendering all happen here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from bootgate import Status

from ._access import Access
from ._checks import CheckKind
from ._config import GateConfig
from ._paths import Route
from ._request import Request
from ._responses import (
    EVENT_STREAM,
    FORBIDDEN,
    METHOD_NOT_ALLOWED,
    NO_STREAM,
    OK,
    Headers,
    Response,
    asset_response,
    check_response,
    dashboard_response,
    gate_response,
    single_check_response,
    status_response,
)
from ._sse import STREAM_HEADERS, parse_last_event_id


@dataclass(frozen=True, slots=True)
class Pass:
    """Hand the request to the application (use the `PASS` instance)."""


#: The one `Pass`: decisions compare with `is PASS`.
PASS = Pass()


@dataclass(frozen=True, slots=True)
class Stream:
    """Answer with the status stream: status 200, `headers`, then events newer than
    `last_event_id` (the seq a reconnecting client already has, if any)."""

    last_event_id: int | None = None
    status: ClassVar[int] = 200
    headers: ClassVar[Headers] = STREAM_HEADERS


@dataclass(frozen=True, slots=True)
class Hold:
    """Wait up to `seconds` for the service to settle (see `settled`), then ask `after_hold`."""

    seconds: float


Decision = Pass | Response | Stream | Hold
"""What `decide` returns: one of the four."""


def settled(status: Status) -> bool:
    """True when holding a request longer is pointless: ready, failed, or shutting down."""
    return status.ready or status.failed or status.stopping


def decide(
    request: Request, ready: bool, status: Callable[[], Status], config: GateConfig
) -> Decision:
    """What to do with `request`: pass it on, answer it, stream to it, or hold it.

    `ready` is the service's O(1) readiness flag; `status` returns the current snapshot and is
    called only when an answer needs its details, so a ready /readyz costs one flag check.
    """
    if request.websocket:  # only the gate applies: no endpoint speaks WebSocket
        if ready or config.exempts(request.path):
            return PASS
        return gate_response(request, status(), config.paths)
    route = config.route(request.path)
    if route is None:
        check = config.check(request.path)
        if check is not None:  # /readyz/<name>: one check alone
            if request.method not in ("GET", "HEAD"):
                return METHOD_NOT_ALLOWED
            kind, name = check
            answer = single_check_response(
                _KINDS[kind], name, status(), trusted=_trusted(request, config)
            )
            return _finished(request, answer)
        if ready or config.exempts(request.path):
            return PASS
        if config.hold > 0:
            return Hold(config.hold)
        return _finished(request, gate_response(request, status(), config.paths))
    if request.method not in ("GET", "HEAD"):
        return METHOD_NOT_ALLOWED
    if route is Route.STREAM or (route is Route.STATUS and request.wants(EVENT_STREAM)):
        if request.method == "GET":
            if not config.stream:
                return NO_STREAM
            return Stream(parse_last_event_id(request.headers.get("last-event-id")))
        route = Route.STATUS  # HEAD on the stream: the headers /status would have
    return _finished(request, _endpoint(route, request, ready, status, config))


def after_hold(
    request: Request, ready: bool, status: Callable[[], Status], config: GateConfig
) -> Pass | Response:
    """What to do with a request that was held: pass it on if ready, else the gate's 503."""
    if ready:
        return PASS
    return _finished(request, gate_response(request, status(), config.paths))


def _finished(request: Request, response: Response) -> Response:
    return response.head() if request.method == "HEAD" else response


_KINDS: dict[Route, CheckKind] = {
    Route.LIVEZ: "livez",
    Route.READYZ: "readyz",
    Route.STARTUPZ: "startupz",
}
#: Who sees the probes' reasons when the dashboard is off: loopback clients.
_LOOPBACK = Access()


def _allowed(request: Request, access: Access) -> bool:
    tokens = request.params.get("token")
    offered = tokens[-1] if tokens else None
    return access.allows(request.client, request.header("authorization"), offered)


def _trusted(request: Request, config: GateConfig) -> bool:
    """Whether the probe answers may give their reasons: the dashboard's access rule."""
    return _allowed(request, config.dashboard or _LOOPBACK)


def _endpoint(
    route: Route, request: Request, ready: bool, status: Callable[[], Status], config: GateConfig
) -> Response:
    if route is Route.READYZ and ready and request.query == "":
        return OK  # the probe a kubelet sends every few seconds: one flag, no snapshot
    kind = _KINDS.get(route)
    if kind is not None:
        return check_response(kind, request, status(), trusted=_trusted(request, config))
    if route is Route.STATUS:
        return status_response(status())
    if route is Route.DASHBOARD:
        access = config.dashboard
        if access is None or not _allowed(request, access):
            return FORBIDDEN
        return dashboard_response(request, status(), config.paths)
    return asset_response(route)  # the pages' script and stylesheet
