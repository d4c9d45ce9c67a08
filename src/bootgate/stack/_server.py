"""A small HTTP/1.1 server for one ASGI app, on anyio and the standard library.

`bootgate up` serves the stack's health endpoints, status and stream with it, so the stack
needs no web server installed (uvicorn is a development tool here, not a dependency). It
speaks enough HTTP for probes, `curl`, browsers and `bootgate status`/`wait`: one request per
connection (`Connection: close`), bodies sent as they come (close-delimited when the app gives
no length, which is what a Server-Sent Events stream needs), a bounded request head, and a
disconnect reported to the app when the client goes away.
"""

from __future__ import annotations

import contextlib
import logging
from http import HTTPStatus
from urllib.parse import unquote

import anyio
import anyio.abc

from bootgate.http import ASGIApp, Message

HEAD_LIMIT = 16 * 1024
BODY_LIMIT = 64 * 1024
#: A client has this long to send its request head.
HEAD_TIMEOUT = 10.0


class BadRequest(Exception):
    """The client sent something that is not an HTTP/1.x request we can serve."""


async def serve(
    app: ASGIApp, host: str, port: int, *, task_status: anyio.abc.TaskStatus[int]
) -> None:
    """Serve `app` on host:port until cancelled; `task_status` gets the bound port."""
    listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    async with listener:
        sockname = listener.extra(anyio.abc.SocketAttribute.local_address)
        task_status.started(int(sockname[1]))
        await listener.serve(lambda stream: _connection(app, stream, (host, int(sockname[1]))))


async def _connection(
    app: ASGIApp, stream: anyio.abc.SocketStream, server: tuple[str, int]
) -> None:
    async with stream:
        try:
            with anyio.fail_after(HEAD_TIMEOUT):
                head, rest = await _read_head(stream)
            scope, length = _scope(head, stream, server)
            body = rest
            while len(body) < length:
                body += await stream.receive()
        except (BadRequest, TimeoutError, anyio.EndOfStream, anyio.BrokenResourceError) as exc:
            if isinstance(exc, BadRequest):
                await _plain(stream, 400, str(exc))
            return
        except OSError:
            return
        try:
            await _Exchange(app, stream, scope, body[:length]).run()
        except Exception:
            # One bad exchange must never take the server (and the stack's probes) down.
            logging.getLogger("bootgate").exception("stack HTTP: %s failed", scope["path"])


class _Exchange:
    """One request and its response."""

    def __init__(
        self, app: ASGIApp, stream: anyio.abc.SocketStream, scope: Message, body: bytes
    ) -> None:
        self.app = app
        self.stream = stream
        self.scope = scope
        self.body = body
        self.request_sent = False
        self.started: Message | None = None
        self.head_sent = False
        self.finished = False
        self.disconnected = anyio.Event()

    async def run(self) -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._watch_client)
            try:
                await self.app(self.scope, self.receive, self.send)
            except Exception:
                if not self.head_sent and not self.disconnected.is_set():
                    await _plain(self.stream, 500, "internal error")
                raise
            finally:
                tg.cancel_scope.cancel()
        if self.started is not None and not self.head_sent and not self.disconnected.is_set():
            with contextlib.suppress(OSError, anyio.BrokenResourceError):
                await self._send_head(b"")

    async def _watch_client(self) -> None:
        with contextlib.suppress(Exception):
            while await self.stream.receive():
                pass
        self.disconnected.set()

    async def receive(self) -> Message:
        if not self.request_sent:
            self.request_sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self.disconnected.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.disconnected.is_set():
            return  # the client left: what is left of the response goes nowhere
        try:
            await self._send(message)
        except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            self.disconnected.set()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.started = message
        elif kind == "http.response.body":
            if self.started is None:
                raise RuntimeError("http.response.body before http.response.start")
            body = bytes(message.get("body", b""))
            if not self.head_sent:
                await self._send_head(body if not message.get("more_body") else None, body)
            elif body and self.scope["method"] != "HEAD":
                await self.stream.send(body)

    async def _send_head(self, complete: bytes | None, first: bytes = b"") -> None:
        start = self.started or {"status": 500, "headers": []}
        status = int(start["status"])
        lines = [f"HTTP/1.1 {status} {_reason(status)}".encode()]
        names = set()
        for name, value in start.get("headers", []):
            names.add(bytes(name).lower())
            lines.append(bytes(name) + b": " + bytes(value))
        if complete is not None and b"content-length" not in names:
            lines.append(b"content-length: %d" % len(complete))
        lines.append(b"connection: close")
        payload = b"\r\n".join(lines) + b"\r\n\r\n"
        if self.scope["method"] != "HEAD":
            payload += first
        self.head_sent = True
        await self.stream.send(payload)


async def _read_head(stream: anyio.abc.SocketStream) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > HEAD_LIMIT:
            raise BadRequest("request head too large")
        data += await stream.receive()
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _scope(
    head: bytes, stream: anyio.abc.SocketStream, server: tuple[str, int]
) -> tuple[Message, int]:
    request_line, *header_lines = head.split(b"\r\n")
    try:
        method, target, version = request_line.decode("latin-1").split(" ")
    except ValueError:
        raise BadRequest("malformed request line") from None
    if not version.startswith("HTTP/1.") or not target.startswith("/"):
        raise BadRequest("not an HTTP/1.x request for a path")
    headers = []
    length = 0
    for line in header_lines:
        name, sep, value = line.partition(b":")
        if not sep:
            raise BadRequest("malformed header line")
        name, value = name.strip().lower(), value.strip()
        headers.append((name, value))
        if name == b"content-length":
            if not value.isdigit() or int(value) > BODY_LIMIT:
                raise BadRequest("bad or too large content-length")
            length = int(value)
    raw_path, _, query = target.partition("?")
    try:
        client = stream.extra(anyio.abc.SocketAttribute.remote_address)
    except anyio.TypedAttributeLookupError:
        client = ("", 0)
    scope: Message = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": version[5:],
        "method": method.upper(),
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "client": (str(client[0]), int(client[1])) if isinstance(client, tuple) else None,
        "server": server,
    }
    return scope, length


async def _plain(stream: anyio.abc.SocketStream, status: int, text: str) -> None:
    body = (text + "\n").encode()
    head = (
        f"HTTP/1.1 {status} {_reason(status)}\r\ncontent-type: text/plain\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode()
    with contextlib.suppress(OSError, anyio.BrokenResourceError):
        await stream.send(head + body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a code the standard library has no phrase for
        return "Status"
