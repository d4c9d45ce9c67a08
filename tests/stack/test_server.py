"""The stack's small HTTP server: enough HTTP/1.1 for probes, browsers and event streams."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest

from bootgate import Boot
from bootgate.http import Gate, Message, Receive, Send
from bootgate.stack._server import HEAD_LIMIT, serve

pytestmark = pytest.mark.anyio


async def hello(scope: Message, receive: Receive, send: Send) -> None:
    """200 with a body of known length, echoing the path and query."""
    body = f"{scope['method']} {scope['path']} {scope['query_string'].decode()}".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def chunks(scope: Message, receive: Receive, send: Send) -> None:
    """A body in three pieces without a length (close-delimited)."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for piece in (b"one ", b"two ", b"three"):
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def broken(scope: Message, receive: Receive, send: Send) -> None:
    """An application that fails before answering."""
    raise RuntimeError("boom")


@asynccontextmanager
async def server(app: object) -> AsyncIterator[int]:
    """Serve `app` on a free loopback port for the block."""
    async with anyio.create_task_group() as tg:
        port = await tg.start(serve, app, "127.0.0.1", 0)
        yield port
        tg.cancel_scope.cancel()


async def exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes, read the whole answer (the server closes the connection)."""
    with anyio.fail_after(10):
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(request)
            answer = b""
            try:
                while True:
                    answer += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return answer


async def test_a_request_gets_status_headers_and_body() -> None:
    """A plain GET: status line, the app's headers, connection: close, the body."""
    async with server(hello) as port:
        answer = await exchange(port, b"GET /a%20b?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"connection: close" in head
    assert body == b"GET /a b x=1"


async def test_head_gets_no_body() -> None:
    """HEAD: the same head, no body bytes."""
    async with server(hello) as port:
        answer = await exchange(port, b"HEAD / HTTP/1.1\r\n\r\n")
    assert answer.endswith(b"\r\n\r\n")


async def test_a_body_without_length_is_streamed_until_close() -> None:
    """Pieces are sent as they come; the end of the body is the end of the connection."""
    async with server(chunks) as port:
        answer = await exchange(port, b"GET / HTTP/1.1\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-length" not in head.lower()
    assert body == b"one two three"


@pytest.mark.parametrize(
    "request_bytes",
    [b"NONSENSE\r\n\r\n", b"GET / SPDY/3\r\n\r\n", b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
     b"POST / HTTP/1.1\r\ncontent-length: 99999999\r\n\r\n"],
)  # fmt: skip
async def test_malformed_requests_get_400(request_bytes: bytes) -> None:
    """What is not an HTTP/1.x request for a path is answered 400, in one line."""
    async with server(hello) as port:
        answer = await exchange(port, request_bytes)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")


async def test_an_oversized_head_is_refused() -> None:
    """A request head beyond the limit is not buffered without bound."""
    async with server(hello) as port:
        answer = await exchange(port, b"GET / HTTP/1.1\r\nx: " + b"a" * (HEAD_LIMIT * 2))
    assert answer.startswith(b"HTTP/1.1 400")


async def test_a_failing_app_gets_500_and_the_server_stays_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One broken exchange never takes the stack's endpoints down."""
    async with server(broken) as port:
        first = await exchange(port, b"GET / HTTP/1.1\r\n\r\n")
        second = await exchange(port, b"GET / HTTP/1.1\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 500")
    assert second.startswith(b"HTTP/1.1 500")
    assert "stack HTTP: / failed" in caplog.text


async def test_the_status_stream_flows_and_ends_when_the_client_leaves() -> None:
    """Behind bootgate's Gate: the first status event arrives; the client leaving ends the
    exchange and the server goes on serving."""
    boot = Boot("s", hooks=[])

    @boot.step
    async def forever() -> None:
        await anyio.sleep_forever()

    gate = Gate(hello, boot)
    async with boot.running(wait=False), server(gate) as port:
        with anyio.fail_after(10):
            async with await anyio.connect_tcp("127.0.0.1", port) as stream:
                await stream.send(b"GET /status/stream HTTP/1.1\r\n\r\n")
                seen = b""
                while b"event: status" not in seen:
                    seen += await stream.receive()
        assert b"text/event-stream" in seen
        answer = await exchange(port, b"GET /readyz HTTP/1.1\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503")
