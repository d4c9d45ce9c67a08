"""`bootgate check` cold start against `python -c pass` and PyPI `wait-for-it`, side by side.

Each figure is the median wall time over fresh processes (interleaved, so machine noise hits
every command alike) of one check of a local target that is up: a TCP listener and an HTTP
server answering 200. Then `-X importtime` shows what the tcp and http paths import.

    .venv/bin/python benchmarks/wait_cold_start.py [--runs 30]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from benchmarks._peers import BOOTGATE, PYTHON, pypi_wait_for_it


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


def _accept_forever(listener: socket.socket) -> None:
    while True:
        listener.accept()[0].close()


def imports(argv: list[str]) -> list[tuple[int, str]]:
    """(self µs, module) of every module `python -X importtime` reports, biggest first."""
    out = subprocess.run([PYTHON, "-X", "importtime", *argv], capture_output=True, text=True).stderr
    rows = []
    for line in out.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), match.group(3)))
    return sorted(rows, reverse=True)


def main() -> None:
    """Run the comparison and print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    tcp_port = listener.getsockname()[1]
    http = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    http_port = http.server_address[1]
    threading.Thread(target=_accept_forever, args=(listener,), daemon=True).start()
    commands: dict[str, list[str]] = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "bootgate check tcp": [BOOTGATE, "check", "-q", f"tcp://127.0.0.1:{tcp_port}"],
        "bootgate check http": [BOOTGATE, "check", "-q", f"http://127.0.0.1:{http_port}/"],
    }
    peer = pypi_wait_for_it()
    if peer:
        commands["PyPI wait-for-it tcp"] = [peer, "-q", "-t", "5", "-s", f"127.0.0.1:{tcp_port}"]
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm-up: byte code, page cache
        subprocess.run(argv, check=True, capture_output=True)
    for _ in range(runs):
        for name, argv in commands.items():
            begin = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            samples[name].append(time.perf_counter() - begin)
    base = statistics.median(samples["python -c pass"])
    print(f"cold start, median of {runs} runs (ms); ratio to `python -c pass`")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"  {name:24s} {median * 1000:7.1f} ms   {median / base:5.2f}x")
    if peer:
        pypi = statistics.median(samples["PyPI wait-for-it tcp"])
        for name in ("bootgate check tcp", "bootgate check http"):
            print(f"  {name} / PyPI wait-for-it: {statistics.median(samples[name]) / pypi:.2f}x")
    for label, target in (
        ("tcp", f"tcp://127.0.0.1:{tcp_port}"),
        ("http", f"http://127.0.0.1:{http_port}/"),
    ):
        code = f"from bootgate.cli import main; main(['check', '-q', {target!r}])"
        rows = imports(["-c", code])
        total = sum(us for us, _ in rows)
        print(f"imports on the {label} path: {len(rows)} modules, {total / 1000:.1f} ms self time")
        for us, module in rows[:8]:
            print(f"    {us / 1000:6.2f} ms  {module}")
    http.shutdown()


if __name__ == "__main__":
    main()
