"""Django requests as the gate's `Request`, and its decisions as Django responses.

The gate decides (health endpoints, the 503 before ready, `hold`, exempt paths, the stream);
this module only translates, in WSGI and in ASGI deployments alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from bootgate.http import Hold, Pass, Request, Response, Stream, WsgiGate


def to_request(request: HttpRequest) -> Request:
    """The gate's view of a Django request (the path without the script prefix)."""
    meta = request.META
    return Request(
        method=request.method or "GET",
        path=request.path_info or "/",
        query=meta.get("QUERY_STRING", ""),
        headers={key.lower(): value for key, value in request.headers.items()},
        client=meta.get("REMOTE_ADDR"),
        root_path=meta.get("SCRIPT_NAME", "") or "",
    )


def to_response(
    gate: WsgiGate, request: HttpRequest, decision: Response | Stream
) -> HttpResponseBase:
    """A `Response` or `Stream` decision as a Django response."""
    if isinstance(decision, Response):
        return HttpResponse(decision.body, status=decision.status, headers=dict(decision.headers))
    chunks = gate.events(decision)
    stream = _pulled(chunks) if isinstance(request, ASGIRequest) else chunks
    return StreamingHttpResponse(stream, status=decision.status, headers=dict(decision.headers))


def answer(gate: WsgiGate, request: HttpRequest) -> HttpResponseBase | None:
    """The gate's answer to `request`, or None if it goes on to the views (may hold: blocks)."""
    decision = gate.answer(to_request(request))
    return None if isinstance(decision, Pass) else to_response(gate, request, decision)


async def answer_async(gate: WsgiGate, request: HttpRequest) -> HttpResponseBase | None:
    """`answer` for Django's ASGI handler: a hold waits in a worker thread, not on the loop."""
    asked = to_request(request)
    decision = gate.decide(asked)
    if isinstance(decision, Hold):
        decision = await sync_to_async(gate.answer, thread_sensitive=False)(asked)
    return None if isinstance(decision, Pass) else to_response(gate, request, decision)


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
