"""Helpers for probe tests: one look through both transports, private servers started."""

from __future__ import annotations

import socket
import time

import anyio

import bootgate
from bootgate import ProbeResult
from bootgate.probes import Verdict, check, probe_for
from tests.servers import Server, free_port


def both(url: str, **options: object) -> tuple[Verdict, list[ProbeResult]]:
    """The blocking verdict and the async results (asyncio, trio) for one look at `url`."""
    blocking = check(url, timeout=10, **options)
    probe = probe_for(url, **options)
    results = [anyio.run(probe, backend=backend) for backend in ("asyncio", "trio")]
    return blocking, results


def agree(url: str, kind: str, **options: object) -> str:
    """Assert both paths answer `kind` with the same reason; return the reason."""
    blocking, results = both(url, **options)
    assert blocking.kind == kind, blocking
    assert results == [blocking.result()] * 2
    return blocking.reason


def refused(scheme: str, user: str = "u:pw@") -> str:
    """A target of `scheme` on a port nobody listens on."""
    return f"{scheme}://{user}127.0.0.1:{free_port()}/"


def start(server: Server, started: list[Server]) -> int:
    """Start `server`, wait (bounded) until it listens, and return its port."""
    started.append(server.start())
    assert server.process is not None
    for _ in range(3000):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", server.port)) == 0:
                return server.port
        assert server.process.poll() is None, f"{server.argv[0]} exited"
        time.sleep(0.01)  # pacing the connects while the server starts (environment, not logic)
    raise TimeoutError(f"{server.argv[0]} does not listen on {server.port}")


def wait_ready(url: str) -> None:
    """Wait (bounded) until `url` is ready, using bootgate's own waiting."""

    async def wait() -> None:
        await bootgate.wait_for([url], retry=bootgate.Retry(timeout=30))

    anyio.run(wait)
