"""Stack startup against its critical path, and the same stack under docker-compose.

Five processes (db, cache, migrate, gateway, ui) with real delays of 0.1-0.5 s; the critical
path db → migrate (completed) → gateway → ui. Side by side, each the median of --runs:

- floor: the critical path by hand: spawn each process of the chain, poll its port every 1 ms,
  spawn the next (what no tool can beat)
- bootgate (in process): `StackRun` until the stack reports ready
- bootgate up (command): `bootgate up FILE` until the UI's port accepts (interpreter included)
- docker-compose (with --compose, as root): the file exported by `bootgate export compose
  --host-network` (healthchecks running `bootgate check` every 1 s), `docker-compose up -d` until
  the UI's port accepts, on a private dockerd (tests/compose/docker.py)

    .venv/bin/python benchmarks/stack_startup.py [--runs 5] [--compose]
"""

from __future__ import annotations

import argparse
import io
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import aclosing
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from benchmarks._stack import CRITICAL, GRAPH, TASKS, argv, spare_port, stack_file, wait_port
from bootgate.stack import Console, Options, StackRun, load_stack


def floor(ports: dict[str, int]) -> float:
    """The critical path by hand."""
    started = time.monotonic()
    children = []
    try:
        for name in CRITICAL:
            child = subprocess.Popen(argv(name, ports[name]), stdout=subprocess.DEVNULL)
            children.append(child)
            if name in TASKS:
                child.wait()
            else:
                wait_port(ports[name])
        return time.monotonic() - started
    finally:
        for child in children:
            child.kill()
            child.wait()


def in_process(path: Path) -> float:
    """bootgate's own engine: from the start of the run to the stack's ready."""
    stack = load_stack(path)

    async def main() -> float:
        console = Console([p.name for p in stack.processes], stream=io.StringIO())
        run = StackRun(stack, console, Options(signals=False))
        began = time.monotonic()
        ready_at = 0.0
        async with anyio.create_task_group() as tg:
            tg.start_soon(run.run)
            async with aclosing(run.view.subscribe()) as snapshots:
                async for status in snapshots:
                    if status.ready:
                        ready_at = time.monotonic()
                        break
            run.stop()
        return ready_at - began

    return anyio.run(main)


def command(path: Path, ui_port: int) -> float:
    """`bootgate up FILE`, a fresh interpreter, until the UI's port accepts."""
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bootgate.cli", "up", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return wait_port(ui_port) - began
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def compose_runs(runs: int) -> list[float]:
    """docker-compose with healthchecks, on a private engine (root only)."""
    from benchmarks._compose import compose_startup

    return compose_startup(runs)


def main() -> None:
    """Run every strategy --runs times, interleaved; print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compose", action="store_true", help="also docker-compose (root)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {"floor": [], "in process": [], "bootgate up": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            ports = {name: spare_port() for name in GRAPH}
            path = stack_file(Path(tmp), ports)
            times["floor"].append(floor(ports))
            times["in process"].append(in_process(path))
            ports = {name: spare_port() for name in GRAPH}
            path = stack_file(Path(tmp), ports)
            times["bootgate up"].append(command(path, ports["ui"]))
    if args.compose:
        times["docker-compose"] = compose_runs(args.runs)
    sleeps = sum(GRAPH[name][0] for name in CRITICAL)
    base = statistics.median(times["floor"])
    print(f"critical path: {' → '.join(CRITICAL)}, {sleeps:.1f} s of sleeps; median of {args.runs}")
    print(f"{'strategy':<16} {'wall time':>10} {'x floor':>8} {'overhead':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<16} {median:>9.4f}s {median / base:>7.3f}x {1000 * (median - base):>7.1f}ms")
    allowance = 1.05 * base + 0.05
    engine = statistics.median(times["in process"])
    verdict = "met" if engine <= allowance else "missed"
    print(
        f"goal ≤ 1.05x + 50 ms for the engine: {verdict} ({engine:.4f}s against {allowance:.4f}s)"
    )


if __name__ == "__main__":
    main()
