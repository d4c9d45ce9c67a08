"""Readiness as an event: how soon a waiter learns that a bootgate service became ready.

A bootgate service (benchmarks/push_app.py under uvicorn) turns ready when the benchmark sends
GET /release, at a random moment 0.5-1 s after the waiter started. The service notes the
wall-clock moment it turned ready; a waiter's latency is the time from that moment to the
waiter's exit, and its request count is what the service saw from its User-Agent. Waiters,
one at a time, in interleaved rounds:

- `bootgate wait http://…/readyz`: follows the service's status stream (one request);
- a 1 ms poller of /readyz (a new connection per poll, as cheap a poller as Python allows):
  the floor of polling, and what it costs the service;
- npm's wait-on at its default interval (250 ms), as users run it.

    .venv/bin/python benchmarks/wait_push.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from benchmarks._peers import BOOTGATE, ROOT, wait_on
from benchmarks.wait_latency import Run
from tests.servers import free_port

POLLER = """
import socket, sys, time
port = int(sys.argv[1])
request = (
    b"GET /readyz HTTP/1.1\\r\\nHost: x\\r\\nUser-Agent: poller\\r\\n"
    b"Connection: close\\r\\n\\r\\n"
)
while True:
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request)
        if s.recv(64).startswith(b"HTTP/1.1 200"):
            sys.exit(0)
    time.sleep(0.001)
"""
AGENT = {"bootgate": "bootgate", "1 ms poller": "poller", "wait-on": "axios"}


def start_service(port: int) -> subprocess.Popen[bytes]:
    """The push service under one uvicorn worker."""
    command = [sys.executable, "-m", "uvicorn", "benchmarks.push_app:service", "--factory"]
    command += ["--port", str(port), "--host", "127.0.0.1", "--loop", "asyncio", "--http", "h11"]
    command += ["--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT)


def get(port: int, path: str) -> object:
    """GET a control path of the service and decode its JSON answer."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return json.loads(answer.read())


def until_up(port: int) -> None:
    """Wait (bounded) until the service answers its control path."""
    deadline = time.monotonic() + 20
    while True:
        try:
            get(port, "/flipped")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def waiter(name: str, port: int) -> list[str] | None:
    """The command of one waiter, or None if that peer is not installed."""
    url = f"http://127.0.0.1:{port}/readyz"
    if name == "bootgate":
        return [BOOTGATE, "wait", "-q", "--timeout", "20s", url]
    if name == "1 ms poller":
        return [sys.executable, "-c", POLLER, str(port)]
    peer = wait_on()
    return None if peer is None else [peer, "-t", "20000", url.replace("http", "http-get", 1)]


def trial(name: str, rng: random.Random) -> tuple[float, int] | None:
    """One waiter against a fresh service: (latency in seconds, requests it made)."""
    port = free_port()
    service = start_service(port)
    try:
        until_up(port)
        argv = waiter(name, port)
        if argv is None:
            return None
        run = Run(name, argv)
        time.sleep(rng.uniform(0.5, 1.0))
        get(port, "/release")
        run.join(20)
        if run.status != 0:
            raise RuntimeError(f"{name} exited {run.status}")
        flipped = get(port, "/flipped")
        counts = get(port, "/count")
        if not isinstance(flipped, float) or not isinstance(counts, dict):
            raise RuntimeError(f"unexpected answers: {flipped!r}, {counts!r}")
        return run.ended - flipped, int(counts.get(AGENT[name], 0))
    finally:
        service.terminate()
        service.wait(10)


def main() -> None:
    """Interleaved rounds; medians; ratios against the 1 ms poller."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(7)
    names = list(AGENT)
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
    for _ in range(args.rounds):
        rng.shuffle(names)
        for name in names:
            outcome = trial(name, rng)
            if outcome is not None:
                results[name].append(outcome)
    floor = statistics.median(lat for lat, _ in results["1 ms poller"])
    print(f"{'waiter':<14} {'median ms':>10} {'p90 ms':>8} {'requests':>9} {'vs poller':>10}")
    for name, runs in results.items():
        if not runs:
            print(f"{name:<14} not installed")
            continue
        latencies = sorted(lat for lat, _ in runs)
        median = statistics.median(latencies)
        p90 = latencies[int(0.9 * (len(latencies) - 1))]
        requests = statistics.median(count for _, count in runs)
        print(
            f"{name:<14} {median * 1000:>10.1f} {p90 * 1000:>8.1f} {requests:>9.0f}"
            f" {median / floor:>9.2f}x"
        )


if __name__ == "__main__":
    main()
