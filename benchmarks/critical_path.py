"""Critical-path fidelity: does startup take the critical path, not the sum of layers?

A graph of three branches with real sleeps of 0.1-0.5 s, run by bootgate and by two baselines
in the same process: "layers" (run each topological layer concurrently, wait for the whole
layer, then the next: what a hand-rolled gather-per-level does) and "sequential".

    .venv/bin/python benchmarks/critical_path.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import anyio

from bootgate import Boot
from bootgate._graph import Graph

# name: (seconds, requirements) -- three branches joining at "serve".
GRAPH: dict[str, tuple[float, tuple[str, ...]]] = {
    "config": (0.1, ()),
    "db": (0.3, ("config",)),
    "migrations": (0.5, ("db",)),
    "cache": (0.1, ("config",)),
    "cache_warm": (0.2, ("cache",)),
    "search_index": (0.4, ("cache_warm",)),
    "tls": (0.2, ()),
    "serve": (0.1, ("migrations", "search_index", "tls")),
}


def sleeper(seconds: float):  # type: ignore[no-untyped-def]
    """An async step that sleeps for real."""

    async def step() -> None:
        await anyio.sleep(seconds)

    return step


async def run_bootgate() -> float:
    """Wall time of one bootgate startup of GRAPH."""
    boot = Boot("bench", hooks=[])
    for name, (seconds, requires) in GRAPH.items():
        boot.step(name=name, requires=requires)(sleeper(seconds))
    begin = time.perf_counter()
    async with boot.running():
        return time.perf_counter() - begin


async def run_layers() -> float:
    """Wall time when each topological layer waits for the whole previous layer."""
    depth: dict[str, int] = {}
    for name, (_, requires) in GRAPH.items():
        depth[name] = 1 + max((depth[r] for r in requires), default=-1)
    begin = time.perf_counter()
    for level in range(max(depth.values()) + 1):
        async with anyio.create_task_group() as tg:
            for name, d in depth.items():
                if d == level:
                    tg.start_soon(sleeper(GRAPH[name][0]))
    return time.perf_counter() - begin


async def run_sequential() -> float:
    """Wall time when steps run one after another."""
    begin = time.perf_counter()
    for seconds, _ in GRAPH.values():
        await anyio.sleep(seconds)
    return time.perf_counter() - begin


def main() -> None:
    """Run each strategy `--runs` times and print medians and ratios to the critical path."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    graph = Graph.build((n, r) for n, (_, r) in GRAPH.items())
    critical, path = graph.critical_path({n: s for n, (s, _) in GRAPH.items()})
    print(
        f"critical path: {' -> '.join(path)} = {critical:.3f} s "
        f"(sum of all steps {sum(s for s, _ in GRAPH.values()):.3f} s)"
    )
    print(f"{'strategy':<12} {'median s':>9} {'x critical':>11} {'overhead ms':>12}")
    for label, fn in (
        ("bootgate", run_bootgate),
        ("layers", run_layers),
        ("sequential", run_sequential),
    ):
        times = [anyio.run(fn) for _ in range(runs)]
        median = statistics.median(times)
        print(
            f"{label:<12} {median:>9.4f} {median / critical:>11.4f} "
            f"{(median - critical) * 1000:>12.1f}"
        )


if __name__ == "__main__":
    main()
