"""`tcp://host:port` and `unix:///path.sock`: ready when a connect succeeds.

These targets have only the cheap layer: there is no handshake to run.
"""

from __future__ import annotations

import anyio

from bootgate._probe import ProbeResult, Ready, Transient

from ._base import LayeredProbe, describe_os_error
from ._target import Target


class TcpProbe(LayeredProbe):
    """Ready when the port accepts a TCP connection."""

    async def handshake(self) -> ProbeResult:
        """Nothing beyond the connect itself."""
        return Ready("connected")


class UnixProbe(LayeredProbe):
    """Ready when the Unix socket accepts a connection."""

    async def reachable(self) -> Transient | None:
        """Connect to the socket file; a missing file or a refusal is transient."""
        try:
            stream = await anyio.connect_unix(self.target.path)
        except OSError as exc:
            return Transient(describe_os_error(exc))
        with anyio.CancelScope(shield=True):
            await stream.aclose()
        return None

    async def handshake(self) -> ProbeResult:
        """Nothing beyond the connect itself."""
        return Ready("connected")


def make_tcp(target: Target, **_: object) -> TcpProbe:
    """Build the probe for a tcp:// target."""
    return TcpProbe(target)


def make_unix(target: Target, **_: object) -> UnixProbe:
    """Build the probe for a unix:// target."""
    return UnixProbe(target)
