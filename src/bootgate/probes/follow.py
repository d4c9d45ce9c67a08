"""A bootgate service as a dependency, and its status read from outside.

A target whose path ends in /readyz, /status or /status/stream is read as a bootgate service:
the probe opens <service>/status/stream once and waits for the snapshot that says ready, so
readiness arrives as an event, with no request per poll. A failed startup there is a permanent
failure here; a server that does not answer with an event stream is checked with one plain GET
of the target instead, as any http(s) target is. `bootgate check` makes that plain GET at once.

`fetch_status` and `stream_status` read the same documents for people (`bootgate status`) on
the blocking transport: no event loop.
"""

from __future__ import annotations

from ._blocking import emitting
from ._conversation import EMIT, RECONNECT, SEND, TLS, Reader
from ._document import DocumentError, checked
from ._httpwire import Body, build_request, read_body, read_head
from ._options import ProbeOptions
from ._sse import EventStream
from ._target import Target, parse_target
from ._verdict import Verdict, permanent, ready, transient
from .http import HttpHandshake, stream_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from typing import Any

    from ._conversation import Conversation, Step

#: Bound on a status document read in one piece (a graph of thousands of nodes fits).
DOCUMENT_LIMIT = 16 * 1024 * 1024
STREAM = "text/event-stream"


class StatusError(OSError):
    """Raised when a service's status cannot be read; the message says why (no secrets)."""


class FollowHandshake(HttpHandshake):
    """Follows a bootgate service's status stream until it says ready (or cannot start)."""

    follows = True
    """Waiters give this probe the whole remaining deadline: it waits for an event itself."""

    def single(self) -> HttpHandshake:
        """For one look: a plain GET of the target (a health check must not wait)."""
        return HttpHandshake(self.target, self.options)

    def conversation(self) -> Conversation:
        """Open the stream and read snapshots until one decides."""
        reader = Reader()
        status, headers = yield from self.get(reader, stream_path(self.target.path), STREAM)
        if status != 200 or not headers.get("content-type", "").startswith(STREAM):
            yield (RECONNECT,)  # not a bootgate service: one plain GET, as for any target
            return (yield from super().conversation())
        body, events = Body(reader, headers), EventStream()
        waiting = "connected, no status yet"
        while True:
            documents = yield from next_documents(body, events)
            if documents is None:
                return transient(f"status stream ended ({waiting})")
            for document in documents:
                verdict, waiting = judge(document, waiting)
                if verdict is not None:
                    return verdict

    def get(
        self, reader: Reader, path: str | None, accept: str
    ) -> Step[tuple[int, dict[str, str]]]:
        """TLS if https, a GET of `path` (None: the target's own, with its query), its head."""
        if self.tls is not None:
            yield (TLS, self.tls, self.target.host)
        request = build_request(self.target, self.options.headers, path=path, accept=accept)
        yield (SEND, request)
        return (yield from read_head(reader))


def judge(document: dict[str, Any], waiting: str) -> tuple[Verdict | None, str]:
    """The verdict a (checked) status snapshot stands for (None: still starting), and what it
    waits on."""
    info: dict[str, Any] = document["bootgate"]
    service = info["service"]
    blocking = "; ".join(info["blocking"])
    if info["ready"]:
        return ready(f"{service} is ready"), waiting
    if info["failed"]:
        return permanent(f"{service} cannot start: {blocking or 'failed'}"), waiting
    if info["stopping"]:
        return transient(f"{service} is shutting down"), waiting
    return None, f"{service} is starting: {blocking}" if blocking else waiting


def next_documents(body: Body, events: EventStream) -> Step[list[dict[str, Any]] | None]:
    """The status documents the next piece of a status stream completes; None once it ended.

    Raises DocumentError (a ValueError: a malformed answer) for an event that is not one.
    """
    piece = yield from body.piece()
    if not piece:
        return None
    import json  # only a stream pays for it

    return [checked(json.loads(data)) for _, data in events.feed(piece)]


class _Fetch(FollowHandshake):
    """GET the status document itself (whatever the HTTP status: a 503 still carries it)."""

    def conversation(self) -> Conversation:
        reader = Reader()
        status, headers = yield from self.get(reader, None, "application/health+json")
        body = yield from read_body(reader, headers, DOCUMENT_LIMIT)
        import json

        try:
            document = checked(json.loads(body))
        except DocumentError as exc:
            return permanent(f"no bootgate status document in the answer (HTTP {status}): {exc}")
        except ValueError:
            return permanent(f"no bootgate status document in the answer (HTTP {status})")
        yield (EMIT, document)
        return ready(f"HTTP {status}")


class _Stream(FollowHandshake):
    """Every snapshot of the status stream, as the service sends them, until it ends."""

    def conversation(self) -> Conversation:
        reader = Reader()
        status, headers = yield from self.get(reader, None, STREAM)
        kind = headers.get("content-type", "?").split(";")[0]
        if status != 200 or kind != STREAM:
            return permanent(f"answered HTTP {status} ({kind}), not a status stream")
        body, events = Body(reader, headers), EventStream()
        while True:
            documents = yield from next_documents(body, events)
            if documents is None:
                return ready("status stream ended")
            for document in documents:
                yield (EMIT, document)


def fetch_status(url: str, *, timeout: float = 5.0, **options: object) -> dict[str, Any]:
    """The status document of the bootgate service at `url` (its /status URL).

    Blocking, no event loop. `options` are the probe options (`header`, `ca_file`, ...).
    Raises StatusError when the document cannot be read, ConfigError for a bad URL.
    """
    documents = list(_run(_Fetch(_http_target(url), ProbeOptions(options)), timeout))
    return documents[0]  # type: ignore[no-any-return]


def stream_status(
    url: str, *, timeout: float = 30.0, **options: object
) -> Iterator[dict[str, Any]]:
    """Each status document the service's event stream (its /status/stream URL) sends.

    Blocking, no event loop; `timeout` bounds each wait for data (the service sends a
    keep-alive every 15 s). Raises StatusError when the stream cannot be read.
    """
    return _run(_Stream(_http_target(url), ProbeOptions(options)), timeout)


def _http_target(url: str) -> Target:
    target = parse_target(url)
    if target.scheme not in ("http", "https"):
        from bootgate import ConfigError

        raise ConfigError(f"{target.display}: a status URL is http:// or https://")
    return target


def _run(handshake: FollowHandshake, timeout: float) -> Generator[Any, None, None]:
    steps = emitting(handshake, idle=timeout)
    try:
        while True:
            try:
                document = next(steps)
            except StopIteration as stop:
                verdict: Verdict = stop.value
                break
            yield document
    finally:
        steps.close()
    if not verdict.ready:
        raise StatusError(verdict.reason)
