"""The status stream: Server-Sent Events fed by the source's subscription, never by polling.

Each change becomes one `status` event (id = the snapshot's seq), at most one per `interval`
(changes in between are coalesced into the latest snapshot); a comment line keeps idle
connections open through proxies. While the snapshot counts time (a step running towards its
ETA, a dependency's next retry and deadline, a warning that will expire), the same snapshot
is sent again once a second, read that many whole seconds after its change: an ETA then counts
down and turns into "overdue" in every open page. Reading at whole seconds after the change
makes every subscriber's tick the same object, encoded once. The stream ends when the run it
follows shuts down or the client goes away.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio

from bootgate import Clock, Status

from ._render import health_json
from ._source import StatusSource
from ._types import Receive, Send

#: Sent first: how long a browser waits before reconnecting, in milliseconds.
PREAMBLE = b"retry: 1000\n\n"
KEEP_ALIVE = b": keep-alive\n\n"
#: The stream's response headers (its length is unknown: none is given).
STREAM_HEADERS = (
    ("content-type", "text/event-stream; charset=utf-8"),
    ("cache-control", "no-store"),
    ("x-accel-buffering", "no"),  # nginx: pass each event on at once
)
_ASGI_HEADERS = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in STREAM_HEADERS]

T = TypeVar("T")


def encode_event(status: Status) -> bytes:
    """One `status` event carrying the health+json document of `status`."""
    return b"id: %d\nevent: status\ndata: %s\n\n" % (status.seq, health_json(status))


def reading(status: Status, clock_now: float) -> tuple[Status, float | None]:
    """What to send of `status` at clock reading `clock_now`, and in how many seconds it will
    say something new by itself (None: not before its next change).

    The snapshot read the last whole second after its change, so every subscriber of one
    change sends the same objects.
    """
    if status.began_clock is None or status.stopping or not status.moves():
        return status, None
    since = clock_now - status.began_clock - status.at_s
    whole = math.floor(max(since, 0.0) + 1e-6)  # a wake-up on the tick counts as the tick
    current = status.at(status.at_s + whole) if whole else status
    return current, whole + 1 - since


def parse_last_event_id(value: str | None) -> int | None:
    """The seq a reconnecting client last saw, or None if it sent none (or nonsense)."""
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


@asynccontextmanager
async def closing(iterator: AsyncIterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    """Close an async iterator (if it can be closed) however the block is left."""
    try:
        yield iterator
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with anyio.CancelScope(shield=True):
                await aclose()


class _Latest:
    """The newest snapshot from the subscription, and whether anything new has arrived."""

    def __init__(self) -> None:
        self.status: Status | None = None
        self.ended = False
        self.changed = anyio.Event()

    async def follow(self, source: StatusSource) -> None:
        async with closing(source.subscribe()) as snapshots:
            async for status in snapshots:
                self.status = status
                self.changed.set()
        self.ended = True
        self.changed.set()


class _Client:
    """Watches the request side: the client's leaving cancels the whole stream."""

    def __init__(self) -> None:
        self.gone = False

    async def watch(self, receive: Receive, scope: anyio.CancelScope) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.gone = True
                scope.cancel()
                return


async def stream_status(
    source: StatusSource,
    clock: Clock,
    receive: Receive,
    send: Send,
    *,
    last_event_id: int | None = None,
    interval: float = 0.1,
    keep_alive: float = 15.0,
) -> None:
    """Serve the status stream as an ASGI response until shutdown begins or the client leaves.

    The last event of a stream that ends by itself is the first snapshot with `stopping`.

    A client that reconnects with `Last-Event-ID` equal to the current seq already has the
    current snapshot and gets only newer ones; any other id gets the current snapshot at once.
    """
    await send({"type": "http.response.start", "status": 200, "headers": _ASGI_HEADERS})
    await send({"type": "http.response.body", "body": PREAMBLE, "more_body": True})
    latest = _Latest()
    client = _Client()
    sent = last_event_id
    async with anyio.create_task_group() as tg:
        tg.start_soon(latest.follow, source)
        tg.start_soon(client.watch, receive, tg.cancel_scope)
        tick: float | None = None
        while True:
            status = latest.status
            if status is not None and status.seq != sent:
                sent = status.seq
                current, tick = reading(status, clock.now())
                body = encode_event(current)
                await send({"type": "http.response.body", "body": body, "more_body": True})
                if status.stopping:
                    break  # shutting down: the server should not wait for this stream
                await clock.sleep(interval)  # coalesce: changes meanwhile collapse into the latest
                continue
            if latest.ended:
                break
            latest.changed = anyio.Event()
            if status is not None and tick is not None:
                _, tick = reading(status, clock.now())
            wait = keep_alive if tick is None else min(tick, keep_alive)
            with clock.move_on_after(wait):
                await latest.changed.wait()
            if latest.changed.is_set():
                continue
            if status is not None and tick is not None and tick <= keep_alive:
                current, tick = reading(status, clock.now())
                body = encode_event(current)  # the same snapshot, one second further on
            else:
                body = KEEP_ALIVE
            await send({"type": "http.response.body", "body": body, "more_body": True})
        tg.cancel_scope.cancel()
    if not client.gone:
        await send({"type": "http.response.body", "body": b"", "more_body": False})
