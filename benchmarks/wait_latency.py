"""Detection latency, request rate and CPU of `bootgate wait` against its peers, side by side.

In each trial every waiter starts at once against a target that is not available yet; after a
random 1-2 s the target becomes available, and each waiter's latency is the time from that
moment to its exit. Targets:

- tcp: a port nobody listens on, then a listener;
- http: an endpoint answering 503, then 200 (each waiter has its own path, so its requests
  are counted: the rate is requests per second of waiting);
- postgres: a private PostgreSQL started at the random moment; "available" is the time of
  its log line "database system is ready to accept connections" (wait-on and the wait-for-its
  can only watch the TCP port, so they may say ready before PostgreSQL accepts sessions:
  those answers are counted as "early").

Then CPU while waiting: each waiter against a target that never becomes ready, for 1 s and for
5 s; the difference over 4 s is the CPU cost per second of waiting, start-up excluded.

    .venv/bin/python benchmarks/wait_latency.py [--n 30] [--only tcp,http,postgres,cpu]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from benchmarks._peers import (
    BOOTGATE,
    debian_wait_for_it,
    pypi_wait_for_it,
    wait_on,
)
from tests.servers import Postgres, free_port

READY_LINE = re.compile(r"^(\d+\.\d+) .*database system is ready to accept connections", re.M)


class Run:
    """One waiter process: exit time (wall clock), exit status and CPU seconds."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.started = time.time()
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ended = 0.0
        self.status = -1
        self.cpu = 0.0
        self._thread = threading.Thread(target=self._reap, daemon=True)
        self._thread.start()

    def _reap(self) -> None:
        _, status, usage = os.wait4(self.process.pid, 0)
        self.ended = time.time()
        self.status = os.waitstatus_to_exitcode(status)
        self.process.returncode = self.status
        self.cpu = usage.ru_utime + usage.ru_stime

    def join(self, timeout: float) -> None:
        """Wait for the exit (killing the process after `timeout`)."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.process.kill()
            self._thread.join()


def waiters(kind: str, port: int, timeout_s: int = 20) -> dict[str, list[str]]:
    """The commands that wait for the target of `kind` on `port`."""
    found: dict[str, list[str]] = {}
    peer = wait_on()
    if kind == "http":
        found["bootgate"] = [
            BOOTGATE,
            "wait",
            "-q",
            "--timeout",
            f"{timeout_s}s",
            f"http://127.0.0.1:{port}/bootgate",
        ]
        if peer:
            found["wait-on"] = [
                peer,
                "-t",
                f"{timeout_s * 1000}",
                f"http-get://127.0.0.1:{port}/wait-on",
            ]
        return found
    target = (
        f"tcp://127.0.0.1:{port}"
        if kind == "tcp"
        else f"postgres://postgres:{Postgres.PASSWORD}@127.0.0.1:{port}/postgres"
    )
    found["bootgate"] = [BOOTGATE, "wait", "-q", "--timeout", f"{timeout_s}s", target]
    if peer:
        found["wait-on"] = [peer, "-t", f"{timeout_s * 1000}", f"tcp:127.0.0.1:{port}"]
    debian = debian_wait_for_it()
    if debian:
        found["Debian wait-for-it"] = [debian, "-q", "-t", str(timeout_s), f"127.0.0.1:{port}"]
    pypi = pypi_wait_for_it()
    if pypi:
        found["PyPI wait-for-it"] = [pypi, "-q", "-t", str(timeout_s), "-s", f"127.0.0.1:{port}"]
    return found


class Flaky(BaseHTTPRequestHandler):
    """503 until `Flaky.ready` is set, then 200; counts requests per path."""

    ready: ClassVar[bool] = False
    counts: ClassVar[dict[str, int]] = {}
    first: ClassVar[dict[str, float]] = {}

    def do_GET(self) -> None:
        Flaky.counts[self.path] = Flaky.counts.get(self.path, 0) + 1
        Flaky.first.setdefault(self.path, time.time())
        self.send_response(200 if Flaky.ready else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self.do_GET()

    def log_message(self, *args: object) -> None:
        """Quiet."""


def _drain(listener: socket.socket) -> None:
    try:
        while True:
            listener.accept()[0].close()
    except OSError:
        return


class Results:
    """Latencies (s), early answers and request rates per waiter."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {}
        self.early: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.rate: dict[str, list[float]] = {}

    def add(self, run: Run, available: float) -> None:
        if run.status != 0:
            self.failed[run.name] = self.failed.get(run.name, 0) + 1
            return
        if run.ended < available:
            self.early[run.name] = self.early.get(run.name, 0) + 1
        self.latency.setdefault(run.name, []).append(run.ended - available)

    def report(self, title: str) -> None:
        print(f"\n{title}")
        base = self.latency.get("wait-on")
        for name, values in self.latency.items():
            ordered = sorted(values)
            median = statistics.median(ordered)
            p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
            line = f"  {name:20s} n={len(values):3d} median {median * 1000:7.1f} ms"
            line += f"  p90 {p90 * 1000:7.1f} ms"
            if base:
                b = sorted(base)
                bp90 = b[min(len(b) - 1, int(0.9 * len(b)))]
                line += f"  ({median / statistics.median(b):4.2f}x, p90 {p90 / bp90:4.2f}x wait-on)"
            line += f"  early {self.early.get(name, 0)}  failed {self.failed.get(name, 0)}"
            if name in self.rate:
                line += f"  {statistics.mean(self.rate[name]):.2f} req/s"
            print(line)


def trial_tcp(results: Results) -> None:
    """One tcp trial: the listener appears after a random 1-2 s."""
    port = free_port()
    runs = [Run(name, argv) for name, argv in waiters("tcp", port).items()]
    time.sleep(random.uniform(1.0, 2.0))  # the scenario: the service comes up later
    listener = socket.create_server(("127.0.0.1", port), backlog=1024)
    available = time.time()
    threading.Thread(target=_drain, args=(listener,), daemon=True).start()
    for run in runs:
        run.join(25)
        results.add(run, available)
    listener.close()


def trial_http(results: Results, server: ThreadingHTTPServer) -> None:
    """One http trial: 503 for a random 1-2 s, then 200."""
    Flaky.ready = False
    Flaky.counts = {}
    Flaky.first = {}
    runs = [Run(name, argv) for name, argv in waiters("http", server.server_address[1]).items()]
    time.sleep(random.uniform(1.0, 2.0))
    Flaky.ready = True
    available = time.time()
    for run in runs:
        run.join(25)
        results.add(run, available)
        path = "/bootgate" if run.name == "bootgate" else "/wait-on"
        # Requests after the first, per second from the first request to the exit: start-up
        # time (where no waiter sends anything) counts for neither side.
        requests = Flaky.counts.get(path, 0) - 1
        span = run.ended - Flaky.first.get(path, run.ended)
        if span > 0:
            results.rate.setdefault(run.name, []).append(requests / span)


def trial_postgres(results: Results, cluster: Postgres, log: Path) -> None:
    """One postgres trial: the server starts after a random 1-2 s; ready per its log."""
    port = free_port()
    runs = [Run(name, argv) for name, argv in waiters("postgres", port).items()]
    time.sleep(random.uniform(1.0, 2.0))
    log.unlink(missing_ok=True)  # postgres (its own user) creates it
    cluster.start(
        port,
        "-c",
        "logging_collector=on",
        "-c",
        f"log_directory={log.parent}",
        "-c",
        f"log_filename={log.name}",
        "-c",
        "log_line_prefix=%n ",
    )
    for run in runs:
        run.join(25)
    for _ in range(100):  # the log line is written as the server becomes ready
        match = READY_LINE.search(log.read_text()) if log.exists() else None
        if match:
            break
        time.sleep(0.05)
    cluster.stop()
    if not match:
        print("  (no ready line in the PostgreSQL log; trial skipped)")
        return
    available = float(match.group(1))
    for run in runs:
        results.add(run, available)


def cpu_while_waiting(kind: str, port: int, reps: int = 3) -> None:
    """CPU of waiters that never see the target ready: runs of 2 s and 12 s, `reps` each.

    Per second of waiting = (CPU of a 12 s run - CPU of a 2 s run) / 10, start-up excluded;
    the total for a 12 s wait includes start-up, which is what a waiter costs in practice.
    """
    spent: dict[str, dict[int, list[float]]] = {}
    for _ in range(reps):
        for seconds in (2, 12):
            runs = [Run(name, argv) for name, argv in waiters(kind, port, seconds).items()]
            for run in runs:
                run.join(seconds + 10)
                spent.setdefault(run.name, {}).setdefault(seconds, []).append(run.cpu)
    print(f"\nCPU while waiting ({kind}; median of {reps} runs each of 2 s and 12 s)")
    slope = {
        name: (statistics.median(by[12]) - statistics.median(by[2])) / 10
        for name, by in spent.items()
    }
    total = {name: statistics.median(by[12]) for name, by in spent.items()}
    for name in spent:
        line = f"  {name:20s} {slope[name] * 1000:6.2f} ms CPU per s of waiting"
        line += f"   {total[name] * 1000:6.0f} ms CPU for a 12 s wait"
        if "wait-on" in spent:
            line += f"  ({total[name] / total['wait-on']:4.2f}x wait-on's total)"
        print(line)


def main() -> None:
    """Run the selected parts and print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--only", default="tcp,http,postgres,cpu")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print(f"peers: wait-on {wait_on()}, Debian {debian_wait_for_it()}, PyPI {pypi_wait_for_it()}")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if "tcp" in parts:
        tcp = Results()
        print(f"running tcp ({args.n} trials)...", flush=True)
        for _ in range(args.n):
            trial_tcp(tcp)
        tcp.report("tcp: latency from listen() to exit")
    if "http" in parts:
        http = Results()
        print(f"running http ({args.n} trials)...", flush=True)
        for _ in range(args.n):
            trial_http(http, server)
        http.report("http: latency from the first 200 to exit (rate: requests per second)")
    if "postgres" in parts:
        top = Path(tempfile.mkdtemp(prefix="bootgate-bench-pg-"))
        top.chmod(0o755)
        try:
            cluster = Postgres(top / "cluster").init()
            pg = Results()
            print(f"running postgres ({args.n} trials)...", flush=True)
            for _ in range(args.n):
                trial_postgres(pg, cluster, cluster.root / "server.log")
            pg.report("postgres: latency from 'ready to accept connections' to exit")
        finally:
            shutil.rmtree(top, ignore_errors=True)
    if "cpu" in parts:
        Flaky.ready = False
        cpu_while_waiting("tcp", free_port())
        cpu_while_waiting("http", server.server_address[1])
    server.shutdown()


if __name__ == "__main__":
    main()
