"""`amqp://` and `amqps://`: ready when the broker opens a connection on the vhost (AMQP 0-9-1).

The probe speaks the connection handshake itself (protocol header, Start/Start-Ok with PLAIN,
Tune/Tune-Ok, Open/Open-Ok, then Close) over anyio: a client library would add a dependency and
an event-loop flavour for six frames. A Connection.Close from the broker carries a reply code:
403 ACCESS_REFUSED and 530 NOT_ALLOWED (e.g. unknown vhost) are permanent, 320 CONNECTION_FORCED
(broker shutting down) and 541 INTERNAL_ERROR are transient. `amqp://user:pass@host/vhost`;
no path means vhost `/`.
"""

from __future__ import annotations

import ssl
import struct
from urllib.parse import unquote

from bootgate._probe import Permanent, ProbeResult, Ready, Transient

from ._base import LayeredProbe, Session, open_stream, tls_context
from ._target import Target

PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
FRAME_END = b"\xce"
TRANSIENT_CODES = frozenset({320, 541})
REPLY_NAMES = {
    320: "CONNECTION_FORCED",
    402: "INVALID_PATH",
    403: "ACCESS_REFUSED",
    501: "FRAME_ERROR",
    530: "NOT_ALLOWED",
    541: "INTERNAL_ERROR",
}


def _shortstr(text: str) -> bytes:
    data = text.encode()
    return bytes([len(data)]) + data


def _longstr(data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + data


def _method(class_id: int, method_id: int, args: bytes) -> bytes:
    payload = struct.pack("!HH", class_id, method_id) + args
    return struct.pack("!BHI", 1, 0, len(payload)) + payload + FRAME_END


def classify_close(code: int, text: str) -> ProbeResult:
    """Classify the reply code of a broker's Connection.Close."""
    reason = f"{REPLY_NAMES.get(code, 'reply')} {code}: {text}"
    return Transient(reason) if code in TRANSIENT_CODES else Permanent(reason)


class AmqpProbe(LayeredProbe):
    """Connection handshake up to Open-Ok on the vhost, then a polite Close."""

    def __init__(self, target: Target, tls: ssl.SSLContext | None) -> None:
        super().__init__(target)
        path = target.path[1:] if target.path.startswith("/") else target.path
        self.vhost = unquote(path) if path else "/"
        self._tls = tls

    async def handshake(self) -> ProbeResult:
        """Run the handshake and classify how it ends."""
        try:
            stream = await open_stream(self.target, self._tls)
        except ssl.SSLCertVerificationError as exc:
            return Permanent(f"TLS verification failed: {exc.verify_message or exc.reason}")
        async with Session(stream) as session:
            await session.send(PROTOCOL_HEADER)
            return await self._converse(session)

    async def _frame(self, session: Session) -> tuple[int, int, bytes]:
        """The next method frame's class, method and arguments (other frames skipped)."""
        while True:
            head = await session.exactly(7)
            if head.startswith(b"AMQP"):
                return (0, 0, head)  # the broker answered with its own protocol header
            kind, _channel, size = struct.unpack("!BHI", head)
            payload = await session.exactly(size + 1)  # the payload and the frame-end octet
            if kind == 1:
                class_id, method_id = struct.unpack("!HH", payload[:4])
                return class_id, method_id, payload[4:size]

    async def _converse(self, session: Session) -> ProbeResult:
        target = self.target
        user = target.user if target.user is not None else "guest"
        password = target.password if target.password is not None else "guest"
        expected = [(10, 10), (10, 30), (10, 41)]
        while expected:
            class_id, method_id, args = await self._frame(session)
            if (class_id, method_id) == (0, 0):
                return Permanent("the broker does not speak AMQP 0-9-1")
            if (class_id, method_id) == (10, 50):
                code, text = _close_args(args)
                await session.send(_method(10, 51, b""))  # Close-Ok
                return classify_close(code, text)
            if (class_id, method_id) != expected[0]:
                return Transient(f"unexpected AMQP method {class_id}.{method_id}")
            expected.pop(0)
            if method_id == 10:  # Start -> Start-Ok
                capabilities = _shortstr("authentication_failure_close") + b"t\x01"
                properties = (
                    _shortstr("product")
                    + b"S"
                    + _longstr(b"bootgate")
                    + _shortstr("capabilities")
                    + b"F"
                    + _longstr(capabilities)
                )
                response = b"\0" + user.encode() + b"\0" + password.encode()
                await session.send(
                    _method(
                        10,
                        11,
                        _longstr(properties)
                        + _shortstr("PLAIN")
                        + _longstr(response)
                        + _shortstr("en_US"),
                    )
                )
            elif method_id == 30:  # Tune -> Tune-Ok, Open
                channel_max, frame_max, _heartbeat = struct.unpack("!HIH", args[:8])
                await session.send(_method(10, 31, struct.pack("!HIH", channel_max, frame_max, 0)))
                await session.send(_method(10, 40, _shortstr(self.vhost) + _shortstr("") + b"\0"))
        await session.send(_method(10, 50, struct.pack("!H", 200) + _shortstr("bye") + b"\0" * 4))
        return Ready(f"connection open on vhost {self.vhost!r}")


def _close_args(args: bytes) -> tuple[int, str]:
    (code,) = struct.unpack("!H", args[:2])
    length = args[2]
    return code, args[3 : 3 + length].decode("utf-8", "replace")


def make_amqp(
    target: Target,
    *,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
    insecure: bool = False,
    **_: object,
) -> AmqpProbe:
    """Build the probe for an amqp:// or amqps:// target."""
    tls = None
    if target.scheme == "amqps":
        tls = tls_context(
            ca_file=ca_file, cert_file=cert_file, key_file=key_file, insecure=insecure
        )
    return AmqpProbe(target, tls)
