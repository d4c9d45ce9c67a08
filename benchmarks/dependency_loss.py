"""A dependency lost after ready: how long until readiness drops, and until it comes back.

A service depends on a private Redis (started on a spare port) with the default re-check
interval. Once the service is ready, Redis is stopped at a random moment of the re-check
cycle; the time until `boot.ready` turns false is the detection time (bounded by the re-check
interval plus one probe). Then Redis starts
again; the time until `boot.ready` is true again is the recovery time (the lost dependency is
probed with its backoff, capped at `max_interval`). Readiness is read from the status stream,
as every HTTP view reads it.

    .venv/bin/python benchmarks/dependency_loss.py [--runs 5] [--recheck 5s]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
import bootgate
from tests.servers import redis


async def until(boot: bootgate.Boot, ready: bool) -> float:
    """Wait on the status stream until readiness is `ready`; return the monotonic time."""
    async for status in boot.subscribe():
        if status.ready is ready:
            return time.monotonic()
    raise RuntimeError("the status stream ended")


async def one_run(recheck: str) -> tuple[float, float]:
    """(seconds until readiness dropped, seconds until it came back)."""
    with tempfile.TemporaryDirectory(prefix="bootgate-loss-") as top:
        server = redis(Path(top)).start()
        boot = bootgate.Boot("loss", hooks=[])
        boot.dependency("cache", f"redis://127.0.0.1:{server.port}/0", recheck=recheck)
        try:
            async with boot.running():
                # The loss comes at a random moment of the re-check cycle, as it would.
                await anyio.sleep(random.uniform(0, bootgate.parse_duration(recheck)))
                lost = time.monotonic()
                server.stop()
                dropped = await until(boot, False)
                back = time.monotonic()
                server.start()
                recovered = await until(boot, True)
        finally:
            server.stop()
    return dropped - lost, recovered - back


def main() -> None:
    """Print medians and extremes over the runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--recheck", default="5s")
    args = parser.parse_args()
    drops, recoveries = [], []
    for _ in range(args.runs):
        drop, recovery = anyio.run(one_run, args.recheck)
        drops.append(drop)
        recoveries.append(recovery)
    for name, values in (("readiness dropped", drops), ("readiness back", recoveries)):
        print(
            f"{name:<18} median {statistics.median(values) * 1000:7.1f} ms"
            f"  min {min(values) * 1000:7.1f}  max {max(values) * 1000:7.1f}"
            f"  (re-check every {args.recheck}, {args.runs} runs)"
        )


if __name__ == "__main__":
    main()
