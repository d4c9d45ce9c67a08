"""`amqp://` and `amqps://`: ready when the broker opens a connection on the vhost (AMQP 0-9-1).

The probe speaks the connection handshake itself (protocol header, Start/Start-Ok with PLAIN,
Tune/Tune-Ok, Open/Open-Ok, then Close): a client library would add a dependency and its import
time for six frames. A Connection.Close from the broker carries a reply code:
403 ACCESS_REFUSED and 530 NOT_ALLOWED (e.g. unknown vhost) are permanent, 320 CONNECTION_FORCED
(broker shutting down) and 541 INTERNAL_ERROR are transient. `amqp://user:pass@host/vhost`;
no path means vhost `/`.
"""

from __future__ import annotations

import struct
from urllib.parse import unquote

from ._conversation import SEND, TLS, Handshake, Malformed, Reader
from ._verdict import Verdict, permanent, ready, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    import ssl

    from ._conversation import Conversation, Step
    from ._options import ProbeOptions
    from ._target import Target

PROTOCOL_HEADER = b"AMQP\x00\x00\x09\x01"
FRAME_END = b"\xce"
FRAME_LIMIT = 1024 * 1024
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


def classify_close(code: int, text: str) -> Verdict:
    """Classify the reply code of a broker's Connection.Close."""
    reason = f"{REPLY_NAMES.get(code, 'reply')} {code}: {text}"
    return transient(reason) if code in TRANSIENT_CODES else permanent(reason)


class AmqpHandshake(Handshake):
    """Connection handshake up to Open-Ok on the vhost, then a polite Close."""

    def __init__(self, target: Target, tls: ssl.SSLContext | None) -> None:
        super().__init__(target)
        path = target.path[1:] if target.path.startswith("/") else target.path
        self.vhost = unquote(path) if path else "/"
        self.tls = tls

    def conversation(self) -> Conversation:
        """Run the handshake and classify how it ends."""
        target = self.target
        user = target.user if target.user is not None else "guest"
        password = target.password if target.password is not None else "guest"
        if self.tls is not None:
            yield (TLS, self.tls, target.host)
        yield (SEND, PROTOCOL_HEADER)
        reader = Reader()
        expected = [(10, 10), (10, 30), (10, 41)]
        while expected:
            class_id, method_id, args = yield from _frame(reader)
            if (class_id, method_id) == (0, 0):
                return permanent("the broker does not speak AMQP 0-9-1")
            if (class_id, method_id) == (10, 50):
                code, text = _close_args(args)
                yield (SEND, _method(10, 51, b""))  # Close-Ok
                return classify_close(code, text)
            if (class_id, method_id) != expected[0]:
                return transient(f"unexpected AMQP method {class_id}.{method_id}")
            expected.pop(0)
            if method_id == 10:  # Start -> Start-Ok
                yield (SEND, _start_ok(user, password))
            elif method_id == 30:  # Tune -> Tune-Ok, Open
                channel_max, frame_max, _heartbeat = struct.unpack("!HIH", args[:8])
                tune_ok = _method(10, 31, struct.pack("!HIH", channel_max, frame_max, 0))
                yield (
                    SEND,
                    tune_ok + _method(10, 40, _shortstr(self.vhost) + _shortstr("") + b"\0"),
                )
        yield (SEND, _method(10, 50, struct.pack("!H", 200) + _shortstr("bye") + b"\0" * 4))
        return ready(f"connection open on vhost {self.vhost!r}")


def _start_ok(user: str, password: str) -> bytes:
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
    return _method(
        10, 11, _longstr(properties) + _shortstr("PLAIN") + _longstr(response) + _shortstr("en_US")
    )


def _frame(reader: Reader) -> Step[tuple[int, int, bytes]]:
    """The next method frame's class, method and arguments (other frames skipped)."""
    while True:
        head = yield from reader.exactly(7)
        if head.startswith(b"AMQP"):
            return (0, 0, head)  # the broker answered with its own protocol header
        kind, _channel, size = struct.unpack("!BHI", head)
        if size > FRAME_LIMIT:
            raise Malformed(f"not an AMQP answer (a frame of {size} bytes)")
        payload = yield from reader.exactly(size + 1)  # the payload and the frame-end octet
        if kind == 1:
            class_id, method_id = struct.unpack("!HH", payload[:4])
            return class_id, method_id, payload[4:size]


def _close_args(args: bytes) -> tuple[int, str]:
    (code,) = struct.unpack("!H", args[:2])
    length = args[2]
    return code, args[3 : 3 + length].decode("utf-8", "replace")


def make_amqp(target: Target, options: ProbeOptions) -> Handshake:
    """The check of an amqp:// or amqps:// target."""
    return AmqpHandshake(target, options.tls() if target.scheme == "amqps" else None)
