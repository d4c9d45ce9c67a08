"""The async transport: a conversation over an anyio stream, and the probe that runs one.

`probe_for` wraps every protocol's Handshake in a HandshakeProbe: the cheap layer is a TCP
connect (a Unix socket connect, a stat), the deep layer the protocol's conversation, driven
here over anyio (asyncio or trio). The blocking twin is `_blocking`.
"""

from __future__ import annotations

import anyio
from anyio.abc import ByteStream

from bootgate import FollowingProbe, ProbeResult, Ready, Transient

from ._base import LayeredProbe, tcp_reachable
from ._conversation import (
    ANSWER_ERRORS,
    EMIT,
    RECEIVE,
    RECEIVE_SIZE,
    RECONNECT,
    SEND,
    TLS,
    Handshake,
    classify_error,
)
from ._oserror import describe_os_error
from ._verdict import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._conversation import Conversation


class HandshakeProbe(LayeredProbe):
    """A protocol's Handshake as a probe: cheap layer first, its conversation when it answers.

    `attempt_timeout` bounds the conversation (a waiter bounds attempts itself too); a probe
    that follows an event stream is not bounded: it waits for the event.
    """

    def __init__(self, handshake: Handshake, attempt_timeout: float | None = None) -> None:
        super().__init__(handshake.target)
        self.protocol = handshake
        self._bound = None if handshake.follows else attempt_timeout

    @staticmethod
    def of(handshake: Handshake, attempt_timeout: float | None = None) -> HandshakeProbe:
        """The probe for `handshake`: a FollowingProbe when its conversation waits for an event
        (waiters then give it the rest of the deadline instead of one attempt's timeout)."""
        kind = FollowingHandshakeProbe if handshake.follows else HandshakeProbe
        return kind(handshake, attempt_timeout)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.protocol!r})"

    async def reachable(self) -> Transient | None:
        """The stat, Unix socket connect or TCP connect: None if it answers."""
        local = self.protocol.stat()
        if local is not None:
            return Transient(local.reason) if local.kind == "transient" else None
        kind, where, port = self.protocol.place
        if kind == "unix":
            try:
                stream = await anyio.connect_unix(where)
            except OSError as exc:
                return Transient(describe_os_error(exc))
            await _close(stream)
            return None
        return await tcp_reachable(where, port)

    async def handshake(self) -> ProbeResult:
        """The protocol's conversation on a fresh connection, classified."""
        local = self.protocol.stat()
        if local is not None:
            return local.result()
        conversation = self.protocol.conversation()
        if conversation is None:
            return Ready("connected")
        if self._bound is None:
            return (await talk(conversation, self.protocol.place)).result()
        with anyio.move_on_after(self._bound):
            return (await talk(conversation, self.protocol.place)).result()
        return Transient(f"no answer within {self._bound:g}s")


class FollowingHandshakeProbe(HandshakeProbe, FollowingProbe):
    """A handshake probe that follows an event stream (a bootgate service's status)."""


async def talk(conversation: Conversation, place: tuple[str, str, int]) -> Verdict:
    """Connect to `place` and drive `conversation` over anyio; its Verdict.

    Errors about the connection or the peer's answers are classified, never raised; the
    connection is closed after, without waiting on the peer.
    """
    stream: ByteStream | None = None
    try:
        stream = await _open(place)
        value: object = None
        while True:
            op = conversation.send(value)
            value = None
            code = op[0]
            if code == RECEIVE:
                try:
                    value = await stream.receive(RECEIVE_SIZE)
                except anyio.EndOfStream:
                    value = b""
            elif code == SEND:
                await stream.send(op[1])
            elif code == TLS:
                from anyio.streams.tls import TLSStream

                stream = await TLSStream.wrap(
                    stream, hostname=op[2], ssl_context=op[1], standard_compatible=False
                )
            elif code == RECONNECT:
                await _close(stream)
                stream = None
                stream = await _open(place)
            elif code != EMIT:
                raise TypeError(f"not a conversation step: {op!r}")
    except StopIteration as stop:
        verdict: Verdict = stop.value
        return verdict
    except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
        return Verdict("transient", "connection closed by the server")
    except ANSWER_ERRORS as exc:
        return classify_error(exc)
    finally:
        conversation.close()
        if stream is not None:
            await _close(stream)


async def _open(place: tuple[str, str, int]) -> ByteStream:
    kind, where, port = place
    if kind == "unix":
        return await anyio.connect_unix(where)
    return await anyio.connect_tcp(where, port)


async def _close(stream: ByteStream) -> None:
    with anyio.CancelScope(shield=True), anyio.move_on_after(1):
        await stream.aclose()
