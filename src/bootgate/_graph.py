"""The startup graph, pure: validation, start order, shutdown order, critical path."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ._errors import CycleError, DuplicateNameError, UnknownDependencyError


@dataclass(frozen=True, slots=True)
class Graph:
    """A validated graph: every requirement exists, no name repeats, there is no cycle."""

    order: tuple[str, ...]
    """A start order: each name comes after everything it requires (ties keep declaration order)."""
    requires: Mapping[str, tuple[str, ...]]
    dependents: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(cls, nodes: Iterable[tuple[str, Sequence[str]]]) -> Graph:
        """Validate `(name, requirements)` pairs and return the graph; raise a GraphError if bad."""
        requires: dict[str, tuple[str, ...]] = {}
        for name, reqs in nodes:
            if name in requires:
                raise DuplicateNameError(name)
            requires[name] = tuple(dict.fromkeys(reqs))
        dependents: dict[str, list[str]] = {name: [] for name in requires}
        for name, reqs in requires.items():
            for req in reqs:
                if req == name:
                    raise CycleError((name, name))
                if req not in requires:
                    raise UnknownDependencyError(name, req)
                dependents[req].append(name)
        order = _topological(requires, dependents)
        return cls(
            order=order,
            requires=MappingProxyType(requires),
            dependents=MappingProxyType({k: tuple(v) for k, v in dependents.items()}),
        )

    def shutdown_order(self) -> tuple[str, ...]:
        """The reverse of the start order: dependents stop before what they require."""
        return self.order[::-1]

    def descendants(self, name: str) -> tuple[str, ...]:
        """Everything that requires `name`, directly or not, in start order."""
        seen: set[str] = set()
        todo = deque(self.dependents[name])
        while todo:
            current = todo.popleft()
            if current not in seen:
                seen.add(current)
                todo.extend(self.dependents[current])
        return tuple(n for n in self.order if n in seen)

    def critical_path(self, durations: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """The longest chain by summed duration (missing names count 0): its length and names."""
        finish: dict[str, float] = {}
        via: dict[str, str | None] = {}
        for name in self.order:
            best: str | None = None
            start = 0.0
            for req in self.requires[name]:
                if finish[req] > start or best is None:
                    best, start = req, max(start, finish[req])
            finish[name] = start + durations.get(name, 0.0)
            via[name] = best
        if not finish:
            return 0.0, ()
        end = max(self.order, key=lambda n: finish[n])
        path: list[str] = []
        cursor: str | None = end
        while cursor is not None:
            path.append(cursor)
            cursor = via[cursor]
        return finish[end], tuple(reversed(path))


def _topological(
    requires: Mapping[str, tuple[str, ...]], dependents: Mapping[str, list[str]]
) -> tuple[str, ...]:
    waiting = {name: len(reqs) for name, reqs in requires.items()}
    ready = deque(name for name, count in waiting.items() if count == 0)
    order: list[str] = []
    while ready:
        name = ready.popleft()
        order.append(name)
        for dependent in dependents[name]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                ready.append(dependent)
    if len(order) != len(requires):
        raise CycleError(_find_cycle(requires, {n for n, c in waiting.items() if c > 0}))
    return tuple(order)


def _find_cycle(requires: Mapping[str, tuple[str, ...]], stuck: set[str]) -> list[str]:
    # Every stuck node requires another stuck node, so walking requirements must loop.
    start = next(name for name in requires if name in stuck)
    path: list[str] = []
    index: dict[str, int] = {}
    current = start
    while current not in index:
        index[current] = len(path)
        path.append(current)
        current = next(req for req in requires[current] if req in stuck)
    return [*path[index[current] :], current]
