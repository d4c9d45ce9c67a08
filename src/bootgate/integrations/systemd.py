"""systemd's service protocol (sd_notify) as a Boot hook: READY=1, STATUS=, STOPPING=1, and
EXTEND_TIMEOUT_USEC=, WATCHDOG=1, ERRNO=.

    boot.add_hook(SystemdNotify())      # does nothing unless systemd set $NOTIFY_SOCKET

With `Type=notify` in the unit, systemd considers the service started only once bootgate says
READY=1, and `systemctl status` shows what startup is doing ("migrations: 16/25 Migration0016").

- Each progress report during startup also sends `EXTEND_TIMEOUT_USEC=` (`extend`, 30 s by
  default): a long migration that keeps reporting is not killed by `TimeoutStartSec=`, and
  one that stops reporting is, `extend` later.
- With `WatchdogSec=` (systemd sets `$WATCHDOG_USEC`, and `$WATCHDOG_PID` to this process),
  `WATCHDOG=1` is sent every half of it while the service is live (no critical node has
  failed, as `/livez` says). The ping is made on the boot's event loop, so a blocked loop
  stops it and systemd's watchdog acts.
- When startup fails for good: `STATUS=<service> cannot start: <reason>`, with `ERRNO=` when
  the reason is an OS error (connection refused is 111, timed out is 110).
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
from collections.abc import Callable
from functools import cache

from bootgate import Event, EventKind, parse_duration

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
        EventKind.WARNING,
    }
)


class SystemdNotify:
    """A hook that reports startup to systemd over $NOTIFY_SOCKET (a no-op without it).

    Sends `STATUS=` lines as startup moves (with `EXTEND_TIMEOUT_USEC=` on progress),
    `READY=1` once the service is ready, `STOPPING=1` when shutdown begins, the failure as
    `STATUS=` and `ERRNO=` if startup cannot complete, and `WATCHDOG=1` every half of
    `watchdog_usec` (default: `$WATCHDOG_USEC` when `$WATCHDOG_PID` is unset or this process)
    while the service is live. The socket path may be a file or, with a leading "@", an
    abstract socket.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        extend: str | float = 30.0,
        watchdog_usec: int | None = None,
    ) -> None:
        address = os.environ.get("NOTIFY_SOCKET") if address is None else address
        self._address: str | bytes | None = None
        if address:
            self._address = "\0" + address[1:] if address.startswith("@") else address
        self._socket: socket.socket | None = None
        self._warned = False
        self._extend_usec = round(parse_duration(extend, what="extend") * 1_000_000)
        self._watchdog_s = _watchdog_seconds(watchdog_usec)
        self._watchdog: _Watchdog | None = None
        self._live = True
        self._ready = False

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
        """Stop the watchdog pings and close the socket (a later notify opens a new one)."""
        if self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __call__(self, event: Event) -> None:
        """Translate one bootgate event into sd_notify lines."""
        if self._address is not None and self._watchdog is None and self._watchdog_s:
            schedule = _scheduler()
            if schedule is not None:
                self._watchdog = _Watchdog(self._watchdog_s / 2, schedule, self._ping)
        kind = event.kind
        node = event.node
        if kind is EventKind.FAILED and node is not None and node.critical:
            self._live = False  # /livez fails from now on: so does the watchdog
        if kind is EventKind.STOPPED:
            self.close()
        elif kind is EventKind.BOOT_READY:
            self._ready = True
            self.notify(f"READY=1\nSTATUS={event.service} is ready")
        elif kind is EventKind.STOPPING:
            self.notify(f"STOPPING=1\nSTATUS={event.service} is stopping")
        elif kind is EventKind.BOOT_FAILED:
            code = errno_of(event.message)
            line = f"STATUS={event.service} cannot start: {_one_line(event.message)}"
            self.notify(line if code is None else f"{line}\nERRNO={code}")
        elif kind in _STATUS_KINDS and node is not None:
            line = f"STATUS={node.name}: {_one_line(event.message)}"
            if kind is EventKind.PROGRESS and not self._ready and self._extend_usec > 0:
                line += f"\nEXTEND_TIMEOUT_USEC={self._extend_usec}"
            self.notify(line)

    def _ping(self) -> None:
        if self._live:
            self.notify("WATCHDOG=1")


def _watchdog_seconds(usec: int | None) -> float | None:
    """The watchdog period asked for, or None (systemd's sd_watchdog_enabled rules)."""
    if usec is None:
        pid = os.environ.get("WATCHDOG_PID")
        if pid and pid.strip() != str(os.getpid()):
            return None  # the watchdog is another process's
        try:
            usec = int(os.environ.get("WATCHDOG_USEC", ""))
        except ValueError:
            return None
    return usec / 1_000_000 if usec > 0 else None


class _Watchdog:
    """Every `interval` seconds, asks the event loop it was made on to run `ping`: the ping
    happens only while that loop still runs its callbacks."""

    def __init__(
        self,
        interval: float,
        schedule: Callable[[Callable[[], None]], object],
        ping: Callable[[], None],
    ) -> None:
        self._schedule = schedule
        self._ping = ping
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="bootgate-watchdog", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while True:
            try:
                self._schedule(self._ping)
            except RuntimeError:  # the loop has closed
                return
            if self._stopped.wait(interval):
                return

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not threading.current_thread():
            self._thread.join(5)


def _scheduler() -> Callable[[Callable[[], None]], object] | None:
    """How to run a callable on the event loop this is called on (safe from another thread),
    or None outside one."""
    import asyncio

    try:
        return asyncio.get_running_loop().call_soon_threadsafe
    except RuntimeError:  # not asyncio: anyio's other backend, or no loop at all
        pass
    try:
        import trio

        return trio.lowlevel.current_trio_token().run_sync_soon
    except (ImportError, RuntimeError):
        return None


@cache
def _strerrors() -> dict[str, int]:
    codes = {os.strerror(code).lower(): code for code in errno.errorcode}
    codes["timed out"] = errno.ETIMEDOUT  # how bootgate words a TimeoutError
    return codes


def errno_of(reason: str) -> int | None:
    """The errno of the OS error `reason` names ("connection refused" is ECONNREFUSED), the
    longest match winning; None when it names none."""
    text = reason.lower()
    found = [(len(phrase), code) for phrase, code in _strerrors().items() if phrase in text]
    return max(found)[1] if found else None


def _one_line(text: str) -> str:
    # A newline would start a new KEY=value assignment in the datagram.
    return " ".join(text.splitlines())
