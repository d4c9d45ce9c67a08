"""What a probe is: one look at a dependency, answering Ready, Transient or Permanent.

Two refinements tell the waiting engine how to pace a probe: a `LayeredProbe` can be asked for
its cheap layer (a connect) apart from its handshake, and a `FollowingProbe` waits for an event
itself, so it is given the rest of the deadline instead of one attempt's timeout.
"""

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
    with a `Retry` policy. A probe classifies the dependency's failures instead of raising (one
    that raises anyway is read as Transient, or Permanent for a `PermanentError`). It may be
    called many times and concurrently with nothing shared between attempts.
    """

    @property
    def display(self) -> str:
        """The target as it may be shown to people and logs: passwords as ***."""
        ...

    async def __call__(self) -> ProbeResult:
        """Make one attempt and classify its outcome."""
        ...


@runtime_checkable
class LayeredProbe(Protocol):
    """A probe in two layers, which a waiter paces apart (see docs/waiting.md).

    `reachable()` is the cheap layer (a TCP connect, a socket connect, a stat): it costs the
    dependency nothing but its kernel, so it is polled often. `deep()` is the handshake
    (authentication, `SELECT 1`, `PING`, the HTTP request), run only once the cheap layer
    answers and paced to at most one per `max_interval`. Calling the probe runs both.
    """

    async def reachable(self) -> Transient | None:
        """Run the cheap layer: None if it answers, else a Transient saying why not."""
        ...

    async def deep(self) -> ProbeResult:
        """Run the handshake alone, its failures classified."""
        ...


class FollowingProbe:
    """Marks a probe that waits for an event itself (a bootgate service's status stream).

    One attempt may last until the dependency is ready, so a waiter gives it the rest of the
    deadline rather than one attempt's timeout. A probe class says so by inheriting this.
    """

    __slots__ = ()
