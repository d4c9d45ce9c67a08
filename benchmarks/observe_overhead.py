"""What observing a startup costs: the tracing hook and the history hook against no hook.

One process, one graph of no-op steps (a random DAG, seeded), declared, run and shut down once
per measurement. Variants run in turn (none, a do-nothing hook, OpenTelemetry on the API's
no-op provider, OpenTelemetry on the SDK with every span exported to memory, History), round
after round, so load from other processes falls on all alike; CPU time is reported beside
wall time, being less disturbed by such load. The do-nothing hook isolates what the engine
itself pays to hand out events (one NodeStatus per change) from what each hook adds.

Then the history file alone: appending one startup of 10 and of 1,000 nodes, and the read of
recent durations a History does once per startup.

    .venv/bin/python benchmarks/observe_overhead.py [--nodes 1000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import anyio

from bootgate import Boot, Event, Hook
from bootgate.observe import History, HistoryFile, NodeTiming, Startup


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


def ignore(event: Event) -> None:
    """A hook that does nothing."""


def otel_sdk() -> Hook:
    """The tracing hook on an SDK provider exporting each span, as it ends, to memory."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from bootgate.integrations.opentelemetry import OpenTelemetryHook

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    return OpenTelemetryHook(provider)


def otel_noop() -> Hook:
    """The tracing hook with no SDK configured: the API's no-op provider."""
    from opentelemetry.trace import NoOpTracerProvider

    from bootgate.integrations.opentelemetry import OpenTelemetryHook

    return OpenTelemetryHook(NoOpTracerProvider())


def variants(directory: Path) -> dict[str, Callable[[], list[Hook]]]:
    """Each variant's hooks, made fresh for every run."""
    history = directory / "history.sqlite"
    return {
        "no hook": list,
        "do-nothing hook": lambda: [ignore],
        "otel, no-op provider": lambda: [otel_noop()],
        "otel, SDK + export": lambda: [otel_sdk()],
        "history": lambda: [History(history)],
    }


async def startup(dag: list[tuple[str, list[str]]], hooks: list[Hook]) -> None:
    """Declare, run to ready and shut down one boot of `dag`."""
    boot = Boot("bench", hooks=hooks)
    for name, requires in dag:
        boot.step(name=name, requires=requires)(noop)
    async with boot.running() as status:
        if not status.ready:
            raise RuntimeError("not ready")


def measure(dag: list[tuple[str, list[str]]], hooks: list[Hook]) -> tuple[float, float]:
    """Wall and CPU seconds of one startup."""
    begin, cpu = time.perf_counter(), time.process_time()
    anyio.run(startup, dag, hooks)
    return time.perf_counter() - begin, time.process_time() - cpu


def history_writes(directory: Path, repeats: int) -> dict[str, float]:
    """Median seconds of appending one startup (10 and 1,000 nodes) and of one read of recent
    durations, on a connection kept open as the History hook keeps it during a run."""
    results: dict[str, float] = {}
    for count in (10, 1000):
        file = HistoryFile(directory / f"writes-{count}.sqlite", keep_open=True)
        nodes = tuple(
            NodeTiming(f"n{i}", "step", (f"n{i - 1}",) if i else (), "ready", i, i + 1.0, 1.0)
            for i in range(count)
        )
        samples = []
        for _ in range(repeats):
            begin = time.perf_counter()
            file.append(Startup("bench", time.time(), nodes))
            samples.append(time.perf_counter() - begin)
        results[f"append a startup of {count:,} nodes"] = statistics.median(samples)
        samples = []
        for _ in range(repeats):
            begin = time.perf_counter()
            file.recent_durations("bench", 10)
            samples.append(time.perf_counter() - begin)
        results[f"read recent durations ({count:,} nodes)"] = statistics.median(samples)
        file.close()
    return results


def main() -> None:
    """Run every variant `--rounds` times in turn and print medians, per-node costs, ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    dag = random_dag(args.nodes, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        made = variants(directory)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in made}
        for hooks in made.values():  # one warm-up each: imports, first SQLite file
            measure(dag, hooks())
        for _ in range(args.rounds):
            for name, hooks in made.items():
                samples[name].append(measure(dag, hooks()))
        writes = history_writes(directory, repeats=max(args.rounds, 20))
    edges = sum(len(r) for _, r in dag)
    print(
        f"{args.nodes:,} no-op steps, {edges:,} edges, seed {args.seed}, "
        f"median of {args.rounds} rounds"
    )
    print(
        f"{'':<22} {'wall ms':>9} {'CPU ms':>9} {'CPU/node µs':>12} "
        f"{'+CPU/node µs':>13} {'CPU ratio':>10}"
    )
    base_cpu = statistics.median(cpu for _, cpu in samples["no hook"])
    for name, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"{name:<22} {wall * 1e3:>9.1f} {cpu * 1e3:>9.1f} {cpu / args.nodes * 1e6:>12.1f} "
            f"{(cpu - base_cpu) / args.nodes * 1e6:>13.1f} {cpu / base_cpu:>9.2f}x"
        )
    print()
    for what, seconds in writes.items():
        print(f"{what:<40} {seconds * 1e3:>8.2f} ms")


if __name__ == "__main__":
    main()
