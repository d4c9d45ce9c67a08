"""Supervisor memory and stop time for 10 processes: bootgate up, supervisord, honcho.

Each supervisor starts ten `sleep 600` processes; once all ten run, its own resident memory
(VmRSS of the supervisor's process, children excluded) is read, then SIGTERM is sent and the
time until it has exited with every child gone is measured. Median of --runs, interleaved.
The peers are installed for the benchmark only: pip install --group pyproject.toml:bench

    .venv/bin/python benchmarks/stack_supervisors.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

N = 10
BIN = Path(sys.executable).parent


def descendants(pid: int) -> list[int]:
    """Every process below `pid`."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rfind(")") + 2 :].split()[1])
            parents.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def sleeps(pid: int) -> list[int]:
    """The `sleep` processes below `pid`."""
    out = []
    for child in descendants(pid):
        try:
            if Path(f"/proc/{child}/comm").read_text().strip() == "sleep":
                out.append(child)
        except OSError:
            pass
    return out


def rss_kib(pid: int) -> int:
    """Resident memory of one process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(RSS in MiB once all N run, seconds from SIGTERM to exit with nothing left)."""
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(sleeps(proc.pid)) < N:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(f"{argv[0]} did not start {N} processes")
        time.sleep(0.02)
    time.sleep(0.5)  # settled: nothing left starting
    memory = rss_kib(proc.pid) / 1024
    children = sleeps(proc.pid)
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    while any(Path(f"/proc/{c}").exists() and _alive(c) for c in children):
        time.sleep(0.001)
    return memory, time.monotonic() - began


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def bootgate(tmp: Path) -> list[str]:
    """`bootgate up` on N independent processes."""
    text = "".join(f'[process.p{i}]\ncommand = ["sleep", "600"]\n\n' for i in range(N))
    (tmp / "bootgate.toml").write_text(text)
    return [sys.executable, "-m", "bootgate.cli", "up", str(tmp / "bootgate.toml")]


def supervisord(tmp: Path) -> list[str]:
    """supervisord in the foreground with N programs."""
    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"logfile={tmp / 'supervisord.log'}",
        f"pidfile={tmp / 'supervisord.pid'}",
        "user=root",
    ]
    for i in range(N):
        lines += [f"[program:p{i}]", "command=sleep 600", "startsecs=0", "autorestart=false"]
        lines += [f"stdout_logfile={tmp / f'p{i}.log'}", "stopwaitsecs=10"]
    (tmp / "supervisord.conf").write_text("\n".join(lines) + "\n")
    return [str(BIN / "supervisord"), "-c", str(tmp / "supervisord.conf")]


def honcho(tmp: Path) -> list[str]:
    """honcho start with a Procfile of N entries."""
    (tmp / "Procfile").write_text("".join(f"p{i}: sleep 600\n" for i in range(N)))
    return [str(BIN / "honcho"), "-f", str(tmp / "Procfile"), "start"]


def main() -> None:
    """Interleave the supervisors --runs times; print medians and ratios to bootgate up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    peers: dict[str, Callable[[Path], list[str]]] = {"bootgate up": bootgate}
    others: dict[str, Callable[[Path], list[str]]] = {"supervisord": supervisord, "honcho": honcho}
    for name, make in others.items():
        if shutil.which(name, path=str(BIN)):
            peers[name] = make
        else:
            print(f"({name} is not installed: pip install --group pyproject.toml:bench)")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in peers}
    for _ in range(args.runs):
        for name, make in peers.items():
            with tempfile.TemporaryDirectory() as tmp:
                results[name].append(measure(make(Path(tmp)), Path(tmp)))
    base_mem = statistics.median(m for m, _ in results["bootgate up"])
    base_stop = statistics.median(s for _, s in results["bootgate up"])
    print(f"{N} processes, median of {args.runs}")
    print(f"{'supervisor':<12} {'RSS':>9} {'x bootgate':>10} {'stop':>9} {'x bootgate':>10}")
    for name, values in results.items():
        memory = statistics.median(m for m, _ in values)
        stop = statistics.median(s for _, s in values)
        print(
            f"{name:<12} {memory:>6.1f}MiB {memory / base_mem:>9.2f}x {1000 * stop:>7.1f}ms "
            f"{stop / base_stop:>9.2f}x"
        )


if __name__ == "__main__":
    main()
