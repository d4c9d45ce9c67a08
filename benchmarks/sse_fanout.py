"""1,000 subscribers on the status stream: memory per subscriber, time to tell them all.

One uvicorn process serves a bootgate service whose only step waits for GET /release. This
process opens N stream connections (raw sockets, so the client costs little), waits until each
has its first event, reads the server's resident memory, then releases the step and measures
how long until every subscriber has the snapshot that says ready. Baseline for the memory: the
same server with no subscriber.

    .venv/bin/python benchmarks/sse_fanout.py [--subscribers 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.http_throughput import spare_port, start_uvicorn, wait_listening

REQUEST = b"GET /status/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Tally:
    """Counts subscribers that connected and that got the ready snapshot."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.connected = 0
        self.arrivals: list[float] = []
        self.all_connected = anyio.Event()
        self.all_arrived = anyio.Event()

    def connect(self) -> None:
        self.connected += 1
        if self.connected == self.n:
            self.all_connected.set()

    def arrive(self) -> None:
        self.arrivals.append(time.perf_counter())
        if len(self.arrivals) == self.n:
            self.all_arrived.set()


async def subscriber(port: int, tally: Tally) -> None:
    """One stream: count the first event, then record when the ready snapshot arrives."""
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(REQUEST)
        seen = b""
        counted = False
        while True:
            seen += await stream.receive()
            if not counted and b"\ndata:" in seen:
                counted = True
                tally.connect()
            if b'"ready":true' in seen.replace(b" ", b""):
                tally.arrive()
                return
            seen = seen[-4096:]


async def one_run(port: int, pid: int, n: int) -> tuple[float, float, float]:
    """(KiB per subscriber, median and max delivery seconds) for one run."""
    base = rss_kib(pid)
    tally = Tally(n)
    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(subscriber, port, tally)
        with anyio.fail_after(60):
            await tally.all_connected.wait()
        await anyio.sleep(0.5)  # let the server settle after the last connection
        per = (rss_kib(pid) - base) / n
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            start = time.perf_counter()
            await stream.send(b"GET /release HTTP/1.1\r\nHost: bench\r\n\r\n")
        with anyio.fail_after(60):
            await tally.all_arrived.wait()
    delays = [a - start for a in tally.arrivals]
    return per, statistics.median(delays), max(delays)


def main() -> None:
    """Run `--runs` fresh servers and print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.subscribers)), hard))
    results = []
    for _ in range(args.runs):
        port = spare_port()
        server = start_uvicorn("sse_fanout", port, "--backlog", "4096")
        try:
            wait_listening(port)
            results.append(anyio.run(one_run, port, server.pid, args.subscribers))
        finally:
            server.terminate()
            server.wait(timeout=30)
    per = statistics.median(r[0] for r in results)
    med = statistics.median(r[1] for r in results)
    worst = statistics.median(r[2] for r in results)
    print(f"{args.subscribers} subscribers, median of {args.runs} runs (uvicorn, h11, asyncio)")
    print(f"server memory per subscriber:      {per:8.1f} KiB")
    print(f"one change to all: median arrival  {med * 1000:8.1f} ms")
    print(f"one change to all: last arrival    {worst * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
