"""The startup graph: validation before anything runs, orders, critical path."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import CycleError, DuplicateNameError, UnknownDependencyError
from bootgate._graph import Graph


def test_start_order_puts_requirements_first_and_keeps_declaration_order() -> None:
    """Each node follows its requirements; independent nodes keep the order they were declared."""
    graph = Graph.build(
        [("providers", ["tenant"]), ("schema", []), ("tenant", ["schema"]), ("cache", [])]
    )
    assert graph.order == ("schema", "cache", "tenant", "providers")
    assert graph.shutdown_order() == ("providers", "tenant", "cache", "schema")


def test_unknown_requirement_names_both_ends() -> None:
    """Requiring a name nobody declared is reported with the node and the missing name."""
    with pytest.raises(UnknownDependencyError, match="'providers' requires 'tenant'"):
        Graph.build([("providers", ["tenant"])])


def test_duplicate_names_are_rejected() -> None:
    """Two nodes may not share a name."""
    with pytest.raises(DuplicateNameError, match="'db'"):
        Graph.build([("db", []), ("db", [])])


def test_self_dependency_is_a_cycle() -> None:
    """A node requiring itself is reported as such."""
    with pytest.raises(CycleError, match="'a' requires itself") as info:
        Graph.build([("a", ["a"])])
    assert info.value.cycle == ("a", "a")


def test_cycle_error_names_the_whole_cycle() -> None:
    """The message walks the cycle and returns to its start: a -> b -> c -> a."""
    with pytest.raises(CycleError) as info:
        Graph.build([("x", []), ("a", ["b", "x"]), ("b", ["c"]), ("c", ["a"]), ("d", ["a"])])
    assert str(info.value) == "requirements form a cycle: a -> b -> c -> a"


def test_repeated_requirements_count_once() -> None:
    """Listing a requirement twice is harmless."""
    graph = Graph.build([("a", []), ("b", ["a", "a"])])
    assert graph.requires["b"] == ("a",)
    assert graph.dependents["a"] == ("b",)


def test_descendants_in_start_order() -> None:
    """Everything downstream of a node, direct or not, in start order."""
    graph = Graph.build([("a", []), ("b", ["a"]), ("c", ["b"]), ("d", []), ("e", ["c", "d"])])
    assert graph.descendants("a") == ("b", "c", "e")
    assert graph.descendants("e") == ()


def test_critical_path_is_the_longest_chain() -> None:
    """The critical path sums durations along the slowest chain of requirements."""
    graph = Graph.build([("a", []), ("b", ["a"]), ("c", []), ("d", ["b", "c"])])
    length, path = graph.critical_path({"a": 1, "b": 2, "c": 5, "d": 1})
    assert length == 6
    assert path == ("c", "d")
    assert Graph.build([]).critical_path({}) == (0.0, ())


@st.composite
def dags(draw: st.DrawFn) -> list[tuple[str, list[str]]]:
    """Random DAGs, declared in shuffled order."""
    size = draw(st.integers(0, 30))
    nodes = []
    for i in range(size):
        reqs = draw(st.lists(st.integers(0, max(i - 1, 0)), max_size=4)) if i else []
        nodes.append((f"n{i}", [f"n{r}" for r in reqs]))
    random.Random(draw(st.integers(0, 1000))).shuffle(nodes)
    return nodes


@given(dags())
def test_any_dag_gets_a_valid_start_order(nodes: list[tuple[str, list[str]]]) -> None:
    """For every acyclic graph, each node's requirements come before it, and all nodes appear."""
    graph = Graph.build(nodes)
    position = {name: i for i, name in enumerate(graph.order)}
    assert len(position) == len(nodes)
    for name, reqs in nodes:
        assert all(position[r] < position[name] for r in reqs)


@given(dags(), st.data())
def test_adding_a_back_edge_is_always_caught(
    nodes: list[tuple[str, list[str]]], data: st.DataObject
) -> None:
    """Making an ancestor require its descendant yields a CycleError whose path really loops."""
    graph = Graph.build(nodes)
    candidates = [(n, d) for n in graph.order for d in graph.descendants(n)]
    if not candidates:
        return
    ancestor, descendant = data.draw(st.sampled_from(candidates))
    changed = [(n, [*r, descendant] if n == ancestor else r) for n, r in nodes]
    with pytest.raises(CycleError) as info:
        Graph.build(changed)
    cycle = info.value.cycle
    requires = dict(changed)
    assert cycle[0] == cycle[-1]
    assert all(b in requires[a] for a, b in itertools.pairwise(cycle))
