"""systemd's readiness protocol (sd_notify) as a Boot hook: READY=1, STATUS=, STOPPING=1.

    boot.add_hook(SystemdNotify())      # does nothing unless systemd set $NOTIFY_SOCKET

With `Type=notify` in the unit, systemd considers the service started only once bootgate says
READY=1, and `systemctl status` shows what startup is doing ("migrations 16/25 Migration0016").
"""

from __future__ import annotations

import logging
import os
import socket

from bootgate import Event, EventKind

_STATUS_KINDS = frozenset(
    {
        EventKind.ATTEMPT,
        EventKind.RETRY,
        EventKind.PROGRESS,
        EventKind.LOST,
        EventKind.READY,
        EventKind.FAILED,
        EventKind.BLOCKED,
        EventKind.OVER_BUDGET,
    }
)


class SystemdNotify:
    """A hook that reports startup to systemd over $NOTIFY_SOCKET (a no-op without it).

    Sends `STATUS=` lines as startup moves, `READY=1` once the service is ready, `STOPPING=1`
    when shutdown begins, and the failure as `STATUS=` if startup cannot complete. The socket
    path may be a file or, with a leading "@", an abstract socket.
    """

    def __init__(self, address: str | None = None) -> None:
        address = os.environ.get("NOTIFY_SOCKET") if address is None else address
        self._address: str | bytes | None = None
        if address:
            self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        """True when there is a socket to notify."""
        return self._address is not None

    def notify(self, message: str) -> None:
        """Send one datagram of `KEY=value` lines; failures are logged once, never raised."""
        if self._address is None:
            return
        try:
            if self._socket is None:
                kind = socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                self._socket = socket.socket(socket.AF_UNIX, kind)
                self._socket.setblocking(False)
            self._socket.sendto(message.encode(), self._address)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                logging.getLogger("bootgate").warning(
                    "systemd notify to %r failed: %s", self._address, exc
                )

    def close(self) -> None:
        """Close the socket (a later notify opens a new one)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __call__(self, event: Event) -> None:
        """Translate one bootgate event into sd_notify lines."""
        if event.kind is EventKind.STOPPED:
            self.close()
        elif event.kind is EventKind.BOOT_READY:
            self.notify(f"READY=1\nSTATUS={event.service} is ready")
        elif event.kind is EventKind.STOPPING:
            self.notify(f"STOPPING=1\nSTATUS={event.service} is stopping")
        elif event.kind is EventKind.BOOT_FAILED:
            self.notify(f"STATUS={event.service} cannot start: {event.message}")
        elif event.kind in _STATUS_KINDS and event.node is not None:
            self.notify(f"STATUS={event.node.name}: {event.message}")
