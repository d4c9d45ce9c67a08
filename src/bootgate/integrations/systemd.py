"""systemd's notify protocol as a Boot hook: READY=1 when ready, STATUS= as startup goes,
STOPPING=1 at shutdown. For units with `Type=notify` (or `notify-reload`).

    boot.add_hook(SystemdNotify())   # a no-op when not started by systemd (no NOTIFY_SOCKET)

Messages are single datagrams sent without blocking; a lost one is not retried (systemd's own
clients behave the same), so the hook never holds up startup.
"""

from __future__ import annotations

import os
import socket

from bootgate import Event, EventKind, redact

__all__ = ["SystemdNotify"]

# STATUS= is one line shown by `systemctl status`; keep it short.
_STATUS_LIMIT = 200


def _address(path: str) -> str | bytes:
    # "@name" is a Linux abstract-namespace socket: a leading NUL byte instead of the "@".
    if path.startswith("@"):
        return b"\0" + path[1:].encode()
    return path


class SystemdNotify:
    """A hook that tells systemd how startup goes (`sd_notify` without libsystemd).

    `socket_path` defaults to the NOTIFY_SOCKET environment variable; without one the hook
    does nothing, so it can be added unconditionally.
    """

    def __init__(self, socket_path: str | None = None) -> None:
        path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET")
        self._address = _address(path) if path else None
        self._ready = False

    @property
    def enabled(self) -> bool:
        """True when there is a socket to notify."""
        return self._address is not None

    def notify(self, message: str) -> bool:
        """Send one notify datagram ("READY=1\\nSTATUS=..."); False if it could not be sent."""
        if self._address is None:
            return False
        # A socket per message, as sd_notify() does: nothing stays open between events.
        kind = socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK
        with socket.socket(socket.AF_UNIX, kind) as sock:
            try:
                sock.sendto(message.encode(), self._address)
            except OSError:  # systemd gone or its queue full: a status line is not worth blocking
                return False
        return True

    def __call__(self, event: Event) -> None:
        """Translate one bootgate event into a notify message, if it is worth one."""
        message = self._message(event)
        if message is not None:
            self.notify(message)

    def _message(self, event: Event) -> str | None:
        kind = event.kind
        if kind is EventKind.BOOT_READY:
            self._ready = True
            return "READY=1\nSTATUS=ready"
        if kind is EventKind.STOPPING:
            return "STOPPING=1\nSTATUS=stopping"
        if kind is EventKind.BOOT_FAILED:
            return _status(f"failed: {event.message}")
        if kind is EventKind.LOST:
            return _status(f"not ready: {event.node.name if event.node else ''} {event.message}")
        if kind is EventKind.READY and self._ready:
            return _status("ready")  # a lost dependency came back
        if kind in (EventKind.PROGRESS, EventKind.RETRY, EventKind.ATTEMPT) and not self._ready:
            who = event.node.name if event.node else event.service
            return _status(f"starting: {who} {event.message}")
        return None


def _status(text: str) -> str:
    line = " ".join(redact(text).split())
    if len(line) > _STATUS_LIMIT:
        line = line[: _STATUS_LIMIT - 1] + "…"
    return f"STATUS={line}"
