"""The critical chain and the slowest nodes: tables, and properties over random timelines."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bootgate.observe import NodeTiming, chain_lines, critical_chain, slowest


def node(
    name: str,
    started: float | None,
    ready: float | None,
    *requires: str,
    optional: bool = False,
) -> NodeTiming:
    """A node that started and became ready at the given times."""
    return NodeTiming(
        name=name,
        requires=requires,
        phase="ready" if ready is not None else "failed",
        started_s=started,
        ready_s=ready,
        optional=optional,
        attempts=1,
    )


GATEWAY = [
    node("db", 0.0, 0.8),
    node("cache", 0.0, 2.0),
    node("migrations", 0.8, 5.1, "db"),
    node("default_tenant", 5.1, 5.2, "migrations"),
    node("providers", 5.2, 5.3, "default_tenant", "cache"),
]


@pytest.mark.parametrize(
    ("nodes", "end", "expected"),
    [
        (GATEWAY, None, ["db", "migrations", "default_tenant", "providers"]),
        (GATEWAY, "cache", ["cache"]),
        (GATEWAY, "migrations", ["db", "migrations"]),
        # The requirement that became ready last is the one the node waited for.
        (
            [node("a", 0, 3), node("b", 0, 1), node("c", 3, 4, "b", "a")],
            None,
            ["a", "c"],
        ),
        # An optional straggler does not end the chain of a startup that completed earlier.
        (
            [node("a", 0, 1), node("slow", 0, 9, optional=True), node("b", 1, 2, "a")],
            None,
            ["a", "b"],
        ),
        # Only optional nodes: the chain ends at the last of them.
        ([node("x", 0, 1, optional=True), node("y", 0, 2, optional=True)], None, ["y"]),
        # A requirement that never became ready (or is unknown) is not a link.
        ([node("a", 0, None), node("b", 0, 1, "a", "ghost")], None, ["b"]),
        # Ties go to the later node in start order: the dependent, not its requirement.
        ([node("a", 0, 1), node("b", 1, 1, "a")], None, ["a", "b"]),
        ([], None, []),
        ([node("a", 0, None)], None, []),
    ],
)
def test_chain_tables(nodes: list[NodeTiming], end: str | None, expected: list[str]) -> None:
    """The chain walks back from the last node to each latest-ready requirement."""
    assert [link.name for link in critical_chain(nodes, end)] == expected


def test_chain_links_carry_ready_time_and_duration() -> None:
    """Each link says when its node became ready and how long it took from its first attempt."""
    chain = critical_chain(GATEWAY)
    link = chain[1]
    assert (link.name, link.started_s, link.ready_s) == ("migrations", 0.8, 5.1)
    assert link.took_s == pytest.approx(4.3)


def test_chain_end_must_be_a_ready_node() -> None:
    """Asking for the chain of an unknown node, or of one that never became ready, says so."""
    with pytest.raises(ValueError, match="no node called 'nope'"):
        critical_chain(GATEWAY, "nope")
    with pytest.raises(ValueError, match="'a' never became ready"):
        critical_chain([node("a", 0, None)], "a")


def test_chain_lines_look_like_systemd_analyze() -> None:
    """The last node comes first, each requirement indented under the node that waited."""
    assert chain_lines(critical_chain(GATEWAY)) == [
        "providers @+5.300s +0.100s",
        "└─default_tenant @+5.200s +0.100s",
        "  └─migrations @+5.100s +4.300s",
        "    └─db @+0.800s +0.800s",
    ]


def test_slowest_lists_the_longest_first_and_skips_unfinished_nodes() -> None:
    """Like `systemd-analyze blame`: by time taken, longest first, only nodes that finished."""
    nodes = [*GATEWAY, node("broken", 0, None)]
    assert [n.name for n in slowest(nodes, 3)] == ["migrations", "cache", "db"]
    assert slowest(nodes, 0) == ()


@st.composite
def timelines(draw: st.DrawFn) -> list[NodeTiming]:
    """A startup as the engine runs one: each node starts once its requirements are ready."""
    count = draw(st.integers(1, 12))
    nodes: list[NodeTiming] = []
    for i in range(count):
        requires = draw(st.lists(st.sampled_from(range(i)), unique=True, max_size=3)) if i else []
        reqs = [nodes[j] for j in requires]
        if any(r.ready_s is None for r in reqs):
            nodes.append(NodeTiming(f"n{i}", requires=tuple(f"n{j}" for j in requires)))
            continue
        gap = draw(st.floats(0, 0.01))  # scheduling latency after the last requirement
        start = max((r.ready_s or 0.0 for r in reqs), default=0.0) + gap
        fails = draw(st.booleans()) and draw(st.booleans())
        took = draw(st.floats(0, 10, allow_nan=False))
        nodes.append(
            NodeTiming(
                f"n{i}",
                requires=tuple(f"n{j}" for j in requires),
                phase="failed" if fails else "ready",
                started_s=start,
                ready_s=None if fails else start + took,
                duration_s=None if fails else took,
                optional=draw(st.booleans()),
            )
        )
    return nodes


@settings(max_examples=300, deadline=None)
@given(timelines())
def test_chain_properties(nodes: list[NodeTiming]) -> None:
    """The chain ends when startup ended; each link's requirement was ready before the next
    link started, and was the last of that node's requirements to become ready."""
    chain = critical_chain(nodes)
    ready = [n for n in nodes if n.ready_s is not None]
    if not ready:
        assert chain == ()
        return
    required = [n for n in ready if not n.optional] or ready
    assert chain[-1].ready_s == max(n.ready_s or 0.0 for n in required)
    by_name = {n.name: n for n in nodes}
    for before, after in itertools.pairwise(chain):
        assert before.name in by_name[after.name].requires
        assert after.started_s is not None
        assert before.ready_s <= after.started_s
        met = [by_name[r].ready_s or 0.0 for r in by_name[after.name].requires]
        assert before.ready_s == max(met)
    # The root waited for nothing that became ready.
    root = by_name[chain[0].name]
    assert all(by_name[r].ready_s is None for r in root.requires)
    assert len({link.name for link in chain}) == len(chain)
