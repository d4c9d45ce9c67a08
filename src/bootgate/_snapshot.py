"""What startup looks like at one instant: phases, warnings and immutable `Status` snapshots.

A snapshot is what everyone outside the runner reads: the HTTP endpoints, the status stream,
hooks and tests. It also answers "why not ready?" (`Status.blocking()`, `Status.explain()`).
The store that produces snapshots, and the transitions that change it, are in `_state`.

A snapshot is taken at a change, but what it says about time (an ETA, the next retry, the
time left before a node gives up, whether a warning is still current) depends on when it is
read: `Status.at(at_s)` and `Status.as_of(clock_now)` read the same facts at a later instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from ._duration import format_duration
from ._progress import Progress


class Phase(StrEnum):
    """Where a node is in its life. Transitions are driven by the runner only."""

    PENDING = "pending"
    """Waiting for its requirements to become ready."""
    WAITING = "waiting"
    """A dependency being probed (at startup, or again after it was lost)."""
    STARTING = "starting"
    """A step's attempt is running."""
    RETRYING = "retrying"
    """An attempt failed; the next one is scheduled (`next_retry_s`)."""
    READY = "ready"
    DEGRADED = "degraded"
    """An optional node that failed: reported as a warning, not blocking readiness."""
    FAILED = "failed"
    """Gave up: out of attempts or deadline, timed out for good, or a permanent error."""
    BLOCKED = "blocked"
    """A requirement failed, so this node will never run (`reason` names both ends)."""
    STOPPING = "stopping"
    STOPPED = "stopped"


#: Phases in which a node counts as done for its dependents and for readiness.
SETTLED_OK = frozenset({Phase.READY, Phase.DEGRADED})
#: Phases in which a node has given up for good.
SETTLED_BAD = frozenset({Phase.FAILED, Phase.BLOCKED})

_SHUT = frozenset({Phase.STOPPING, Phase.STOPPED})

NodeKind = Literal["step", "dependency"]

#: Phases in which a node's account depends on the time it is read at (retries, ETAs, time left).
_MOVING = frozenset({Phase.WAITING, Phase.STARTING, Phase.RETRYING})


@dataclass(frozen=True, slots=True)
class NodeWarning:
    """Something about a node worth a look that does not stop it ("not ready after its budget
    of 20s", "took 9.1 s, 3.4x its median"). While current it makes the health `warn`; after
    that it stays in the node's `warnings` as history."""

    message: str
    at_s: float
    """When it was raised, in seconds since the boot began."""
    until_s: float | None = None
    """Current until this instant; None: until its node is done (ready, degraded, failed or
    blocked), as for a step over its budget."""

    def current(self, node: NodeStatus, at_s: float) -> bool:
        """True while this warning (of `node`) still stands at `at_s`."""
        if self.until_s is None:
            return node.ready_s is None and node.phase not in SETTLED_OK | SETTLED_BAD
        return at_s < self.until_s


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """One node in one snapshot. Times are seconds since the boot began (`Status.at_s` scale)."""

    name: str
    kind: NodeKind
    requires: tuple[str, ...] = ()
    phase: Phase = Phase.PENDING
    optional: bool = False
    critical: bool = False
    target: str | None = None
    """For dependencies: the target with secrets shown as ***."""
    attempts: int = 0
    started_s: float | None = None
    ready_s: float | None = None
    duration_s: float | None = None
    progress: Progress | None = None
    error: str | None = None
    """The last error, redacted."""
    next_retry_s: float | None = None
    deadline_s: float | None = None
    """When its waiting or retrying gives up, if it has a deadline: the next attempt is not
    begun at or past it."""
    budget_s: float | None = None
    over_budget: bool = False
    """It ran past its time budget (a fact kept for good; see `warnings` for whether it is
    still a concern)."""
    warnings: tuple[NodeWarning, ...] = ()
    """Every warning raised about it, oldest first; `current_warnings` are those that stand."""
    overdue: bool = False
    """A dependency that outlasted its startup deadline and is still waited for ("heal")."""
    reason: str | None = None
    """Why the node is blocked, degraded, failed or overdue, naming both ends where there are
    two."""

    @property
    def ok(self) -> bool:
        """True when the node is ready (or degraded, which is how an optional node fails)."""
        return self.phase in SETTLED_OK

    def current_warnings(self, at_s: float) -> tuple[NodeWarning, ...]:
        """The warnings that still stand at `at_s`."""
        return tuple(w for w in self.warnings if w.current(self, at_s))


@dataclass(frozen=True, slots=True)
class Status:
    """An immutable snapshot of the whole startup. `seq` grows by one with each change."""

    service: str
    seq: int
    at_s: float
    """The instant this snapshot describes, in seconds since the boot began: when it was
    taken, or later for a reading made with `at()` / `as_of()`."""
    began_wall: float
    """Unix time at which the boot began: add it to any `*_s` field to get a wall time."""
    nodes: Mapping[str, NodeStatus]
    """Every node, in start order."""
    ready: bool
    """True when every required node is ready and the service is not shutting down."""
    started: bool
    """True once startup completed (every required node ready once); never goes back."""
    live: bool
    """False only when a critical node failed for good."""
    stopping: bool
    failed: bool
    """True when startup can no longer complete: a required node failed or is blocked."""
    version: str | None = None
    """The service's version, if it gave one (`Boot(version=...)`)."""
    release_id: str | None = None
    """The service's release, if it gave one (`Boot(release_id=...)`)."""
    began_clock: float | None = field(default=None, compare=False, repr=False)
    """The boot's clock reading when it began, so `as_of(clock.now())` can read it later."""
    _blocking: tuple[str, ...] | None = field(default=None, compare=False, repr=False)
    _later: Status | None = field(default=None, compare=False, repr=False)

    @property
    def health(self) -> Literal["pass", "warn", "fail"]:
        """health+json vocabulary: fail when not ready; warn when an optional node failed
        (degraded) or a warning is current; else pass."""
        if not self.ready:
            return "fail"
        at_s = self.at_s
        for node in self.nodes.values():
            if node.phase is Phase.DEGRADED or node.current_warnings(at_s):
                return "warn"
        return "pass"

    def at(self, at_s: float) -> Status:
        """The same snapshot read at `at_s` (seconds since the boot began; never earlier than
        it was taken): what counts time (ETA, overdue, next retry, time left, current warnings)
        moves on, nothing else changes. Reading twice at one instant gives the same object; a
        snapshot in which nothing counts time (`moves()` is false) is returned as it is, since
        a later reading would say the same."""
        if at_s <= self.at_s or not self.moves():
            return self
        later = self._later
        if later is None or later.at_s != at_s:
            later = replace(self, at_s=at_s, _blocking=None, _later=None)
            object.__setattr__(self, "_later", later)
        return later

    def as_of(self, clock_now: float) -> Status:
        """The same snapshot read at the boot's clock reading `clock_now` (`boot.clock.now()`):
        see `at()`. A snapshot without `began_clock` is returned as it is."""
        if self.began_clock is None:
            return self
        return self.at(clock_now - self.began_clock)

    def moves(self) -> bool:
        """True when reading this snapshot later would say something else: a node is waiting,
        running or retrying, or a warning will stop being current at a known time."""
        at_s = self.at_s
        for node in self.nodes.values():
            if node.phase in _MOVING:
                return True
            if any(w.until_s is not None and w.until_s > at_s for w in node.warnings):
                return True
        return False

    def blocking(self) -> tuple[str, ...]:
        """Why the service is not ready: one chain per root cause, e.g.

        "providers ← default_tenant ← migrations ← db: connection refused, attempt 7, next in 0.4 s"
        """
        chains = self._blocking
        if chains is None:
            chains = _blocking_chains(self, failed_only=False)
            object.__setattr__(self, "_blocking", chains)
        return chains

    def explain(self, name: str) -> str:
        """Why node `name` is where it is, in a few words: "connection refused, attempt 7,
        next in 0.4 s", "running 16/25 Migration0016, ETA 12.00s", "waiting for db"."""
        return _explain(self.nodes[name], self)

    def failures(self) -> tuple[str, ...]:
        """The chains of `blocking()` whose root cause has failed for good."""
        return _blocking_chains(self, failed_only=True)


def _blocking_chains(status: Status, *, failed_only: bool) -> tuple[str, ...]:
    if status.ready:
        return ()
    if status.stopping and not failed_only:
        return _blocking_chains(status, failed_only=True) or ("shutting down",)
    nodes = status.nodes
    dependents: dict[str, list[str]] = {name: [] for name in nodes}
    for node in nodes.values():
        for req in node.requires:
            dependents[req].append(node.name)

    def matters(name: str, seen: set[str]) -> bool:
        # A node blocks readiness if it, or something downstream still waiting on it, is required.
        if not nodes[name].optional:
            return True
        seen.add(name)
        return any(d not in seen and not nodes[d].ok and matters(d, seen) for d in dependents[name])

    chains = []
    for node in nodes.values():
        if node.ok or node.phase is Phase.BLOCKED:
            continue
        if failed_only and node.phase is not Phase.FAILED:
            continue
        # A requirement stopped by shutdown after it was ready still counts as met.
        met = all(nodes[r].ok or nodes[r].phase in _SHUT for r in node.requires)
        if not met or not matters(node.name, set()):
            continue
        chain = [node.name]
        cursor = node.name
        while True:
            waiting = [d for d in dependents[cursor] if not nodes[d].ok and d not in chain]
            if not waiting:
                break
            required = [d for d in waiting if not nodes[d].optional]
            cursor = (required or waiting)[0]
            chain.append(cursor)
        cause = _explain(node, status)
        if node.phase is Phase.FAILED:
            cause = f"failed: {cause}"
        chains.append(" ← ".join(reversed(chain)) + ": " + cause)
    return tuple(chains)


def _explain(node: NodeStatus, status: Status) -> str:
    phase = node.phase
    if phase is Phase.PENDING:
        waiting = [r for r in node.requires if not status.nodes[r].ok]
        return "waiting for " + ", ".join(waiting) if waiting else "pending"
    if phase in (Phase.WAITING, Phase.RETRYING):
        text = node.error or ("probing" if phase is Phase.WAITING else "retrying")
        if node.overdue:
            text = f"past its deadline, still waiting: {text}"
        if node.attempts:
            text += f", attempt {node.attempts}"
        if node.next_retry_s is not None:
            text += f", next in {max(node.next_retry_s - status.at_s, 0.0):.1f} s"
        # A step waiting for its lock is inside an attempt: its deadline stops only retries.
        if node.deadline_s is not None and (phase is Phase.RETRYING or node.kind != "step"):
            text += ", " + _gives_up(node.deadline_s - status.at_s)
        return text
    if phase is Phase.STARTING:
        text = "running"
        progress = node.progress
        if progress is not None:
            text += " " + progress.text()
            late = progress.overdue_at(status.at_s)
            eta = progress.eta_at(status.at_s)
            if late is not None:
                text += f", overdue by {format_duration(late)}"
            elif eta is not None:
                text += f", ETA {format_duration(eta)}"
        if node.attempts > 1:
            text += f", attempt {node.attempts}"
        return text
    return node.reason or node.error or phase.value


def _gives_up(left: float) -> str:
    if left <= 0:
        return "gives up after this attempt"
    return f"gives up in {left:.1f} s" if left < 10 else f"gives up in {left:.0f} s"
