"""The stack's status as the HTTP layer and `bootgate status` see it.

The graph reports a process ready once, when it first reaches its goal; after that, only the
supervisor knows that it crashed and is restarting, or is gone for good. The view lays that over
the graph's snapshot: such a node shows as `waiting` (restarting: readiness is lowered until the
new run is ready again) or `failed` (it will not come back), and the stack is not ready while
any is. Everything else is the graph's own snapshot, unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from contextlib import aclosing
from types import MappingProxyType

import anyio

from bootgate import Boot, NodeStatus, Phase, Status

from ._supervisor import Supervisor


class StackView:
    """A `bootgate.http.StatusSource` for a running stack: the graph plus live processes."""

    def __init__(self, boot: Boot, supervisor: Supervisor) -> None:
        self.boot = boot
        self.supervisor = supervisor
        self._cache: tuple[int, int, Status] | None = None
        self._changed = anyio.Event()
        self._closed = False

    @property
    def clock(self) -> object:
        """The boot's clock (the HTTP layer takes its time from the source)."""
        return self.boot.clock

    @property
    def ready(self) -> bool:
        """The graph is ready and no process has lost its goal since. O(1)."""
        return self.boot.ready and not self.supervisor.lost

    def status(self) -> Status:
        """The graph's snapshot with the live state of kept processes laid over it."""
        base = self.boot.status()
        version = self.supervisor.version
        cached = self._cache
        if cached is not None and cached[0] == base.seq and cached[1] == version:
            return cached[2]
        status = self._overlay(base, version)
        self._cache = (base.seq, version, status)
        return status

    async def subscribe(self) -> AsyncGenerator[Status, None]:
        """The current snapshot, then each change (graph or processes) until the run ends."""
        seen = -1
        while True:
            changed = self._changed
            status = self.status()
            if status.seq != seen:
                seen = status.seq
                yield status
                continue
            if self._closed:
                return
            await changed.wait()

    async def follow(self) -> None:
        """Relay changes from the graph and the supervisor to subscribers (run in a task)."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._follow_supervisor)
            async with aclosing(self.boot.subscribe()) as snapshots:
                async for _ in snapshots:
                    self._wake()
            tg.cancel_scope.cancel()
        self._closed = True
        self._wake()

    async def _follow_supervisor(self) -> None:
        while True:
            await self.supervisor.changed(self.supervisor.version)
            self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    def _overlay(self, base: Status, version: int) -> Status:
        lost = self.supervisor.lost
        # seq must grow with either source: the SSE ids and Last-Event-ID rely on it.
        seq = base.seq + version
        if not lost or base.stopping:
            nodes = base.nodes
        else:
            changed = dict(base.nodes)
            for name in lost:
                node = changed.get(name)
                if node is not None and node.phase is Phase.READY:
                    changed[name] = self._lost(node)
            nodes = MappingProxyType(changed)
        ready = base.ready and not lost
        gone = any(n.phase is Phase.FAILED for n in nodes.values())
        return Status(
            service=base.service,
            seq=seq,
            at_s=base.at_s,
            began_wall=base.began_wall,
            nodes=nodes,
            ready=ready,
            started=base.started,
            live=base.live,
            stopping=base.stopping,
            failed=base.failed or (gone and not base.stopping),
        )

    def _lost(self, node: NodeStatus) -> NodeStatus:
        life = self.supervisor.lives[node.name]
        reason = life.reason or life.last_exit or "not running"
        if life.final:
            return dataclasses.replace(node, phase=Phase.FAILED, reason=reason, error=reason)
        return dataclasses.replace(
            node, phase=Phase.WAITING, error=reason, attempts=life.runs, next_retry_s=None
        )
