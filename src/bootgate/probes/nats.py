"""`nats://`: ready when the server answers `PONG` to our `CONNECT` + `PING`.

A NATS handshake is three text lines (the server's `INFO`, our `CONNECT` and `PING`, its `PONG`),
so the probe speaks it directly over anyio instead of pulling in a client library. `-ERR
'Authorization Violation'` is permanent; `maximum connections exceeded` is transient.
`nats://user:pass@host:4222` sends user and password, `nats://token@host:4222` a token.
"""

from __future__ import annotations

import json

from bootgate._probe import Permanent, ProbeResult, Ready, Transient

from ._base import LayeredProbe, Session, open_stream
from ._target import Target

TRANSIENT_ERRORS = ("maximum connections exceeded", "stale connection", "slow consumer")


class NatsProbe(LayeredProbe):
    """INFO, CONNECT, PING, PONG."""

    async def handshake(self) -> ProbeResult:
        """Run the handshake and classify an `-ERR` answer."""
        target = self.target
        async with Session(await open_stream(target)) as session:
            info = await session.until(b"\r\n")
            if not info.startswith(b"INFO "):
                return Transient(f"not a NATS greeting: {info[:40]!r}")
            details = json.loads(info[5:])
            if details.get("tls_required"):
                return Permanent("the server requires TLS, which nats:// targets do not speak yet")
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
            await session.send(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
            while True:
                line = await session.until(b"\r\n")
                if line == b"PONG":
                    return Ready("PONG")
                if line.startswith(b"-ERR"):
                    return classify_error(line[4:].strip(b" '").decode("utf-8", "replace"))
                # +OK, INFO updates and server PINGs carry no verdict.


def classify_error(message: str) -> ProbeResult:
    """Classify the text of a NATS `-ERR` line."""
    lowered = message.lower()
    if any(text in lowered for text in TRANSIENT_ERRORS):
        return Transient(message)
    return Permanent(message)


def make_nats(target: Target, **_: object) -> NatsProbe:
    """Build the probe for a nats:// target."""
    return NatsProbe(target)
