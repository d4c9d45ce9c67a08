"""HTTP/1.1 on the wire, written once for every HTTP client in bootgate.

The http(s) probe, the status-stream follower and `bootgate status` all build their requests
and read their answers here: the status line and headers (1xx interim answers skipped), a body
by Content-Length, chunked or to the close, each bounded in size. The pieces are steps of a
conversation (see `_conversation`), so the async and the blocking transports share them. Stdlib
only: the cold-start `check` path runs on it (and does not pay for `http.client`).
"""

from __future__ import annotations

from urllib.parse import quote

from ._conversation import RECEIVE_SIZE, Closed, Malformed, Reader
from ._verdict import Verdict

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ._conversation import Step
    from ._target import Target

#: Statuses that mean "not yet" rather than "never" (DESIGN §4).
TRANSIENT_4XX = frozenset({408, 425, 429})
#: Bound on a response head (status line and headers).
HEAD_LIMIT = 65536
#: Interim (1xx) answers skipped before the final one; more is a misbehaving server.
INTERIM_LIMIT = 16


_QUERY_SAFE = "=&;%+/?:@!$'()*,~-._"


def build_request(
    target: Target,
    headers: Sequence[tuple[str, str]],
    *,
    path: str | None = None,
    accept: str = "*/*",
) -> bytes:
    """A GET request for the target's path and query (or `path`), closing the connection after."""
    if path is None:
        path = target.path or "/"
        query = target.raw.split("?", 1)[1].split("#", 1)[0] if "?" in target.raw else ""
        if query:
            # As written, but ASCII: the request line is Latin-1 and a server expects %-escapes.
            path = f"{path}?{quote(query, safe=_QUERY_SAFE)}"
    default = 443 if target.scheme == "https" else 80
    host = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default:
        host = f"{host}:{target.port}"
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "User-Agent: bootgate", f"Accept: {accept}"]
    names = {name.lower() for name, _ in headers}
    lines += [f"{name}: {value}" for name, value in headers]
    if "connection" not in names:
        lines.append("Connection: close")
    if target.user is not None and "authorization" not in names:
        lines.append(f"Authorization: Basic {_basic(target.user, target.password or '')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _basic(user: str, password: str) -> str:
    import base64  # only a target with credentials pays for it

    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Parse a response head (status line and headers, without the blank line).

    Header names are lower-cased; a repeated header's values are joined with ", ".
    """
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise Malformed(f"bad HTTP answer: not an HTTP response: {lines[0][:60]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = name.strip().lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return int(parts[1]), headers


def read_head(reader: Reader) -> Step[tuple[int, dict[str, str]]]:
    """The final answer's status and headers; interim 1xx answers (100, 103) are skipped."""
    for _ in range(INTERIM_LIMIT):
        head = yield from reader.until(b"\r\n\r\n", HEAD_LIMIT)
        status, headers = parse_head(head)
        if not 100 <= status < 200 or status == 101:
            return status, headers
    raise Malformed("bad HTTP answer: too many interim (1xx) answers")


class Body:
    """A response body as it arrives: by Content-Length, chunked, or up to the close."""

    __slots__ = ("_chunk", "_done", "_left", "_reader", "chunked")

    def __init__(self, reader: Reader, headers: Mapping[str, str]) -> None:
        self._reader = reader
        self.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length", "").split(",")[0].strip()
        if length and not length.isdigit():
            raise Malformed(f"bad HTTP answer: Content-Length {length[:20]!r}")
        self._left = int(length) if length and not self.chunked else None
        self._chunk = 0
        self._done = False

    def piece(self) -> Step[bytes]:
        """The next piece of the body, de-chunked; b"" once it is complete."""
        if self._done:
            return b""
        if self.chunked:
            return (yield from self._chunked_piece())
        if self._left is None:  # delimited by the close
            data = yield from self._reader.some()
            self._done = not data
            return data
        if self._left == 0:
            self._done = True
            return b""
        data = yield from self._reader.some(min(self._left, RECEIVE_SIZE))
        if not data:
            raise Closed
        self._left -= len(data)
        return data

    def _chunked_piece(self) -> Step[bytes]:
        if self._chunk == 0:
            line = yield from self._reader.until(b"\r\n", 1024)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise Malformed(f"bad HTTP answer: chunk size {size_text[:20]!r}") from None
            if size == 0:  # trailers, if any, are not read: the connection closes after
                self._done = True
                return b""
            self._chunk = size
        data = yield from self._reader.some(min(self._chunk, RECEIVE_SIZE))
        if not data:
            raise Closed
        self._chunk -= len(data)
        if self._chunk == 0 and (yield from self._reader.exactly(2)) != b"\r\n":
            raise Malformed("bad HTTP answer: chunk not followed by CRLF")
        return data


def read_body(reader: Reader, headers: Mapping[str, str], limit: int) -> Step[bytes]:
    """The whole body; Malformed when it is longer than `limit` bytes."""
    body = Body(reader, headers)
    parts: list[bytes] = []
    size = 0
    while True:
        piece = yield from body.piece()
        if not piece:
            return b"".join(parts)
        size += len(piece)
        if size > limit:
            raise Malformed(f"bad HTTP answer: body longer than {limit} bytes")
        parts.append(piece)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # not `²` or `١٢`: digits to Unicode, not to HTTP
        return float(text)
    import time
    from email.utils import parsedate_to_datetime  # only on this rare path

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def classify_status(
    status: int, headers: Mapping[str, str], allowed: frozenset[int] | None
) -> Verdict:
    """Ready for an allowed status (default 2xx); else Transient or Permanent per DESIGN §4."""
    if (status in allowed) if allowed is not None else 200 <= status < 300:
        return Verdict("ready", f"HTTP {status}")
    if status >= 500 or status in TRANSIENT_4XX:
        return Verdict("transient", f"HTTP {status}", parse_retry_after(headers.get("retry-after")))
    if 300 <= status < 400:
        where = headers.get("location", "?")
        return Verdict(
            "permanent", f"HTTP {status} redirect to {where} (not followed; see --status)"
        )
    return Verdict("permanent", f"HTTP {status}")
