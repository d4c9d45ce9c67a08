"""The critical chain of a startup, and its slowest nodes: pure functions over NodeTimings.

Like `systemd-analyze critical-chain`: start from the node whose readiness completed startup
and walk back, at each node, to the requirement that became ready last (the one it was
actually waiting for). The chain explains the startup's length: shorten a link on it and
startup ends sooner; shorten anything else and it does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._timing import NodeTiming


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One node on the critical chain."""

    name: str
    started_s: float | None
    ready_s: float
    """When it became ready (`@+1.234s`)."""
    took_s: float | None
    """How long it took from its first attempt to ready (`+0.500s`)."""


def critical_chain(nodes: Iterable[NodeTiming], end: str | None = None) -> tuple[ChainLink, ...]:
    """The chain of nodes that decided when `end` became ready, root first, `end` last.

    Without `end`, the chain ends at the required node that became ready last (the one that
    completed startup; optional nodes count only when there is no required one). Empty when no
    node became ready. ValueError if `end` is unknown or never became ready.
    """
    order = list(nodes)
    by_name = {node.name: node for node in order}
    position = {node.name: i for i, node in enumerate(order)}
    ready = [node for node in order if node.ready_s is not None]
    if end is None:
        candidates = [node for node in ready if not node.optional] or ready
        if not candidates:
            return ()
        # Ties go to the later node in start order: a dependent, never its requirement.
        last = max(candidates, key=lambda n: (n.ready_s, position[n.name]))
    elif end not in by_name:
        raise ValueError(f"no node called {end!r}")
    else:
        last = by_name[end]
        if last.ready_s is None:
            raise ValueError(f"{end!r} never became ready")
    chain = [last]
    seen = {last.name}
    while True:
        met = [
            by_name[name]
            for name in chain[-1].requires
            if name in by_name and name not in seen and by_name[name].ready_s is not None
        ]
        if not met:
            break
        link = max(met, key=lambda n: (n.ready_s, position[n.name]))
        chain.append(link)
        seen.add(link.name)
    return tuple(_link(node) for node in reversed(chain))


def slowest(nodes: Iterable[NodeTiming], count: int = 10) -> tuple[NodeTiming, ...]:
    """The `count` nodes that took longest to become ready, slowest first (like `blame`)."""
    timed = [node for node in nodes if node.took_s is not None]
    timed.sort(key=lambda n: -(n.took_s or 0.0))
    return tuple(timed[: max(count, 0)])


def chain_lines(chain: Sequence[ChainLink]) -> list[str]:
    """The chain as `systemd-analyze critical-chain` prints it: the last node first, each
    requirement indented below the node that waited for it."""
    lines = []
    for depth, link in enumerate(reversed(chain)):
        took = "" if link.took_s is None else f" +{link.took_s:.3f}s"
        prefix = "" if depth == 0 else "  " * (depth - 1) + "└─"
        lines.append(f"{prefix}{link.name} @+{link.ready_s:.3f}s{took}")
    return lines


def _link(node: NodeTiming) -> ChainLink:
    ready = node.ready_s if node.ready_s is not None else 0.0
    return ChainLink(node.name, node.started_s, ready, node.took_s)
