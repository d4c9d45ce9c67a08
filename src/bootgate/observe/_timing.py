"""What one startup looked like afterwards: each node's requirements and times.

A `Startup` is read from a live `Status`, from a service's `/status` document, or from a
history file, so the critical chain, the slowest nodes and the timeline are computed the same
way whichever of them a startup came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bootgate import NodeStatus, Status


@dataclass(frozen=True, slots=True)
class NodeTiming:
    """One node of one startup. Times are seconds since the startup began."""

    name: str
    kind: str = "step"
    """"step", "dependency" (or whatever kind of node the graph has, e.g. a process)."""
    requires: tuple[str, ...] = ()
    phase: str = "pending"
    started_s: float | None = None
    """When its first attempt began (None: it never started)."""
    ready_s: float | None = None
    """When it first became ready (None: it never did)."""
    duration_s: float | None = None
    """From its first attempt to ready."""
    optional: bool = False
    attempts: int = 0
    reason: str | None = None
    """Why it failed, was blocked or stopped (redacted), if it did."""
    warning: str | None = None
    """A regression found when it became ready ("took 9.1 s, 3.4x its median ...")."""

    @property
    def took_s(self) -> float | None:
        """How long it took to become ready: `duration_s`, else ready minus started."""
        if self.duration_s is not None:
            return self.duration_s
        if self.ready_s is not None and self.started_s is not None:
            return self.ready_s - self.started_s
        return None


@dataclass(frozen=True, slots=True)
class Startup:
    """One startup of one service: its nodes in start order and how it ended."""

    service: str
    began_wall: float
    """Unix time at which it began."""
    nodes: tuple[NodeTiming, ...]
    outcome: str = "ready"
    """"ready", "failed", "stopped" (shut down before ready) or "starting" (still going)."""
    ended_s: float | None = None
    """When startup completed (every required node ready), or None if it did not."""
    at_s: float | None = None
    """When this account was taken, if the startup may still have been going on."""

    def node(self, name: str) -> NodeTiming:
        """The node called `name` (KeyError if there is none)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    @property
    def span_s(self) -> float:
        """The time this account covers: the latest time any node or the startup reached."""
        times = [self.ended_s or 0.0, self.at_s or 0.0]
        for node in self.nodes:
            times.extend(t for t in (node.started_s, node.ready_s) if t is not None)
        return max(times)


def timing_of(node: NodeStatus, warning: str | None = None) -> NodeTiming:
    """A node of a live snapshot (or of an event) as a NodeTiming."""
    return NodeTiming(
        name=node.name,
        kind=node.kind,
        requires=tuple(node.requires),
        phase=node.phase.value,
        started_s=node.started_s,
        ready_s=node.ready_s,
        duration_s=node.duration_s,
        optional=node.optional,
        attempts=node.attempts,
        reason=node.reason,
        warning=warning,
    )


def from_status(status: Status) -> Startup:
    """A live snapshot as a Startup."""
    ended = None
    if status.started:
        ready = [n.ready_s for n in status.nodes.values() if n.ready_s is not None]
        ended = max(ready, default=0.0)
    return Startup(
        service=status.service,
        began_wall=status.began_wall,
        nodes=tuple(timing_of(n) for n in status.nodes.values()),
        outcome=_outcome(ready=status.started, failed=status.failed, stopping=status.stopping),
        ended_s=ended,
        at_s=status.at_s,
    )


def from_document(document: Mapping[str, Any]) -> Startup:
    """A service's `/status` document (application/health+json) as a Startup.

    Raises ValueError, with one line saying what is wrong, for anything else.
    """
    info = document.get("bootgate") if isinstance(document, Mapping) else None
    if not isinstance(info, Mapping) or not isinstance(info.get("nodes"), Mapping):
        raise ValueError("not a bootgate status document (no bootgate.nodes)")
    try:
        nodes = tuple(_node_of(name, fields) for name, fields in info["nodes"].items())
        began = info.get("began")
        began_wall = datetime.fromisoformat(began).timestamp() if isinstance(began, str) else 0.0
        return Startup(
            service=str(info.get("service", "")),
            began_wall=began_wall,
            nodes=nodes,
            outcome=_outcome(
                ready=bool(info.get("started")),
                failed=bool(info.get("failed")),
                stopping=bool(info.get("stopping")),
            ),
            ended_s=_seconds(info.get("startup_s")),
            at_s=_seconds(info.get("elapsed_s")),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"malformed bootgate status document: {exc}") from None


def _node_of(name: str, fields: Mapping[str, Any]) -> NodeTiming:
    requires = fields.get("requires") or ()
    if isinstance(requires, str) or not isinstance(requires, Iterable):
        raise TypeError(f"{name}: requires is not a list")
    return NodeTiming(
        name=str(name),
        kind=str(fields.get("kind", "step")),
        requires=tuple(str(r) for r in requires),
        phase=str(fields.get("phase", "pending")),
        started_s=_seconds(fields.get("started_s")),
        ready_s=_seconds(fields.get("ready_s")),
        duration_s=_seconds(fields.get("duration_s")),
        optional=bool(fields.get("optional", False)),
        attempts=int(fields.get("attempts") or 0),
        reason=fields.get("reason") if isinstance(fields.get("reason"), str) else None,
        warning=fields.get("warning") if isinstance(fields.get("warning"), str) else None,
    )


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{value!r} is not a number of seconds")
    return float(value)


def _outcome(*, ready: bool, failed: bool, stopping: bool) -> str:
    if ready:
        return "ready"
    if failed:
        return "failed"
    return "stopped" if stopping else "starting"
