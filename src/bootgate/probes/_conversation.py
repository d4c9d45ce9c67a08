"""A protocol's side of a check, written once and without I/O: a conversation.

A conversation is a generator. It yields what it needs from the connection as small tuples and
returns a Verdict:

    (SEND, data)           send all of `data`; resumes with None
    (RECEIVE,)             the next bytes that arrive; resumes with b"" once the peer has closed
    (TLS, context, host)   wrap the connection in TLS (at once, or after a protocol's own request)
    (RECONNECT,)           close the connection and open a fresh one to the same place
    (EMIT, value)          hand `value` to whoever drives a blocking conversation; resumes with None

Two thin transports drive conversations: anyio streams (`_async.py`: `wait_for`, `Boot`) and a
blocking socket (`_blocking.py`: `bootgate check`, `bootgate status`). Each protocol therefore has
one implementation whatever drives it, and its logic can be tested by feeding it bytes.

Stdlib only and cheap to import: the cold-start `check` path runs on it.
"""

from __future__ import annotations

import struct
import sys

from ._oserror import describe_os_error
from ._verdict import Verdict, permanent, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import Any, TypeAlias, TypeVar

    from ._target import Target

    T = TypeVar("T")
    Op: TypeAlias = tuple[Any, ...]
    Step: TypeAlias = Generator[Op, Any, T]
    """A piece of a conversation (`yield from` it) whose value is a T."""
    Conversation: TypeAlias = Generator[Op, Any, Verdict]
    """A whole conversation: its value is the Verdict."""

SEND, RECEIVE, TLS, RECONNECT, EMIT = range(5)
RECEIVE_SIZE = 65536
#: A protocol line or header longer than this is not an answer this probe understands.
LINE_LIMIT = 65536


class Closed(EOFError):
    """The peer closed the connection before the conversation had what it needed."""


class Malformed(ValueError):
    """The peer's answer is not what the protocol allows; the message says how."""


#: What a conversation or a transport may raise about the peer's answers: classified, never fatal.
ANSWER_ERRORS = (OSError, EOFError, ValueError, IndexError, KeyError, struct.error)


class Reader:
    """Buffered receiving for one conversation: exactly n bytes, up to a delimiter, or some."""

    __slots__ = ("buffer",)

    def __init__(self) -> None:
        self.buffer = bytearray()

    def _more(self) -> Step[None]:
        chunk: bytes = yield (RECEIVE,)
        if not chunk:
            raise Closed
        self.buffer += chunk

    def exactly(self, count: int) -> Step[bytes]:
        """Exactly `count` bytes (Closed if the peer hangs up first)."""
        while len(self.buffer) < count:
            yield from self._more()
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def until(self, delimiter: bytes, limit: int = LINE_LIMIT) -> Step[bytes]:
        """The bytes before `delimiter` (which is consumed); Malformed past `limit` bytes."""
        start = 0
        while True:
            found = self.buffer.find(delimiter, start)
            if found >= 0:
                data = bytes(self.buffer[:found])
                del self.buffer[: found + len(delimiter)]
                return data
            if len(self.buffer) > limit:
                raise Malformed("answer too long or malformed")
            start = max(0, len(self.buffer) - len(delimiter) + 1)
            yield from self._more()

    def some(self, most: int = RECEIVE_SIZE) -> Step[bytes]:
        """What is buffered, else the next bytes to arrive, at most `most`; b"" at the end."""
        if not self.buffer:
            chunk: bytes = yield (RECEIVE,)
            self.buffer += chunk
        data = bytes(self.buffer[:most])
        del self.buffer[:most]
        return data


class Handshake:
    """One protocol's check of one target, independent of how the bytes travel.

    `place` says where to connect; `stat()` is a check that needs no connection at all (a
    file); `conversation()` is what to say once connected (None: the connect is the check).
    The async probe and the blocking `check` both run this same object.
    """

    follows = False
    """True for a conversation that waits for an event itself (a status stream)."""

    def __init__(self, target: Target) -> None:
        self.target = target

    @property
    def display(self) -> str:
        """The target as people may see it: passwords as ***."""
        return self.target.display

    @property
    def place(self) -> tuple[str, str, int]:
        """("tcp", host, port) or ("unix", path, 0): where the connection goes."""
        return ("tcp", self.target.host, self.target.port)

    def stat(self) -> Verdict | None:
        """The whole check when it needs no connection (a file), else None."""
        return None

    def conversation(self) -> Conversation | None:
        """What to say once connected; None when the connect itself is the whole check."""
        return None

    def single(self) -> Handshake:
        """The handshake for one look (`check`): this one, unless it waits for an event."""
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.display!r})"


def classify_error(exc: BaseException) -> Verdict:
    """Classify an error raised while talking to a dependency (one of ANSWER_ERRORS)."""
    ssl = sys.modules.get("ssl")  # no TLS was used if ssl was never imported
    if ssl is not None and isinstance(exc, ssl.SSLCertVerificationError):
        return permanent(f"TLS verification failed: {exc.verify_message or exc.reason}")
    if ssl is not None and isinstance(exc, ssl.SSLError):
        return transient(f"TLS failed: {exc.reason or exc}")
    if isinstance(exc, EOFError):
        return transient("connection closed by the server")
    if isinstance(exc, OSError):
        return transient(describe_os_error(exc))
    if isinstance(exc, Malformed):
        return transient(str(exc))
    return transient(f"malformed answer ({type(exc).__name__}: {exc})")


def cstring(data: bytes, start: int = 0) -> tuple[bytes, int]:
    """The NUL-terminated string at `start` and the offset after its NUL."""
    end = data.index(b"\0", start)
    return data[start:end], end + 1
