"""Generator steps, reverse-order teardown, cancellation and the grace period."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import anyio
import pytest

from bootgate import EventKind, Phase, Retry, StartupError

from .helpers import fake_boot

pytestmark = pytest.mark.anyio


async def test_teardown_runs_in_reverse_order_of_readiness() -> None:
    """Async and sync generators set up in dependency order and tear down in reverse."""
    boot, clock, _ = fake_boot()
    log: list[str] = []

    @boot.step
    async def pool() -> AsyncIterator[str]:
        log.append("pool up")
        yield "pool"
        log.append("pool down")

    @boot.step(requires=[pool])
    def cache() -> Iterator[str]:
        log.append("cache up")
        yield "cache"
        log.append("cache down")

    @boot.step(requires=[cache])
    async def server() -> AsyncIterator[None]:
        log.append("server up")
        yield
        log.append("server down")

    async with clock.autojump(), boot.running():
        log.append("serving")
    assert log == [
        "pool up",
        "cache up",
        "server up",
        "serving",
        "server down",
        "cache down",
        "pool down",
    ]
    assert all(n.phase is Phase.STOPPED for n in boot.status().nodes.values())


async def test_a_generator_may_hold_a_task_group_across_its_yield() -> None:
    """Background work started in setup keeps running until teardown, in the same task."""
    boot, clock, _ = fake_boot()
    ticks: list[float] = []

    @boot.step
    async def informer() -> AsyncIterator[list[float]]:
        async def tick() -> None:
            while True:
                ticks.append(clock.now())
                await clock.sleep(1)

        async with anyio.create_task_group() as tg:
            tg.start_soon(tick)
            yield ticks
            tg.cancel_scope.cancel()

    async with clock.autojump(), boot.running():
        await clock.sleep(2.5)
    assert ticks == [0, 1, 2]


async def test_leaving_early_cancels_waiting_steps_promptly() -> None:
    """Shutdown during startup cancels the running attempt and its cleanup runs."""
    boot, clock, events = fake_boot()
    cleaned: list[str] = []

    @boot.step
    async def migrations() -> None:
        try:
            await clock.sleep(3600)
        finally:
            cleaned.append("migrations")

    @boot.step(requires=[migrations])
    async def after() -> None:
        raise AssertionError("must never run")

    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(5)
        assert not boot.ready
    assert cleaned == ["migrations"]
    assert clock.now() == 5
    nodes = boot.status().nodes
    assert nodes["migrations"].phase is Phase.STOPPED
    assert nodes["after"].reason == "shut down before it was ready"
    assert events.kinds()[-1] is EventKind.STOPPED


async def test_generator_cancelled_during_setup_is_closed() -> None:
    """A generator still in its setup when shutdown comes runs its finally block."""
    boot, clock, _ = fake_boot()
    closed: list[bool] = []

    @boot.step
    async def slow_setup() -> AsyncIterator[None]:
        try:
            await clock.sleep(100)
            yield
        finally:
            closed.append(True)

    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(1)
    assert closed == [True]


async def test_teardown_is_bounded_by_the_grace_period() -> None:
    """A teardown that hangs is cancelled when the grace period ends, and that is reported."""
    boot, clock, events = fake_boot(grace=5)

    @boot.step
    async def stubborn() -> AsyncIterator[None]:
        yield
        await clock.sleep(3600)

    async with clock.autojump(), boot.running():
        pass
    assert clock.now() == 5
    failed = [e for e in events.events if e.kind is EventKind.TEARDOWN_FAILED]
    assert len(failed) == 1
    assert "grace period" in failed[0].message


async def test_teardown_errors_are_reported_and_the_rest_still_tears_down() -> None:
    """An exception in one teardown does not stop the others."""
    boot, clock, events = fake_boot()
    log: list[str] = []

    @boot.step
    async def first() -> AsyncIterator[None]:
        yield
        log.append("first down")

    @boot.step(requires=[first])
    async def second() -> AsyncIterator[None]:
        yield
        raise OSError("socket already closed")

    async with clock.autojump(), boot.running():
        pass
    assert log == ["first down"]
    assert any(
        e.kind is EventKind.TEARDOWN_FAILED and "socket already closed" in e.message
        for e in events.events
    )


async def test_ready_parts_are_torn_down_when_startup_fails() -> None:
    """If startup cannot complete, what did start is torn down before StartupError is raised."""
    boot, clock, _ = fake_boot()
    log: list[str] = []

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool down")

    @boot.step(requires=[pool], retry=Retry(attempts=1, timeout=None))
    async def migrate() -> None:
        raise RuntimeError("syntax error")

    with pytest.raises(StartupError):
        async with clock.autojump(), boot.running():
            pass
    assert log == ["pool down"]


async def test_a_generator_that_never_yields_fails_clearly() -> None:
    """A generator step must yield its value once; returning early is a permanent error."""
    boot, clock, _ = fake_boot()

    @boot.step
    async def empty() -> AsyncIterator[None]:
        for _ in ():
            yield

    with pytest.raises(StartupError, match="returned without yielding"):
        async with clock.autojump(), boot.running():
            pass
    assert boot.status().nodes["empty"].attempts == 1


async def test_yielding_twice_is_reported_at_teardown() -> None:
    """A generator that yields a second time is closed and the mistake reported."""
    boot, clock, events = fake_boot()
    closed: list[bool] = []

    @boot.step
    async def twice() -> AsyncIterator[int]:
        try:
            yield 1
            yield 2
        finally:
            closed.append(True)

    async with clock.autojump(), boot.running():
        pass
    assert closed == [True]
    assert any("yielded more than once" in e.message for e in events.events)


async def test_generator_setup_timeout_is_retried() -> None:
    """A generator whose setup outlives the step timeout is cancelled and tried again."""
    boot, clock, _ = fake_boot()
    attempts: list[float] = []

    @boot.step(
        timeout=2, retry=Retry(attempts=2, timeout=None, interval=1, max_interval=1, jitter="none")
    )
    async def connect() -> AsyncIterator[None]:
        attempts.append(clock.now())
        await clock.sleep(10 if len(attempts) == 1 else 0)
        yield

    async with clock.autojump(), boot.running() as status:
        assert status.ready
    assert attempts == [0, 3]


async def test_outer_cancellation_still_tears_down() -> None:
    """Cancelling the task that runs the boot (Ctrl-C, a supervisor) runs every teardown."""
    boot, clock, _ = fake_boot()
    log: list[str] = []

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        await clock.sleep(1)  # teardown work that itself waits
        log.append("pool down")

    async with clock.autojump():
        with anyio.CancelScope() as outer:
            async with boot.running():
                outer.cancel()
                await clock.sleep(3600)
    assert log == ["pool down"]
    assert boot.status().nodes["pool"].phase is Phase.STOPPED


async def test_a_generator_ready_just_as_shutdown_begins_is_still_torn_down() -> None:
    """Leaving while a generator hands over its value neither hangs nor skips its teardown."""
    boot, clock, _ = fake_boot()
    log: list[str] = []
    yielding = anyio.Event()

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yielding.set()  # wakes the test before the runner hears of the value
        yield
        log.append("pool down")

    with anyio.fail_after(10):  # a real bound: the failure this pins down was a hang
        async with clock.autojump(), boot.running(wait=False):
            await yielding.wait()
    assert log == ["pool down"]
