"""The runner's writable view of startup: named transitions in, shared snapshots out.

The runner changes nodes only through the `StateStore`'s transitions (`attempt_began`,
`became_ready`, `gave_up`, ...), each with typed parameters. A snapshot is built at most once
per change and shared, so reading the status is O(1) between changes, and writing never waits
for readers: subscribers are handed the latest snapshot when they ask for it, so a slow one
skips intermediate snapshots instead of holding up startup.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Iterable
from dataclasses import fields
from types import MappingProxyType
from typing import Any

import anyio

from ._progress import Progress
from ._snapshot import SETTLED_BAD, SETTLED_OK, NodeStatus, NodeWarning, Phase, Status


class StateStore:
    """The runner's writable view of startup; hands out shared immutable snapshots."""

    def __init__(
        self,
        service: str,
        nodes: Iterable[NodeStatus],
        now: float,
        *,
        version: str | None = None,
        release_id: str | None = None,
    ) -> None:
        self.service = service
        self.version = version
        self.release_id = release_id
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

    def attempt_began(
        self, name: str, now: float, *, attempt: int, deadline_s: float | None = None
    ) -> None:
        """Attempt `attempt` begins: a step is `starting`, a dependency `waiting` (probed).
        `deadline_s` is when its waiting or retrying gives up (None: it has no deadline)."""
        fields = self._fields[name]
        common = {"attempts": attempt, "next_retry_s": None, "deadline_s": deadline_s}
        if fields["kind"] == "step":
            self._apply(name, Phase.STARTING, progress=None, **common)
        else:
            self._apply(name, Phase.WAITING, **common)
        if fields["started_s"] is None:
            fields["started_s"] = self.elapsed(now)
        self._publish(now)

    def attempt_failed(self, name: str, now: float, *, error: str, next_retry_s: float) -> None:
        """An attempt failed and the next is due at `next_retry_s`: a step is `retrying`, a
        dependency stays `waiting`."""
        phase = Phase.RETRYING if self._fields[name]["kind"] == "step" else Phase.WAITING
        self._apply(name, phase, error=error, next_retry_s=next_retry_s)
        self._publish(now)

    def waits_for_lock(self, name: str, now: float, *, holder: str) -> None:
        """An exclusive step waits for its lock: `waiting`, with who holds it as its error
        ("lock gateway-migrations held by host-b pid 4121 for 12 s")."""
        self._apply(name, Phase.WAITING, error=holder, next_retry_s=None)
        self._publish(now)

    def holds_lock(self, name: str, now: float) -> None:
        """An exclusive step has its lock: the attempt runs (`starting`)."""
        self._apply(name, Phase.STARTING, error=None)
        self._publish(now)

    def waits_for_thread(self, name: str, now: float, *, error: str) -> None:
        """A step's attempt timed out but its thread still runs: `retrying`, with no next
        attempt scheduled until the thread has finished (`error` says so)."""
        self._apply(name, Phase.RETRYING, error=error, next_retry_s=None)
        self._publish(now)

    def became_ready(self, name: str, now: float, *, duration_s: float) -> None:
        """The node is ready, `duration_s` after its first attempt began."""
        fields = self._fields[name]
        if fields["overdue"]:  # it healed: the reason it was overdue is over
            fields.update(overdue=False, reason=None)
        self._apply(
            name,
            Phase.READY,
            error=None,
            next_retry_s=None,
            deadline_s=None,
            ready_s=self.elapsed(now),
            duration_s=duration_s,
        )
        self._publish(now)

    def went_overdue(self, name: str, now: float, *, reason: str) -> None:
        """A dependency outlasted its startup deadline and is still waited for: `waiting`, with
        `reason` saying so (readiness follows if it answers)."""
        self._apply(
            name, Phase.WAITING, overdue=True, reason=reason, next_retry_s=None, deadline_s=None
        )
        self._publish(now)

    def gave_up(self, name: str, now: float, *, reason: str) -> None:
        """The node failed for good (`degraded` if it is optional)."""
        phase = Phase.DEGRADED if self._fields[name]["optional"] else Phase.FAILED
        self._apply(name, phase, reason=reason, error=reason, next_retry_s=None, deadline_s=None)
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

    def ran_over_budget(self, name: str, now: float, *, warning: NodeWarning) -> None:
        """The node is still not ready when its time budget ran out: `over_budget`, and
        `warning` (current until the node is done) added to its warnings."""
        warnings = (*self._fields[name]["warnings"], warning)
        self._apply(name, None, over_budget=True, warnings=warnings)
        self._publish(now)

    def warned(self, name: str, now: float, *, warning: NodeWarning) -> None:
        """`warning` is added to the node's warnings (a hook's, or the service's own)."""
        self._apply(name, None, warnings=(*self._fields[name]["warnings"], warning))
        self._publish(now)

    def was_lost(self, name: str, now: float, *, error: str) -> None:
        """A ready dependency stopped answering: `waiting` again, which lowers readiness."""
        self._apply(
            name, Phase.WAITING, error=error, attempts=1, next_retry_s=None, deadline_s=None
        )
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
                self._apply(name, Phase.STOPPED, next_retry_s=None, deadline_s=None, reason=why)
            else:
                self._apply(name, Phase.STOPPED, next_retry_s=None, deadline_s=None)
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
                version=self.version,
                release_id=self.release_id,
                began_clock=self._began,
            )
        return self._snapshot

    async def subscribe(self) -> AsyncGenerator[Status, None]:
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
