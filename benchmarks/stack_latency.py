"""Ready-to-exec latency: how long after a process says it is ready its dependent is running.

A prints "ready <unix time>" (the moment it is ready); B, which requires A ready, is
`bash -c 'echo $EPOCHREALTIME'` (the moment it runs). The latency is B's time minus A's.
Side by side, interleaved, --rounds each:

- floor: a parent that reads A's line from a pipe and spawns B at once (fork/exec and bash's
  own start: what any supervisor pays)
- bootgate: a stack where B requires A `ready = { log = "ready" }`, run in process

    .venv/bin/python benchmarks/stack_latency.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import aclosing
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from bootgate.stack import Console, Options, StackRun, load_stack

A = "import time; time.sleep(0.05); print('ready', repr(time.time()), flush=True); time.sleep(60)"
BASH = shutil.which("bash") or "/bin/bash"
B = [BASH, "-c", "echo $EPOCHREALTIME"]
#: In the stack, B stays up after printing (it is a service that must be ready to count).
B_SERVICE = [BASH, "-c", "echo $EPOCHREALTIME; exec sleep 60"]


def floor() -> float:
    """Read A's line, spawn B at once."""
    a = subprocess.Popen([sys.executable, "-c", A], stdout=subprocess.PIPE, text=True)
    try:
        assert a.stdout is not None
        ready = float(a.stdout.readline().split()[1])
        b = subprocess.run(B, capture_output=True, text=True, check=True)
        return float(b.stdout) - ready
    finally:
        a.kill()
        a.wait()


def bootgate(path: Path) -> float:
    """The same pair as a stack."""
    stack = load_stack(path)

    async def main() -> float:
        buffer = io.StringIO()
        console = Console(["a", "b"], stream=buffer, colour=False, as_json=True)
        run = StackRun(stack, console, Options(signals=False))
        async with anyio.create_task_group() as tg:
            tg.start_soon(run.run)
            async with aclosing(run.view.subscribe()) as snapshots:
                async for status in snapshots:
                    if status.ready or status.failed:
                        break
            run.stop()
        lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
        a = next(r["line"] for r in lines if r.get("process") == "a" and "line" in r)
        b = next(r["line"] for r in lines if r.get("process") == "b" and "line" in r)
        return float(b) - float(a.split()[1])

    return anyio.run(main)


def main() -> None:
    """Interleave both --rounds times; print medians and p90, and the difference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pair.toml"
        path.write_text(
            f"[process.a]\ncommand = {json.dumps([sys.executable, '-c', A])}\n"
            'ready = { log = "ready" }\n\n'
            f"[process.b]\ncommand = {json.dumps(B_SERVICE)}\n"
            'requires = { a = "ready" }\nready = { log = "." }\n'
        )
        results: dict[str, list[float]] = {"floor (fork/exec)": [], "bootgate": []}
        for _ in range(args.rounds):
            results["floor (fork/exec)"].append(floor())
            results["bootgate"].append(bootgate(path))
    base = statistics.median(results["floor (fork/exec)"])
    print(f"ready-to-exec latency, {args.rounds} rounds")
    print(f"{'strategy':<18} {'median':>9} {'p90':>9} {'x floor':>8}")
    for name, values in results.items():
        values.sort()
        median = statistics.median(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"{name:<18} {1000 * median:>7.2f}ms {1000 * p90:>7.2f}ms {median / base:>7.2f}x")


if __name__ == "__main__":
    main()
