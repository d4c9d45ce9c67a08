"""What startup looks like at one instant: phases, progress and immutable `Status` snapshots.

A snapshot is what everyone outside the runner reads: the HTTP endpoints, the status stream,
hooks and tests. It also answers "why not ready?" (`Status.blocking()`, `Status.explain()`).
The store that produces snapshots, and the transitions that change it, are in `_state`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, SupportsFloat

from ._duration import format_duration


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


#: An estimate further away than this (about 31 years) is no estimate: the ETA is None.
ETA_HORIZON_S = 1e9


@dataclass(frozen=True, slots=True)
class Progress:
    """A step's own account of its work: "16/25 Migration0016", with percent and ETA.

    Every number is finite (JSON-safe) or None. `done` is a finite number >= 0; `total` is a
    finite number >= 0, or None when it is unknown (`math.inf` is taken as unknown too);
    anything else (NaN, a negative number, an infinite `done`) is a ValueError. `percent` and
    `eta_s` are None when the total is unknown, and so is a derived number that overflowed or an
    ETA beyond `ETA_HORIZON_S`.
    """

    done: float
    total: float | None
    message: str = ""
    percent: float | None = None
    eta_s: float | None = None
    """Seconds left, as estimated when the progress was reported (at `reported_s`)."""
    reported_s: float | None = None
    """When this progress was reported, in seconds since the boot began."""

    def __post_init__(self) -> None:
        done = _finite(self.done)
        if done is None or done < 0:
            raise ValueError(f"progress done must be a finite number >= 0, got {self.done!r:.40}")
        total = self.total
        if total is not None and _infinite(total):
            total = None
        elif total is not None:
            total = _finite(total)
            if total is None or total < 0:
                raise ValueError(
                    "progress total must be a number >= 0, or None or math.inf when unknown,"
                    f" got {self.total!r:.40}"
                )
        object.__setattr__(self, "done", done)
        object.__setattr__(self, "total", total)
        for name in ("percent", "eta_s", "reported_s"):
            object.__setattr__(self, name, _finite(getattr(self, name)))
        if total is None:
            object.__setattr__(self, "percent", None)
        eta = self.eta_s
        if total is None or (eta is not None and not 0 <= eta <= ETA_HORIZON_S):
            object.__setattr__(self, "eta_s", None)

    @classmethod
    def measure(
        cls, done: float, total: float | None, message: str, running_s: float, reported_s: float
    ) -> Progress:
        """Progress reported `running_s` seconds into an attempt: percent, and an ETA from the
        rate so far. Raises ValueError for numbers that are not progress (see the class)."""
        percent = eta = None
        known, count = _finite(total), _finite(done)
        if known is not None and known > 0 and count is not None:
            percent = max(0.0, min(100.0, 100.0 * count / known))
            if 0 < count <= known:
                eta = running_s / count * (known - count)
        return cls(done, total, message, percent, eta, reported_s)

    def eta_at(self, at_s: float) -> float | None:
        """Seconds left as of `at_s` (seconds since the boot began): the ETA keeps counting
        down between reports instead of freezing while a step is stuck."""
        if self.eta_s is None:
            return None
        if self.reported_s is None:
            return self.eta_s
        return max(self.eta_s - (at_s - self.reported_s), 0.0)

    def text(self) -> str:
        """ "16/25 Migration0016", or "16/? Migration0016" when the total is unknown."""
        total = "?" if self.total is None else f"{self.total:g}"
        return f"{self.done:g}/{total} {self.message}".strip()


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
    budget_s: float | None = None
    over_budget: bool = False
    overdue: bool = False
    """A dependency that outlasted its startup deadline and is still waited for ("heal")."""
    reason: str | None = None
    """Why the node is blocked, degraded, failed or overdue, naming both ends where there are
    two."""

    @property
    def ok(self) -> bool:
        """True when the node is ready (or degraded, which is how an optional node fails)."""
        return self.phase in SETTLED_OK


@dataclass(frozen=True, slots=True)
class Status:
    """An immutable snapshot of the whole startup. `seq` grows by one with each change."""

    service: str
    seq: int
    at_s: float
    """When this snapshot was taken, in seconds since the boot began."""
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
    _blocking: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def health(self) -> Literal["pass", "warn", "fail"]:
        """health+json vocabulary: pass when ready and nothing degraded, warn, or fail."""
        if not self.ready:
            return "fail"
        if any(n.phase is Phase.DEGRADED or n.over_budget for n in self.nodes.values()):
            return "warn"
        return "pass"

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


def _finite(value: object) -> float | None:
    """`value` as a finite, JSON-safe number (an int stays an int), or None."""
    if isinstance(value, bool) or not isinstance(value, SupportsFloat):
        return None
    try:
        as_float = float(value)
    except (OverflowError, ValueError):  # an int too large for a float
        return None
    if not math.isfinite(as_float):
        return None
    return value if type(value) is int else as_float


def _infinite(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, SupportsFloat) and value == math.inf


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
        return text
    if phase is Phase.STARTING:
        text = "running"
        if node.progress is not None:
            text += " " + node.progress.text()
            eta = node.progress.eta_at(status.at_s)
            if eta is not None:
                text += f", ETA {format_duration(eta)}"
        if node.attempts > 1:
            text += f", attempt {node.attempts}"
        return text
    return node.reason or node.error or phase.value
