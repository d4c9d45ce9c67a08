"""run_exclusive: one holder at a time, waits reported by holder, a lost lease cancels the work."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

import bootgate
from bootgate import FakeClock
from bootgate._exclusive import Holder, Lease, LockLost, background, run_exclusive, waiting_reason
from tests.locks.conftest import both_backends
from tests.locks.fakes import MemoryLock

pytestmark = pytest.mark.anyio


@both_backends
async def test_the_second_caller_waits_and_reports_the_holder_each_second() -> None:
    """A waiter's reason names the holder, and "for N s" grows once a second on the clock."""
    clock = FakeClock()
    lock = MemoryLock("gateway-migrations", clock)
    reasons: list[str] = []
    order: list[str] = []

    async def slow(lease: Lease) -> str:
        order.append("a in")
        await clock.sleep(3.2)
        order.append("a out")
        return "a"

    async def quick(lease: Lease) -> str:
        order.append("b in")
        return "b"

    async with clock.autojump(), anyio.create_task_group() as tg:
        tg.start_soon(lambda: run_exclusive(lock, order.append, slow, clock=clock))
        await clock.sleep(0.1)
        tg.start_soon(lambda: run_exclusive(lock, reasons.append, quick, clock=clock))
    assert order == ["a in", "a out", "b in"]
    assert reasons == [
        f"lock gateway-migrations held by host-b pid 4121 for {n} s" for n in range(4)
    ]


@both_backends
async def test_the_attempt_gets_the_lease_and_its_value_comes_back() -> None:
    """The attempt sees its fencing token; run_exclusive returns what the attempt returned."""
    clock = FakeClock()
    lock = MemoryLock("m", clock)

    async def attempt(lease: Lease) -> int | None:
        return lease.fence

    assert await run_exclusive(lock, print, attempt, clock=clock) == 1
    assert await run_exclusive(lock, print, attempt, clock=clock) == 2


@both_backends
async def test_a_lost_lease_cancels_the_attempt_with_lock_lost() -> None:
    """When the keeper loses the lease, the running attempt is cancelled, not continued."""
    clock = FakeClock()
    lock = MemoryLock("m", clock)
    reached: list[str] = []

    async def attempt(lease: Lease) -> None:
        lease.lose("connection to PostgreSQL lost: terminating connection")
        await clock.sleep(10)
        reached.append("after the loss")

    with pytest.raises(LockLost, match=r"lock m was lost while the step ran \(connection"):
        async with clock.autojump():
            await run_exclusive(lock, print, attempt, clock=clock)
    assert reached == []
    assert lock.holder is None  # released on the way out


@both_backends
async def test_work_that_finished_after_the_loss_does_not_count() -> None:
    """An attempt that could not be interrupted and returned after the loss is LockLost too."""
    clock = FakeClock()

    async def attempt(lease: Lease) -> str:
        with anyio.CancelScope(shield=True):  # as a sync step in a worker thread would be
            lease.lose("lease not renewed within its ttl of 1s")
            await anyio.lowlevel.checkpoint()
        return "done"

    with pytest.raises(LockLost, match="ttl"):
        await run_exclusive(MemoryLock("m", clock), print, attempt, clock=clock)


@both_backends
async def test_errors_of_the_attempt_pass_through_unwrapped() -> None:
    """The step's own exception reaches the runner as itself, not in an exception group."""
    clock = FakeClock()

    async def attempt(lease: Lease) -> None:
        raise KeyError("tenant")

    with pytest.raises(KeyError, match="tenant"):
        await run_exclusive(MemoryLock("m", clock), print, attempt, clock=clock)


@both_backends
async def test_an_error_after_a_loss_is_reported_as_the_loss() -> None:
    """A failure caused by the lost lock (e.g. its connection died) names the loss."""
    clock = FakeClock()

    async def attempt(lease: Lease) -> None:
        lease.lose("gone")
        raise OSError("connection reset")

    with pytest.raises(LockLost, match="gone") as caught:
        await run_exclusive(MemoryLock("m", clock), print, attempt, clock=clock)
    assert isinstance(caught.value.__cause__, OSError)


@both_backends
async def test_background_stops_with_the_block_and_passes_its_error() -> None:
    """background() ends its task when the block ends and re-raises the block's error as is."""
    ticks: list[int] = []

    async def tick() -> None:
        while True:
            ticks.append(1)
            await anyio.sleep(0.001)

    async def block() -> None:
        async with background(tick):
            await anyio.sleep(0.01)
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await block()
    count = len(ticks)
    await anyio.sleep(0.01)
    assert len(ticks) == count > 0


def test_lease_callbacks_run_once_and_at_once_when_already_lost() -> None:
    """on_lost callbacks fire once on the first loss; a late subscriber is called immediately."""
    lease = Lease("m", fence=7)
    calls: list[str] = []
    lease.on_lost(lambda: calls.append("early"))
    assert not lease.lost
    lease.lose("first")
    lease.lose("second")
    lease.on_lost(lambda: calls.append("late"))
    assert (lease.lost, lease.reason, calls) == (True, "first", ["early", "late"])


@pytest.mark.parametrize(
    ("holder", "held_for", "text"),
    [
        (Holder("host-b", 4121, 12.9), None, "lock m held by host-b pid 4121 for 12 s"),
        (Holder("host-b", 4121, 12.9), 30.0, "lock m held by host-b pid 4121 for 30 s"),
        (Holder(pid=77, label="psql"), None, "lock m held by pid 77 (psql)"),
        (Holder(), None, "lock m held by another process"),
        (None, None, "waiting for lock m (holder unknown)"),
    ],
)
def test_waiting_reasons(holder: Holder | None, held_for: float | None, text: str) -> None:
    """The reason a waiting step shows, for each thing a lock may know about its holder."""
    assert waiting_reason("m", holder, held_for) == text


def test_the_core_module_imports_only_the_core_and_anyio() -> None:
    """_exclusive.py is core: standard library, anyio and core modules; no drivers, no rooms."""
    path = Path(bootgate.__file__).parent / "_exclusive.py"
    tree = ast.parse(path.read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module in {"_clock", "_errors"}, node.module
    assert imported <= set(sys.stdlib_module_names) | {"anyio"}
