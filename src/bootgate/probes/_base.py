"""What every network probe shares: the cheap layer (a TCP connect) and error classification.

`LayeredProbe` implements the core's layered-probe protocol (`bootgate.LayeredProbe`).
`reachable()` is the cheap layer: a TCP connect, a socket connect or a stat, which costs the
dependency nothing but its kernel. `handshake()` is the deep layer: authentication, `SELECT 1`,
`PING`, the HTTP request. Calling the probe runs both, so a refused connect answers fast; the
waiting engine polls the cheap layer often and runs the handshake only once it answers.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import os
import socket
import ssl

import anyio
import anyio.lowlevel

from bootgate import _probe
from bootgate._probe import Permanent, ProbeResult, Transient

from ._oserror import describe_os_error
from ._target import Target

__all__ = ["LayeredProbe", "describe_os_error", "tcp_reachable"]


def classify_exception(exc: BaseException) -> ProbeResult:
    """Classify an error raised while talking to a dependency."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Permanent(f"TLS verification failed: {exc.verify_message or exc.reason}")
    if isinstance(exc, anyio.DelimiterNotFound):
        return Transient("answer too long or malformed")
    if isinstance(exc, anyio.EndOfStream | anyio.BrokenResourceError | anyio.IncompleteRead):
        return Transient("connection closed by the server")
    if isinstance(exc, OSError):
        return Transient(describe_os_error(exc))
    return Transient(f"{type(exc).__name__}: {exc}")


# anyio >= 4.7 names it wait_writable (and deprecates wait_socket_writable, the older name).
_wait_writable = getattr(anyio, "wait_writable", None) or anyio.wait_socket_writable


@functools.cache
def _ip_family(host: str) -> int | None:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return None


async def tcp_reachable(host: str, port: int) -> Transient | None:
    """The cheap layer: None when a TCP connect succeeds, else why it did not."""
    family = _ip_family(host)
    if family is not None:
        return await _connect_literal(family, host, port)
    try:
        stream = await anyio.connect_tcp(host, port)
    except OSError as exc:
        return Transient(describe_os_error(exc))
    with anyio.CancelScope(shield=True):
        await stream.aclose()
    return None


async def _connect_literal(family: int, host: str, port: int) -> Transient | None:
    # An address needs no resolver thread and no happy eyeballs: one non-blocking socket.
    # This is the path polled many times a second, so it is kept this cheap.
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        try:
            error = sock.connect_ex((host, port))
        except OSError as exc:  # a scope id naming no interface, ...: not an errno but a raise
            return Transient(describe_os_error(exc))
        if error in (errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK):
            # A local peer answers within one turn of the loop; watching the socket for
            # writability costs more than that turn, so look once before doing so.
            await anyio.lowlevel.checkpoint()
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if not error and not _connected(sock):
                await _wait_writable(sock)
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    finally:
        sock.close()
    return Transient(os.strerror(error).lower()) if error else None


def _connected(sock: socket.socket) -> bool:
    try:
        sock.getpeername()
    except OSError:
        return False
    return True


class LayeredProbe(_probe.LayeredProbe):
    """Base of the network probes: cheap layer first, the handshake only when it answers."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.display = target.display

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.display!r})"

    async def reachable(self) -> Transient | None:
        """Run the cheap layer: None if it answers, else a Transient saying why not."""
        return await tcp_reachable(self.target.host, self.target.port)

    async def handshake(self) -> ProbeResult:
        """Run the protocol's own check; only called once the cheap layer answers."""
        raise NotImplementedError

    async def __call__(self) -> ProbeResult:
        """One attempt: the cheap layer, then (if it answered) the handshake."""
        refused = await self.reachable()
        if refused is not None:
            return refused
        return await self.deep()

    async def deep(self) -> ProbeResult:
        """The handshake alone, with connection errors classified instead of raised."""
        try:
            return await self.handshake()
        except (
            OSError,
            anyio.EndOfStream,
            anyio.BrokenResourceError,
            anyio.IncompleteRead,
            anyio.DelimiterNotFound,
        ) as exc:
            return classify_exception(exc)
