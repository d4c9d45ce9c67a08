"""What startup looks like at one instant: phases, progress, immutable snapshots, subscriptions.

The runner changes nodes through the `StateStore`'s named transitions (`attempt_began`,
`became_ready`, `gave_up`, ...); everyone else reads `Status` snapshots. A
snapshot is built at most once per change and shared, so reading the status is O(1) between
changes, and writing never waits for readers: subscribers are handed the latest snapshot when
they ask for it, so a slow one skips intermediate snapshots instead of holding up startup.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal

import anyio

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


@dataclass(frozen=True, slots=True)
class Progress:
    """A step's own account of its work: "16/25 Migration0016", with percent and ETA."""

    done: float
    total: float | None
    message: str = ""
    percent: float | None = None
    eta_s: float | None = None
    """Seconds left, as estimated when the progress was reported (at `reported_s`)."""
    reported_s: float | None = None
    """When this progress was reported, in seconds since the boot began."""

    def eta_at(self, at_s: float) -> float | None:
        """Seconds left as of `at_s` (seconds since the boot began): the ETA keeps counting
        down between reports instead of freezing while a step is stuck."""
        if self.eta_s is None:
            return None
        if self.reported_s is None:
            return self.eta_s
        return max(self.eta_s - (at_s - self.reported_s), 0.0)

    def text(self) -> str:
        """ "16/25 Migration0016" or "16 Migration0016" when the total is unknown."""
        count = f"{self.done:g}/{self.total:g}" if self.total is not None else f"{self.done:g}"
        return f"{count} {self.message}".strip()


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
    reason: str | None = None
    """Why the node is blocked, degraded or failed, naming both ends where there are two."""

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

    def cause(self, name: str) -> str:
        """The former name of `explain()`, kept while callers move over."""
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


class StateStore:
    """The runner's writable view of startup; hands out shared immutable snapshots."""

    def __init__(self, service: str, nodes: Iterable[NodeStatus], now: float) -> None:
        self.service = service
        # Writes touch a plain dict per node; the immutable NodeStatus is built when read, once
        # per change, so a startup nobody is watching pays for no snapshots at all.
        self._nodes: dict[str, NodeStatus] = {n.name: n for n in nodes}
        self._fields: dict[str, dict[str, Any]] = {
            name: {f: getattr(n, f) for f in _NODE_FIELDS} for name, n in self._nodes.items()
        }
        self._began = now
        self._began_wall = time.time()
        self._now = now
        self._seq = 0
        self._unready = sum(
            _WEIGHTS[(n.optional, n.critical, n.phase)][0] for n in self._nodes.values()
        )
        self._failed_required = 0
        self._dead_critical = 0
        self.started = False
        self.stopping = False
        self.closed = False
        self._snapshot: Status | None = None
        self._changed: anyio.Event | None = None

    @property
    def ready(self) -> bool:
        """True when every required node is ready and the service is not shutting down."""
        return self._unready == 0 and not self.stopping and not self.closed

    @property
    def failed(self) -> bool:
        """True when a required node failed or is blocked: startup can no longer complete."""
        return self._failed_required > 0

    def node(self, name: str) -> NodeStatus:
        """The current state of one node."""
        node = self._nodes.get(name)
        if node is None:
            node = self._nodes[name] = NodeStatus(**self._fields[name])
        return node

    def elapsed(self, now: float) -> float:
        """`now` (a clock reading) as seconds since the boot began."""
        return now - self._began

    def phase(self, name: str) -> Phase:
        """The current phase of one node, without building its NodeStatus."""
        phase: Phase = self._fields[name]["phase"]
        return phase

    # -- transitions: the only ways a node changes; each publishes one change ------------------

    def attempt_began(self, name: str, now: float, *, attempt: int) -> None:
        """Attempt `attempt` begins: a step is `starting`, a dependency `waiting` (probed)."""
        fields = self._fields[name]
        if fields["kind"] == "step":
            self._apply(name, Phase.STARTING, attempts=attempt, next_retry_s=None, progress=None)
        else:
            self._apply(name, Phase.WAITING, attempts=attempt, next_retry_s=None)
        if fields["started_s"] is None:
            fields["started_s"] = self.elapsed(now)
        self._publish(now)

    def attempt_failed(self, name: str, now: float, *, error: str, next_retry_s: float) -> None:
        """An attempt failed and the next is due at `next_retry_s`: a step is `retrying`, a
        dependency stays `waiting`."""
        phase = Phase.RETRYING if self._fields[name]["kind"] == "step" else Phase.WAITING
        self._apply(name, phase, error=error, next_retry_s=next_retry_s)
        self._publish(now)

    def became_ready(self, name: str, now: float, *, duration_s: float) -> None:
        """The node is ready, `duration_s` after its first attempt began."""
        self._apply(
            name,
            Phase.READY,
            error=None,
            next_retry_s=None,
            ready_s=self.elapsed(now),
            duration_s=duration_s,
        )
        self._publish(now)

    def gave_up(self, name: str, now: float, *, reason: str) -> None:
        """The node failed for good (`degraded` if it is optional)."""
        phase = Phase.DEGRADED if self._fields[name]["optional"] else Phase.FAILED
        self._apply(name, phase, reason=reason, error=reason, next_retry_s=None)
        self._publish(now)

    def was_blocked(self, name: str, now: float, *, reason: str) -> None:
        """A requirement failed, so the node will never run (`degraded` if it is optional)."""
        phase = Phase.DEGRADED if self._fields[name]["optional"] else Phase.BLOCKED
        self._apply(name, phase, reason=reason)
        self._publish(now)

    def progressed(self, name: str, now: float, progress: Progress) -> None:
        """A running step reported progress."""
        self._apply(name, None, progress=progress)
        self._publish(now)

    def ran_over_budget(self, name: str, now: float) -> None:
        """The node is still not ready when its time budget ran out."""
        self._apply(name, None, over_budget=True)
        self._publish(now)

    def was_lost(self, name: str, now: float, *, error: str) -> None:
        """A ready dependency stopped answering: `waiting` again, which lowers readiness."""
        self._apply(name, Phase.WAITING, error=error, attempts=1, next_retry_s=None)
        self._publish(now)

    def came_back(self, name: str, now: float) -> None:
        """A lost dependency answers again: `ready`, restoring readiness."""
        self._apply(name, Phase.READY, error=None, next_retry_s=None)
        self._publish(now)

    def teardown_began(self, name: str, now: float) -> None:
        """The node's teardown runs (`stopping`)."""
        self._apply(name, Phase.STOPPING)
        self._publish(now)

    def stopped(self, names: Iterable[str], now: float, *, why: str | None = None) -> None:
        """The nodes are `stopped`, published as one change. `why` becomes the reason of those
        that have none (nodes that never became ready)."""
        for name in names:
            if why is not None and self._fields[name]["reason"] is None:
                self._apply(name, Phase.STOPPED, next_retry_s=None, reason=why)
            else:
                self._apply(name, Phase.STOPPED, next_retry_s=None)
        self._publish(now)

    def begin_stopping(self, now: float) -> None:
        """The service is shutting down: readiness drops, whatever the nodes say."""
        self.stopping = True
        self._publish(now)

    def close(self, now: float) -> None:
        """The run is over: subscriptions end after this last change."""
        self.closed = True
        self._publish(now)

    def _apply(self, name: str, phase: Phase | None, **changes: object) -> None:
        fields = self._fields[name]
        fields.update(changes)
        self._nodes.pop(name, None)
        old_phase = fields["phase"]
        if phase is None or phase is old_phase:
            return
        fields["phase"] = phase
        flags = (fields["optional"], fields["critical"])
        old_unready, old_failed, old_dead = _WEIGHTS[(*flags, old_phase)]
        new_unready, new_failed, new_dead = _WEIGHTS[(*flags, phase)]
        self._unready += new_unready - old_unready
        self._failed_required += new_failed - old_failed
        self._dead_critical += new_dead - old_dead

    def snapshot(self) -> Status:
        """The current Status; the same object until the next change."""
        if self._snapshot is None:
            self._snapshot = Status(
                service=self.service,
                seq=self._seq,
                at_s=self._now - self._began,
                began_wall=self._began_wall,
                nodes=MappingProxyType({name: self.node(name) for name in self._fields}),
                ready=self.ready,
                started=self.started,
                live=self._dead_critical == 0,
                stopping=self.stopping,
                failed=self._failed_required > 0,
            )
        return self._snapshot

    async def subscribe(self) -> AsyncIterator[Status]:
        """Yield the current snapshot, then each newer one; ends after the store is closed.

        A slow consumer gets the latest snapshot when it asks, skipping any in between.
        """
        seen = -1
        while True:
            snapshot = self.snapshot()
            if snapshot.seq != seen:
                seen = snapshot.seq
                yield snapshot
                continue
            if self.closed:
                return
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()

    def _publish(self, now: float) -> None:
        if self._unready == 0 and not self.stopping:
            self.started = True
        self._now = now
        self._seq += 1
        self._snapshot = None
        if self._changed is not None:
            self._changed.set()
            self._changed = None


_NODE_FIELDS = tuple(f.name for f in fields(NodeStatus))


# (optional, critical, phase) -> how the node counts: (not ready, failed for good, dead critical)
_WEIGHTS = {
    (optional, critical, phase): (
        int(not optional and phase not in SETTLED_OK),
        int(not optional and phase in SETTLED_BAD),
        int(critical and phase is Phase.FAILED),
    )
    for optional in (False, True)
    for critical in (False, True)
    for phase in Phase
}
