"""`tcp://host:port` and `unix:///path.sock`: ready when a connect succeeds.

These targets have only the cheap layer: there is no conversation after the connect.
"""

from __future__ import annotations

from ._conversation import Handshake

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._options import ProbeOptions
    from ._target import Target


class UnixHandshake(Handshake):
    """Ready when the Unix socket file accepts a connection; missing or refused is transient."""

    @property
    def place(self) -> tuple[str, str, int]:
        """The socket file."""
        return ("unix", self.target.path, 0)


def make_tcp(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a tcp:// target: a connect."""
    return Handshake(target)


def make_unix(target: Target, options: ProbeOptions) -> Handshake:
    """The check of a unix:// target: a connect to the socket file."""
    return UnixHandshake(target)
