"""Django requests through the WSGI gate, and its answers as Django responses.

The gate decides (health endpoints, the 503 before ready, `hold`, exempt paths); this module
only translates. Django's `request.META` holds every key the gate reads, in WSGI and in ASGI
deployments alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from bootgate.http import WsgiGate

#: Set in the environ by the gate's inner app: the request may go on to Django's views.
PASSED = "bootgate.passed"


def let_through(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The gate's "application": it only notes that the request may go on to Django."""
    environ[PASSED] = True
    return []


class _Started:
    """start_response for one call: keeps the status code and headers."""

    status = 500
    headers: list[tuple[str, str]] = []  # noqa: RUF012 - replaced per call, never mutated

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status = int(status.split(" ", 1)[0])
        self.headers = headers


def through_gate(gate: WsgiGate, request: HttpRequest) -> HttpResponseBase | None:
    """The gate's answer to `request` as a Django response, or None if it lets it through."""
    environ = dict(request.META)
    environ["PATH_INFO"] = request.path_info  # Django's path without the script prefix
    started = _Started()
    body = gate(environ, started)
    if environ.get(PASSED):
        return None
    if isinstance(body, list):
        return HttpResponse(b"".join(body), status=started.status, headers=dict(started.headers))
    chunks = iter(body)
    stream = _pulled(chunks) if isinstance(request, ASGIRequest) else chunks
    return StreamingHttpResponse(stream, status=started.status, headers=dict(started.headers))


async def _pulled(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """A blocking iterator read from a worker thread, chunk by chunk, for ASGI responses.

    Django would otherwise read a synchronous iterator to its end before sending anything,
    and the status stream has no end.
    """
    step = sync_to_async(_next, thread_sensitive=False)
    while (chunk := await step(chunks)) is not None:
        yield chunk


def _next(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)
