"""Scheduler overhead: 10,000 no-op steps in a random DAG (seeded), wall time and peak memory.

Each measurement runs in a fresh subprocess so peak RSS belongs to one run. Beside bootgate
stands a baseline: the smallest correct anyio scheduler for the same DAG (a task per node that
waits on an event per requirement), so the ratio shows what status, events and retries cost.
Runs alternate (bootgate, baseline, bootgate, ...) so that load from other processes falls on
both alike; CPU time is reported beside wall time, being less disturbed by such load.

    .venv/bin/python benchmarks/scheduler_overhead.py [--nodes 10000] [--seed 1] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time

import anyio


def random_dag(nodes: int, seed: int) -> list[tuple[str, list[str]]]:
    """Each node requires up to 3 random earlier nodes."""
    rng = random.Random(seed)
    dag: list[tuple[str, list[str]]] = []
    for i in range(nodes):
        k = min(i, rng.randint(0, 3))
        dag.append((f"n{i}", [f"n{j}" for j in rng.sample(range(i), k)]))
    return dag


async def noop() -> None:
    """The step: nothing at all."""


async def with_bootgate(dag: list[tuple[str, list[str]]]) -> None:
    """Run the DAG with bootgate."""
    from bootgate import Boot

    boot = Boot("bench", hooks=[])
    for name, requires in dag:
        boot.step(name=name, requires=requires)(noop)
    async with boot.running() as status:
        if not status.ready:
            raise RuntimeError("not ready")


async def with_baseline(dag: list[tuple[str, list[str]]]) -> None:
    """Run the DAG with an event per node and a task per node."""
    done = {name: anyio.Event() for name, _ in dag}

    async def node(name: str, requires: list[str]) -> None:
        for r in requires:
            await done[r].wait()
        await noop()
        done[name].set()

    async with anyio.create_task_group() as tg:
        for name, requires in dag:
            tg.start_soon(node, name, requires)


def child(which: str, nodes: int, seed: int) -> None:
    """Measure one run in this process and print it as JSON."""
    dag = random_dag(nodes, seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    begin, cpu = time.perf_counter(), time.process_time()
    anyio.run(with_bootgate if which == "bootgate" else with_baseline, dag)
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "cpu": cpu,
                "peak_mb": peak / 1024,
                "grew_mb": (peak - before) / 1024,
            }
        )
    )


def main() -> None:
    """Run both in subprocesses, three times each, and print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=["bootgate", "baseline"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.nodes, args.seed)
        return
    samples: dict[str, list[dict[str, float]]] = {"bootgate": [], "baseline": []}
    for _ in range(args.runs):
        for which in samples:
            command = [sys.executable, __file__, "--child", which]
            command += ["--nodes", str(args.nodes), "--seed", str(args.seed)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            samples[which].append(json.loads(out.stdout))
    results = {
        which: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for which, runs in samples.items()
    }
    edges = sum(len(r) for _, r in random_dag(args.nodes, args.seed))
    print(f"{args.nodes} no-op steps, {edges} edges, seed {args.seed}, median of {args.runs}")
    print(f"{'':<10} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'RSS growth MB':>14}")
    for which, r in results.items():
        print(
            f"{which:<10} {r['seconds']:>8.3f} {r['cpu']:>8.3f} {r['peak_mb']:>12.1f} "
            f"{r['grew_mb']:>14.1f}"
        )
    b, base = results["bootgate"], results["baseline"]
    print(
        f"ratio      {b['seconds'] / base['seconds']:>7.2f}x {b['cpu'] / base['cpu']:>7.2f}x "
        f"{b['peak_mb'] / base['peak_mb']:>11.2f}x "
        f"{b['grew_mb'] / max(base['grew_mb'], 0.1):>13.2f}x"
    )


if __name__ == "__main__":
    main()
