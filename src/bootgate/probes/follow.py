"""A bootgate service as a dependency: followed over its status stream, not polled.

A target whose path ends in /readyz, /status or /status/stream is read as a bootgate service:
the probe opens <service>/status/stream once and waits for the snapshot that says ready, so
readiness arrives as an event, with no request per poll. A failed startup there is a permanent
failure here; a server that does not answer with an event stream is checked with one plain GET
of the target instead, as any http(s) target is.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from bootgate._probe import FollowingProbe, Permanent, ProbeResult, Ready, Transient

from ._base import Session, open_stream
from ._httpwire import HEAD_LIMIT, build_request, parse_head
from .http import HttpProbe

SUFFIXES = ("/status/stream", "/status", "/readyz")
_EVENT_LIMIT = 4 * 1024 * 1024


def is_bootgate_url(path: str) -> bool:
    """True for the paths of a bootgate service's own endpoints."""
    return path.rstrip("/").endswith(SUFFIXES)


def stream_path(path: str) -> str:
    """The status stream's path beside /readyz or /status."""
    path = path.rstrip("/")
    for suffix in SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)] + "/status/stream"
    return path + "/status/stream"


class FollowProbe(HttpProbe, FollowingProbe):
    """Follows a bootgate service's status stream until it says ready (or cannot start)."""

    async def handshake(self) -> ProbeResult:
        """Open the stream and read snapshots until one decides."""
        try:
            stream = await open_stream(self.target, self._tls)
        except OSError:
            return await super().handshake()  # classifies TLS and connection errors
        request = build_request(
            self.target,
            self.options.headers,
            path=stream_path(self.target.path or "/"),
            accept="text/event-stream",
        )
        async with Session(stream) as session:
            await session.send(request)
            head = await session.until(b"\r\n\r\n", HEAD_LIMIT)
            status, headers = parse_head(head)
            if status != 200 or not headers.get("content-type", "").startswith("text/event-stream"):
                return await super().handshake()  # not a bootgate service: one plain GET
            chunked = "chunked" in headers.get("transfer-encoding", "").lower()
            waiting = "connected, no status yet"
            async for document in _documents(session, chunked):
                info: dict[str, Any] = document.get("bootgate", {})
                service = str(info.get("service", "service"))
                blocking = "; ".join(str(chain) for chain in info.get("blocking", []))
                if info.get("ready"):
                    return Ready(f"{service} is ready")
                if info.get("failed"):
                    return Permanent(f"{service} cannot start: {blocking or 'failed'}")
                if info.get("stopping"):
                    return Transient(f"{service} is shutting down")
                waiting = f"{service} is starting: {blocking}" if blocking else waiting
        return Transient(f"status stream ended ({waiting})")


async def _documents(session: Session, chunked: bool) -> AsyncIterator[dict[str, Any]]:
    """Each JSON document of the event stream (`data:` lines of one event, joined)."""
    buffer = b""
    data: list[str] = []
    async for piece in _body(session, chunked):
        buffer += piece
        while b"\n" in buffer:
            raw, buffer = buffer.split(b"\n", 1)
            line = raw.rstrip(b"\r").decode()
            if line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif not line and data:
                document = json.loads("\n".join(data))
                data = []
                if isinstance(document, dict):
                    yield document
        if len(buffer) > _EVENT_LIMIT:
            raise ValueError("status stream line too long")


async def _body(session: Session, chunked: bool) -> AsyncIterator[bytes]:
    """The response body as it arrives, de-chunked."""
    if not chunked:
        while True:
            yield await session.reader.receive()
    while True:
        size = int((await session.until(b"\r\n", 64)).split(b";", 1)[0], 16)
        if size == 0:
            return
        yield await session.exactly(size)
        await session.exactly(2)
