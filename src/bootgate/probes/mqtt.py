"""`mqtt://`: ready when the broker answers our CONNECT with an accepting CONNACK (MQTT 3.1.1).

CONNECT/CONNACK is two small packets, so the probe speaks them directly. Return code 3 (server
unavailable) is transient; 1, 2, 4 and 5 (protocol, identifier, bad user name or password, not
authorised) are permanent.
"""

from __future__ import annotations

import os
import struct

from ._conversation import SEND, Handshake, Reader
from ._verdict import permanent, ready, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from ._conversation import Conversation
    from ._options import ProbeOptions
    from ._target import Target

RETURN_CODES = {
    1: "unacceptable protocol version",
    2: "client identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def _remaining_length(size: int) -> bytes:
    out = bytearray()
    while True:
        digit, size = size % 128, size // 128
        out.append(digit | (0x80 if size else 0))
        if not size:
            return bytes(out)


def connect_packet(user: str | None, password: str | None, client_id: str) -> bytes:
    """An MQTT 3.1.1 CONNECT packet with a clean session and a 10 s keep-alive."""
    flags = 0x02
    payload = _string(client_id)
    if user is not None:
        flags |= 0x80
        payload += _string(user)
        if password is not None:
            flags |= 0x40
            payload += _string(password)
    variable = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", 10)
    body = variable + payload
    return b"\x10" + _remaining_length(len(body)) + body


class MqttHandshake(Handshake):
    """CONNECT, CONNACK, DISCONNECT."""

    def conversation(self) -> Conversation:
        """Send CONNECT and classify the CONNACK return code."""
        target = self.target
        client_id = f"bootgate-{os.urandom(6).hex()}"
        yield (SEND, connect_packet(target.user, target.password, client_id))
        reader = Reader()
        header = yield from reader.exactly(2)
        if header[0] != 0x20 or header[1] != 2:
            return transient(f"not a CONNACK: {header!r}")
        code = (yield from reader.exactly(2))[1]
        if code == 0:
            yield (SEND, b"\xe0\x00")  # DISCONNECT
            return ready("CONNACK accepted")
        reason = f"CONNACK refused: {RETURN_CODES.get(code, f'code {code}')}"
        return transient(reason) if code == 3 else permanent(reason)


def make_mqtt(target: Target, options: ProbeOptions) -> Handshake:
    """The check of an mqtt:// target."""
    return MqttHandshake(target)
