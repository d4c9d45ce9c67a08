"""A service for the SIGTERM soak: async, sync and generator steps that own real resources.

Each generator step starts a child process (tagged with the run's token in its command line)
and stops it in a `finally` (so also when cancelled during setup); the sync generator also
creates a file and removes it. Every step
prints `setup NAME`, `ready NAME` and `teardown NAME` lines, so the soak can check that what
started was torn down, in reverse order of readiness, and that nothing was left behind.

    python -m benchmarks.sigterm_app TOKEN DIRECTORY
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio

import bootgate

CHILD = "import sys, time; time.sleep(600)"


def say(line: str) -> None:
    """One line on stdout, flushed at once (the process may be killed right after)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def child(token: str) -> subprocess.Popen[bytes]:
    """A long-lived child process whose command line carries the run's token."""
    return subprocess.Popen([sys.executable, "-c", CHILD, token])


def build(token: str, directory: Path) -> bootgate.Boot:
    """The graph: a -> (b -> c), (a -> d), (c, d) -> e; c and d own a child process each."""
    boot = bootgate.Boot("soak", grace="5s", hooks=[])
    rng = random.Random()

    @boot.step
    async def a() -> None:
        say("setup a")
        await anyio.sleep(rng.uniform(0, 0.2))

    @boot.step(requires=[a])
    def b() -> None:
        say("setup b")
        time.sleep(rng.uniform(0, 0.3))

    @boot.step(requires=[b])
    async def c() -> AsyncIterator[None]:
        say("setup c")
        process = child(token)
        try:
            await anyio.sleep(rng.uniform(0, 0.2))
            say("ready c")
            yield
        finally:
            process.terminate()
            process.wait()
            say("teardown c")

    @boot.step(requires=[a])
    def d() -> Iterator[None]:
        say("setup d")
        marker = directory / f"d-{token}"
        marker.write_text("held")
        process = child(token)
        try:
            time.sleep(rng.uniform(0, 0.3))
            say("ready d")
            yield
        finally:
            process.terminate()
            process.wait()
            marker.unlink()
            say("teardown d")

    @boot.step(requires=[c, d])
    async def e() -> None:
        say("setup e")
        await anyio.sleep(rng.uniform(0, 0.2))

    return boot


def main() -> None:
    """Serve until SIGTERM; print "stopped" after the teardown."""
    token, directory = sys.argv[1], Path(sys.argv[2])
    anyio.run(build(token, directory).serve)
    say("stopped")


if __name__ == "__main__":
    main()
