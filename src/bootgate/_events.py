"""Instrumentation: every change is an Event handed to hooks; logging is the default sink."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from ._snapshot import NodeStatus

if TYPE_CHECKING:
    import logging

# Log levels by number: logging itself is imported only once a LoggingHook is made.
_DEBUG, _INFO, _WARNING, _ERROR = 10, 20, 30, 40


def get_logger() -> logging.Logger:
    """The "bootgate" logger."""
    import logging

    return logging.getLogger("bootgate")


class EventKind(StrEnum):
    """What happened."""

    ATTEMPT = "attempt"
    """A node begins an attempt (a step runs, a dependency is probed)."""
    RETRY = "retry"
    """An attempt failed and another is scheduled."""
    READY = "ready"
    FAILED = "failed"
    DEGRADED = "degraded"
    BLOCKED = "blocked"
    LOST = "lost"
    """A dependency that was ready stopped answering: readiness is lowered."""
    OVERDUE = "overdue"
    """A dependency outlasted its startup deadline and is still waited for (after_deadline
    "heal"); a `ready` event follows if it answers."""
    PROGRESS = "progress"
    OVER_BUDGET = "over_budget"
    """A node is still not ready when its time budget ran out (a warning, not a failure)."""
    WARNING = "warning"
    """A warning was raised about a node (`Boot.warn`, e.g. by a history hook): the node's
    `warnings` hold it, and the health is `warn` while it is current."""
    BOOT_READY = "boot_ready"
    BOOT_FAILED = "boot_failed"
    STOPPING = "stopping"
    STOPPED = "stopped"
    TEARDOWN_FAILED = "teardown_failed"
    WAITING_FOR_THREAD = "waiting_for_thread"
    """A sync step's thread outlived its attempt (a timeout, or shutdown): the next attempt, or
    the teardown, waits for it, since a thread cannot be stopped."""
    WAITING_FOR_LOCK = "waiting_for_lock"
    """An exclusive step waits for its lock; the message names the holder, again as it changes
    and each second as the time held grows."""


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened during startup or shutdown, with the node as it is now."""

    service: str
    kind: EventKind
    at_s: float
    """Seconds since the boot began."""
    node: NodeStatus | None = None
    message: str = ""


class Hook(Protocol):
    """Receives every event, synchronously, on the event loop: keep it quick, never block."""

    def __call__(self, event: Event) -> None:
        """Handle one event."""
        ...


_LEVELS = {
    EventKind.ATTEMPT: _DEBUG,
    EventKind.PROGRESS: _DEBUG,
    EventKind.RETRY: _INFO,
    EventKind.READY: _INFO,
    EventKind.BOOT_READY: _INFO,
    EventKind.STOPPING: _INFO,
    EventKind.STOPPED: _INFO,
    EventKind.DEGRADED: _WARNING,
    EventKind.LOST: _WARNING,
    EventKind.OVERDUE: _WARNING,
    EventKind.OVER_BUDGET: _WARNING,
    EventKind.WARNING: _WARNING,
    EventKind.WAITING_FOR_THREAD: _WARNING,
    EventKind.FAILED: _ERROR,
    EventKind.BLOCKED: _ERROR,
    EventKind.BOOT_FAILED: _ERROR,
    EventKind.TEARDOWN_FAILED: _ERROR,
}


class LoggingHook:
    """The default hook: one log line per event on the "bootgate" logger (progress at DEBUG)."""

    def __init__(self, log: logging.Logger | None = None) -> None:
        self._log = log or get_logger()

    def __call__(self, event: Event) -> None:
        """Log `event` at a level fitting its kind."""
        level = _LEVELS.get(event.kind, _INFO)
        if not self._log.isEnabledFor(level):
            return
        who = f"{event.service}/{event.node.name}" if event.node else event.service
        self._log.log(
            level, "%s: %s", who, event.message or event.kind.value, extra={"bootgate_event": event}
        )
