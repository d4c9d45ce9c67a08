"""The blocking transport: a conversation over a plain socket, bounded by a deadline.

`bootgate check` (one look per target, cold start) and `bootgate status` run on it. It uses
socket (and ssl only when a conversation asks for TLS): no asyncio, no anyio, no threads.
"""

from __future__ import annotations

import socket
import time

from ._conversation import (
    ANSWER_ERRORS,
    EMIT,
    RECEIVE,
    RECEIVE_SIZE,
    RECONNECT,
    SEND,
    TLS,
    classify_error,
)
from ._oserror import describe_os_error
from ._verdict import Verdict

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import Any

    from ._conversation import Conversation, Handshake


def attempt(handshake: Handshake, timeout: float) -> Verdict:
    """One look at the handshake's target within `timeout` seconds: stat, or connect and talk."""
    local = handshake.stat()
    if local is not None:
        return local
    deadline = time.monotonic() + timeout
    late = f"no answer within {timeout:g}s"  # as the async probe says it
    try:
        sock = open_place(handshake.place, timeout)
    except TimeoutError:
        return Verdict("transient", late)
    except OSError as exc:
        return Verdict("transient", describe_os_error(exc))
    conversation = handshake.conversation()
    if conversation is None:
        sock.close()
        return Verdict("ready", "connected")
    return finish(talk(conversation, sock, handshake.place, deadline=deadline, late=late))


def emitting(handshake: Handshake, *, idle: float) -> Generator[Any, None, Verdict]:
    """Connect and talk, each wait bounded by `idle` seconds; yield what the talk emits."""
    try:
        sock = open_place(handshake.place, idle)
    except OSError as exc:
        return Verdict("transient", describe_os_error(exc))
    conversation = handshake.conversation()
    if conversation is None:
        sock.close()
        return Verdict("ready", "connected")
    return (yield from talk(conversation, sock, handshake.place, idle=idle))


def open_place(place: tuple[str, str, int], timeout: float | None) -> socket.socket:
    """Connect to ("tcp", host, port) or ("unix", path, 0)."""
    kind, where, port = place
    if kind == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(where)
        except OSError:
            sock.close()
            raise
        return sock
    return connect(where, port, timeout)


def connect(host: str, port: int, timeout: float | None) -> socket.socket:
    """Like socket.create_connection, but an ASCII host is passed as bytes: a str host makes
    getaddrinfo load the idna codec (with unicodedata), which costs a cold start dearly."""
    name: str | bytes = host.encode("ascii") if host.isascii() else host
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error or OSError(f"no address for {host}")


def talk(
    conversation: Conversation,
    sock: socket.socket,
    place: tuple[str, str, int],
    *,
    deadline: float | None = None,
    idle: float | None = None,
    late: str = "timed out",
) -> Generator[Any, None, Verdict]:
    """Drive `conversation` over `sock`; yield what it emits; its Verdict is the value.

    Each wait on the socket is bounded by `deadline` (time.monotonic) and by `idle` seconds;
    running out is a transient `late`. Errors about the peer's answers are classified, never
    raised. The socket is closed after.
    """
    value: Any = None
    try:
        while True:
            op = conversation.send(value)
            value = None
            code = op[0]
            if code == RECEIVE:
                sock.settimeout(_bound(deadline, idle))
                value = sock.recv(RECEIVE_SIZE)
            elif code == SEND:
                sock.settimeout(_bound(deadline, idle))
                sock.sendall(op[1])
            elif code == TLS:
                sock.settimeout(_bound(deadline, idle))
                sock = op[1].wrap_socket(sock, server_hostname=op[2])
            elif code == RECONNECT:
                sock.close()
                sock = open_place(place, _bound(deadline, idle))
            elif code == EMIT:
                yield op[1]
            else:
                raise TypeError(f"not a conversation step: {op!r}")
    except StopIteration as stop:
        verdict: Verdict = stop.value
        return verdict
    except TimeoutError:
        return Verdict("transient", late)
    except ANSWER_ERRORS as exc:
        return classify_error(exc)
    finally:
        conversation.close()
        sock.close()


def finish(steps: Generator[Any, None, Verdict]) -> Verdict:
    """Run a blocking conversation to its end, dropping whatever it emits; its Verdict."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            verdict: Verdict = stop.value
            return verdict


def _bound(deadline: float | None, idle: float | None) -> float | None:
    if deadline is None:
        return idle
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left if idle is None else min(left, idle)
