"""The Redis lease on real servers: fencing tokens, a paused holder, a holder cut off from Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import redis as redis_py

from bootgate import locks
from bootgate.locks import FenceGate, Lease, LockLost, StaleFenceError, run_exclusive
from bootgate.locks._redis import holder_from_value
from tests import servers
from tests.locks.conftest import both_backends

pytestmark = [pytest.mark.anyio, pytest.mark.servers]
ROOT = Path(__file__).resolve().parents[2]
URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def name() -> Iterator[str]:
    """A fresh lock name on the machine's Redis, its keys deleted afterwards."""
    servers.require_server(6379, "Redis")
    lock_name = f"test-{uuid.uuid4().hex[:8]}"
    yield lock_name
    redis_py.Redis.from_url(URL).delete(
        f"bootgate:lock:{lock_name}", f"bootgate:lock:{lock_name}:fence"
    )


@both_backends
async def test_each_tenure_gets_a_larger_token_and_an_old_one_is_refused(name: str) -> None:
    """Fencing tokens grow with each holder; check() refuses a token that was replaced."""
    lock = locks.redis(URL, name, ttl=5)
    fences: list[int | None] = []

    async def first(lease: Lease) -> None:
        fences.append(lease.fence)
        await lock.check(lease.fence)  # current: accepted

    async def second(lease: Lease) -> None:
        fences.append(lease.fence)
        with pytest.raises(StaleFenceError, match=rf"token {fences[0]} of lock {name} is stale"):
            await lock.check(fences[0])

    await run_exclusive(lock, print, first)
    await run_exclusive(lock, print, second)
    assert fences == [1, 2]
    with pytest.raises(StaleFenceError):
        await lock.check(2)  # nobody holds it now


def test_a_fence_gate_admits_only_the_newest_tokens() -> None:
    """A store's gate accepts tokens that never go backwards and refuses the others."""
    gate = FenceGate("migrations")
    gate.admit(3)
    gate.admit(3)
    gate.admit(5)
    with pytest.raises(StaleFenceError, match="token 4 of lock migrations is stale; token 5"):
        gate.admit(4)
    with pytest.raises(StaleFenceError):
        gate.admit(None)


@pytest.mark.slow
async def test_a_paused_holder_loses_the_lease_after_its_ttl(name: str) -> None:
    """A holder that stops renewing (SIGSTOP) loses the lease after the TTL; another takes it,
    the old token is refused, and the old holder's work is cancelled once it runs again."""
    holder = subprocess.Popen(  # noqa: ASYNC220 - a process to pause, not to await
        [sys.executable, "-m", "tests.locks.lease_holder", URL, name, "1"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        old = int(holder.stdout.readline().split()[1])
        os.kill(holder.pid, signal.SIGSTOP)
        lock = locks.redis(URL, name, ttl=1)
        reasons: list[str] = []
        started = time.monotonic()

        async def attempt(lease: Lease) -> int | None:
            with pytest.raises(StaleFenceError):
                await lock.check(old)
            return lease.fence

        with anyio.fail_after(10):
            new = await run_exclusive(lock, reasons.append, attempt)
        waited = time.monotonic() - started
        assert (new or 0) > old
        assert reasons[0].startswith(f"lock {name} held by ")
        assert f"pid {holder.pid} for " in reasons[0]
        assert waited < 5  # the TTL (1 s) bounds it, not a timeout of minutes
        os.kill(holder.pid, signal.SIGCONT)
        out, _ = holder.communicate(timeout=10)
        assert holder.returncode == 3
        assert out.startswith("lost: lease not renewed within its ttl of 1 s")
        assert "finished" not in out
    finally:
        if holder.poll() is None:
            os.kill(holder.pid, signal.SIGCONT)
            holder.kill()
            holder.wait()


@pytest.mark.slow
async def test_a_holder_cut_off_from_redis_gives_up_at_its_ttl() -> None:
    """When Redis stops answering, the holder cancels its step before the lease would expire."""
    with tempfile.TemporaryDirectory() as tmp:
        server = servers.redis(Path(tmp)).start()
        try:
            url = f"redis://127.0.0.1:{server.port}/0"
            deadline = time.monotonic() + 10
            while True:
                try:
                    redis_py.Redis.from_url(url).ping()
                    break
                except redis_py.ConnectionError:
                    assert time.monotonic() < deadline
                    await anyio.sleep(0.02)
            lock = locks.redis(url, "cut-off", ttl=1)
            held_for: list[float] = []

            async def attempt(lease: Lease) -> None:
                started = time.monotonic()
                server.stop()
                try:
                    await anyio.sleep(30)
                finally:
                    held_for.append(time.monotonic() - started)

            with anyio.fail_after(10), pytest.raises(LockLost, match="not renewed within"):
                await run_exclusive(lock, print, attempt)
            assert held_for[0] < 1.0  # given up before Redis would have expired the key
        finally:
            server.stop()


def test_a_lease_value_names_its_holder() -> None:
    """The lease's value carries token, since, host and pid; a foreign value is shown as is."""
    holder = holder_from_value("7 1700000000000 host-b 4121", 1700000012500)
    assert (holder.host, holder.pid, holder.held_for) == ("host-b", 4121, 12.5)
    assert str(holder_from_value("something else", 0)) == "another process (something else)"
    with pytest.raises(ValueError, match="positive ttl"):
        locks.redis(URL, "x", ttl=0)
