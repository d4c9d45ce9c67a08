"""Throughput of health endpoints and of the gate, side by side, with wrk against uvicorn.

Each line starts one uvicorn (1 worker, asyncio loop, h11, no access log) serving one app from
benchmarks/http_apps.py on a spare loopback port, warms it up, then runs wrk (1 thread, 32
connections) for --seconds and reads Requests/sec, and the CPU time the server process used
per request (from /proc: on a shared machine, where wrk and other work take turns with the
server, it is steadier than the rate). Same settings for every line.

    .venv/bin/python benchmarks/http_throughput.py [--seconds 5] [--rounds 3]

Needs wrk (Debian package `wrk`; installed here when missing and running as root) and, for the
SELECT 1 line, the PostgreSQL server on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LINES = [
    # label, factory, path
    ("bare route", "bare", "/"),
    ("bootgate /readyz", "readyz", "/readyz"),
    ("SELECT 1, pooled conn", "select1", "/"),
    ("SELECT 1, new conn", "select1_connect", "/"),
    ("app without gate", "bare", "/"),
    ("app behind gate (ready)", "gated", "/"),
]


def ensure_wrk() -> str:
    """wrk's path, installing the Debian package when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
        )
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: apt-get install wrk")
    return found


def spare_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_listening(port: int, seconds: float = 20) -> None:
    """Return once something accepts connections on the port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def start_uvicorn(factory: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """One uvicorn worker (asyncio, h11, no access log) serving a factory of http_apps."""
    command = [sys.executable, "-m", "uvicorn", f"benchmarks.http_apps:{factory}", "--factory"]
    command += ["--port", str(port), "--host", "127.0.0.1", "--workers", "1", "--loop", "asyncio"]
    command += ["--http", "h11", "--no-access-log", "--log-level", "warning", *extra]
    return subprocess.Popen(command, cwd=ROOT)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(wrk: str, factory: str, path: str, seconds: int) -> tuple[float, float]:
    """Requests per second of one app and path, and the server's CPU µs per request."""
    port = spare_port()
    server = start_uvicorn(factory, port)
    try:
        wait_listening(port)
        url = f"http://127.0.0.1:{port}{path}"
        subprocess.run([wrk, "-t1", "-c32", "-d2s", url], check=True, capture_output=True)
        cpu_before = cpu_seconds(server.pid)
        out = subprocess.run(
            [wrk, "-t1", "-c32", f"-d{seconds}s", url], check=True, capture_output=True, text=True
        ).stdout
        cpu = cpu_seconds(server.pid) - cpu_before
        if "Non-2xx" in out:
            raise RuntimeError(f"{factory} {path} answered non-2xx:\n{out}")
        rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
        count = re.search(r"(\d+) requests in", out)
        if not rate or not count:
            raise RuntimeError(out)
        return float(rate.group(1)), cpu / int(count.group(1)) * 1e6
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    """Measure every line and print requests/sec with the ratios the goals are stated in."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    wrk = ensure_wrk()
    # Rounds interleave the lines (reversing the order every other round) and each line keeps
    # its median: on a shared machine, drift hits every line alike instead of one of them.
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in LINES}
    for round_ in range(args.rounds):
        order = LINES if round_ % 2 == 0 else LINES[::-1]
        for label, factory, path in order:
            samples[label].append(measure(wrk, factory, path, args.seconds))
    rps = {label: statistics.median(r for r, _ in values) for label, values in samples.items()}
    cpu = {label: statistics.median(c for _, c in values) for label, values in samples.items()}
    print(f"median of {args.rounds} interleaved rounds of {args.seconds} s each")
    print(f"{'':<26} {'req/s':>10} {'server CPU/request':>20}")
    for label in rps:
        print(f"{label:<26} {rps[label]:>10.0f} {cpu[label]:>17.1f} µs")
    print("ratios (throughput; server CPU per request, lower is better):")
    pairs = [
        ("/readyz vs bare route", "bootgate /readyz", "bare route"),
        ("/readyz vs SELECT 1, pooled conn", "bootgate /readyz", "SELECT 1, pooled conn"),
        ("/readyz vs SELECT 1, new conn", "bootgate /readyz", "SELECT 1, new conn"),
        ("gated vs ungated app", "app behind gate (ready)", "app without gate"),
    ]
    for text, line, base in pairs:
        print(f"{text + ':':<34} {rps[line] / rps[base]:.2f}x  {cpu[line] / cpu[base]:.2f}x")


if __name__ == "__main__":
    main()
