"""`nats://`: ready when the server answers `PONG` to our `CONNECT` + `PING`.

A NATS handshake is three text lines (the server's `INFO`, our `CONNECT` and `PING`, its `PONG`),
so the probe speaks it directly instead of pulling in a client library. `-ERR 'Authorization
Violation'` is permanent; `maximum connections exceeded` is transient.
`nats://user:pass@host:4222` sends user and password, `nats://token@host:4222` a token.
"""

from __future__ import annotations

from ._conversation import SEND, Handshake, Reader
from ._verdict import Verdict, permanent, ready, transient

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from ._conversation import Conversation
    from ._options import ProbeOptions
    from ._target import Target

TRANSIENT_ERRORS = ("maximum connections exceeded", "stale connection", "slow consumer")
#: Lines (INFO updates, +OK, server PINGs) read before the PONG; more is a misbehaving server.
LINES_LIMIT = 64


class NatsHandshake(Handshake):
    """INFO, CONNECT, PING, PONG."""

    def conversation(self) -> Conversation:
        """Run the handshake and classify an `-ERR` answer."""
        import json  # INFO and CONNECT are JSON

        target = self.target
        reader = Reader()
        info = yield from reader.until(b"\r\n")
        if not info.startswith(b"INFO "):
            return transient(f"not a NATS greeting: {info[:40]!r}")
        details = json.loads(info[5:])
        if isinstance(details, dict) and details.get("tls_required"):
            return permanent("the server requires TLS, which nats:// targets do not speak yet")
        connect: dict[str, object] = {
            "verbose": False,
            "pedantic": False,
            "name": "bootgate",
            "lang": "python",
            "version": "bootgate",
            "protocol": 1,
        }
        if target.user is not None and target.password is not None:
            connect |= {"user": target.user, "pass": target.password}
        elif target.user is not None:
            connect["auth_token"] = target.user
        yield (SEND, b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        for _ in range(LINES_LIMIT):
            line = yield from reader.until(b"\r\n")
            if line == b"PONG":
                return ready("PONG")
            if line.startswith(b"-ERR"):
                return classify_error(line[4:].strip(b" '").decode("utf-8", "replace"))
            # +OK, INFO updates and server PINGs carry no verdict.
        return transient("no PONG from the NATS server")


def classify_error(message: str) -> Verdict:
    """Classify the text of a NATS `-ERR` line."""
    lowered = message.lower()
    if any(text in lowered for text in TRANSIENT_ERRORS):
        return transient(message)
    return permanent(message)


def make_nats(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a nats:// target."""
    return NatsHandshake(target)
