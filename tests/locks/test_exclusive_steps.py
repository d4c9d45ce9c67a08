"""`@boot.step(exclusive=lock)`: one boot at a time runs the step; the others wait, visibly."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import anyio
import pytest

from bootgate import Boot, Event, EventKind, Phase, StepContext, locks
from tests.locks.conftest import both_backends

pytestmark = pytest.mark.anyio


def replica(lock: locks.ExclusiveLock, log: list[str], gate: anyio.Event, who: str) -> Boot:
    """A boot whose one step runs under `lock` and holds it until `gate` is set."""
    boot = Boot(who, hooks=[])

    @boot.step(exclusive=lock)
    async def migrate(ctx: StepContext) -> None:
        log.append(f"{who} in (fence {ctx.fence})")
        await gate.wait()
        log.append(f"{who} out")

    return boot


@both_backends
async def test_the_second_boot_waits_in_phase_waiting_naming_the_holder(tmp_path: Path) -> None:
    """While one boot holds the lock, the other's step is `waiting` with the holder in its
    explanation and in a waiting_for_lock event; then it runs, never beside the first."""
    lock_path = tmp_path / "migrations.lock"
    log: list[str] = []
    first_done, second_done = anyio.Event(), anyio.Event()
    first = replica(locks.file(lock_path), log, first_done, "a")
    second = replica(locks.file(lock_path), log, second_done, "b")
    waits: list[Event] = []

    def record(event: Event) -> None:
        if event.kind is EventKind.WAITING_FOR_LOCK:
            waits.append(event)

    second.add_hook(record)
    me = f"{socket.gethostname()} pid {os.getpid()}"
    await first.start(wait=False)
    try:
        with anyio.fail_after(10):
            while log != ["a in (fence None)"]:
                await anyio.sleep(0.01)
        await second.start(wait=False)
        with anyio.fail_after(10):
            while not waits:
                await anyio.sleep(0.01)
        node = second.status().nodes["migrate"]
        assert node.phase is Phase.WAITING
        assert (
            second.status().explain("migrate").startswith(f"lock migrations.lock held by {me} for ")
        )
        assert waits[0].message.startswith(f"lock migrations.lock held by {me}")
        first_done.set()
        second_done.set()
        with anyio.fail_after(10):
            while not second.ready:
                await anyio.sleep(0.01)
    finally:
        first_done.set()
        second_done.set()
        await second.stop()
        await first.stop()
    assert log == ["a in (fence None)", "a out", "b in (fence None)", "b out"]


async def test_a_redis_lock_hands_the_step_its_fencing_token() -> None:
    """A lock with fencing tokens (Redis) gives each attempt `ctx.fence`, growing per tenure."""
    from tests.servers import require_server

    require_server(6379, "Redis")
    name = f"bootgate-test-{os.getpid()}-{id(object())}"
    fences: list[int | None] = []
    for _ in range(2):
        boot = Boot("svc", hooks=[])

        @boot.step(exclusive=locks.redis("redis://127.0.0.1:6379/0", name, ttl=5))
        async def migrate(ctx: StepContext) -> None:
            fences.append(ctx.fence)

        async with boot.running():
            pass
    assert all(isinstance(fence, int) for fence in fences)
    assert fences[1] > fences[0]  # type: ignore[operator]
