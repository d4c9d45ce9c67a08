"""What a probe is: one look at a dependency, answering Ready, Transient or Permanent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Ready:
    """The dependency can serve now."""

    detail: str = ""


@dataclass(frozen=True, slots=True)
class Transient:
    """Not yet: worth trying again (refused, starting up, overloaded, timed out).

    `retry_after` is the dependency's own hint in seconds (HTTP Retry-After), if it gave one.
    """

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Permanent:
    """Trying again will not help: bad credentials, unknown database, malformed target."""

    reason: str


ProbeResult = Ready | Transient | Permanent


@runtime_checkable
class Probe(Protocol):
    """One dependency check. `display` names the target with secrets shown as ***.

    Calling the probe makes one attempt; the caller bounds it with a timeout and retries it
    with a `Retry` policy. A probe never raises for the dependency's failures: it classifies
    them. It may be called many times and concurrently with nothing shared between attempts.
    A probe with a true `follows` attribute waits for an event itself (a status stream) and
    is given the rest of the deadline instead of the per-attempt timeout.
    """

    @property
    def display(self) -> str:
        """The target as it may be shown to people and logs: passwords as ***."""
        ...

    async def __call__(self) -> ProbeResult:
        """Make one attempt and classify its outcome."""
        ...
