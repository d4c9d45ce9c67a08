"""Sync code in worker threads: a thread that outlives its attempt is waited for, never run
beside its own retry or beneath a teardown, and a generator cut short in setup is torn down."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import aclosing
from types import TracebackType

import anyio
import anyio.to_thread
import pytest

from bootgate import Boot, Event, EventKind, Hook, Phase, Retry, StartupError, Status, StepContext

from .helpers import fake_boot

pytestmark = pytest.mark.anyio

RETRY_AT_ONCE = Retry(attempts=3, timeout=None, interval=0, jitter="none")


class Gauge:
    """Counts the executions of a step body, and the most that ever ran at the same time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inside = 0
        self.most = 0
        self.runs = 0
        self.entered = threading.Event()

    def __enter__(self) -> Gauge:
        with self._lock:
            self.inside += 1
            self.runs += 1
            self.most = max(self.most, self.inside)
        self.entered.set()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._lock:
            self.inside -= 1


async def until(boot: Boot, condition: Callable[[Status], bool]) -> Status:
    """The first snapshot for which `condition` holds (a real bound: the failure is a hang)."""
    with anyio.fail_after(10):
        statuses = boot.subscribe()
        async with aclosing(statuses):
            async for status in statuses:
                if condition(status):
                    return status
    raise AssertionError("the run ended first")


def on(kind: EventKind, action: Callable[[], object]) -> Hook:
    """A hook that calls `action` on each event of `kind`."""

    def hook(event: Event) -> None:
        if event.kind is kind:
            action()

    return hook


async def test_a_timed_out_sync_step_is_not_retried_while_its_thread_runs() -> None:
    """timeout 0.2s, 3 attempts: the first thread outlives its timeout; the retry waits for it,
    with the reason shown, so the step never runs twice at once."""
    boot, clock, events = fake_boot()
    gauge, release = Gauge(), threading.Event()

    @boot.step(timeout=0.2, retry=RETRY_AT_ONCE)
    def migrate(ctx: StepContext) -> None:
        with gauge:
            if ctx.attempt == 1:
                release.wait(10)

    try:
        async with boot.running(wait=False):
            await anyio.to_thread.run_sync(gauge.entered.wait, 10)
            clock.advance(0.2)
            status = await until(boot, lambda s: s.nodes["migrate"].phase is Phase.RETRYING)
            node = status.nodes["migrate"]
            assert node.attempts == 1
            assert node.error == (
                "attempt 1 timed out after 200ms; waiting for its thread to finish before retrying"
            )
            assert "waiting for its thread" in status.explain("migrate")
            assert EventKind.WAITING_FOR_THREAD in events.kinds("migrate")
            release.set()
            await until(boot, lambda s: s.ready)
    finally:
        release.set()
    assert (gauge.runs, gauge.most) == (2, 1)


async def test_a_thread_still_running_after_the_grace_period_fails_the_step() -> None:
    """A timed-out thread that never ends is not retried beside: the step fails, saying why."""
    boot, clock, _ = fake_boot(grace=10)
    gauge, release = Gauge(), threading.Event()

    @boot.step(timeout=0.2, retry=RETRY_AT_ONCE)
    def migrate() -> None:
        with gauge:
            release.wait(10)

    try:
        async with boot.running(wait=False):
            await anyio.to_thread.run_sync(gauge.entered.wait, 10)
            clock.advance(0.2)
            await until(boot, lambda s: s.nodes["migrate"].phase is Phase.RETRYING)
            clock.advance(10)
            status = await until(boot, lambda s: s.failed)
            release.set()
    finally:
        release.set()
    assert status.nodes["migrate"].reason == (
        "attempt 1 timed out after 200ms and its thread was still running 10.00s later; "
        "not retried, so that the step never runs twice at once"
    )
    assert (gauge.runs, gauge.most) == (1, 1)


async def test_a_sync_generator_timed_out_in_setup_is_torn_down_before_its_retry() -> None:
    """The first setup outlives its timeout; once it reaches `yield` its teardown runs, and
    only then the second setup: what the first built does not leak, nothing runs twice."""
    boot, clock, _ = fake_boot()
    gauge, release = Gauge(), threading.Event()
    log: list[str] = []

    @boot.step(timeout=0.2, retry=RETRY_AT_ONCE)
    def connection(ctx: StepContext) -> Iterator[int]:
        with gauge:
            log.append(f"open {ctx.attempt}")
            if ctx.attempt == 1:
                release.wait(10)
        yield ctx.attempt
        log.append(f"close {ctx.attempt}")

    try:
        async with boot.running(wait=False):
            await anyio.to_thread.run_sync(gauge.entered.wait, 10)
            clock.advance(0.2)
            status = await until(boot, lambda s: s.nodes["connection"].phase is Phase.RETRYING)
            assert "waiting for its thread" in (status.nodes["connection"].error or "")
            release.set()
            await until(boot, lambda s: s.ready)
    finally:
        release.set()
    assert log == ["open 1", "close 1", "open 2", "close 2"]
    assert gauge.most == 1


async def test_a_sync_generator_interrupted_in_setup_by_shutdown_is_torn_down() -> None:
    """Shutdown while the setup runs in its thread: the runner waits for it to reach `yield`,
    runs its teardown (code after `yield`, not only `finally`), then tears down what it
    requires."""
    boot, _, events = fake_boot()
    log: list[str] = []
    entered, go = threading.Event(), threading.Event()
    boot.add_hook(on(EventKind.STOPPING, go.set))

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool down")

    @boot.step(requires=[pool])
    def cache() -> Iterator[None]:
        entered.set()
        go.wait(10)
        log.append("cache built")
        yield
        log.append("cache down")

    try:
        async with boot.running(wait=False):
            await anyio.to_thread.run_sync(entered.wait, 10)
    finally:
        go.set()
    assert log == ["cache built", "cache down", "pool down"]
    assert boot.status().nodes["cache"].reason == "shut down before it was ready"
    assert EventKind.WAITING_FOR_THREAD in events.kinds("cache")


async def test_shutdown_waits_for_a_sync_steps_thread_before_tearing_down() -> None:
    """A plain sync step still running at shutdown keeps what it requires until it returns."""
    boot, _, events = fake_boot()
    log: list[str] = []
    entered, go = threading.Event(), threading.Event()
    boot.add_hook(on(EventKind.STOPPING, go.set))

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool down")

    @boot.step(requires=[pool])
    def load() -> None:
        entered.set()
        go.wait(10)
        log.append("load finished")

    try:
        async with boot.running(wait=False):
            await anyio.to_thread.run_sync(entered.wait, 10)
    finally:
        go.set()
    assert log == ["load finished", "pool down"]
    waits = [e.message for e in events.events if e.kind is EventKind.WAITING_FOR_THREAD]
    assert waits == ["its thread is still running; shutdown waits for it before tearing down"]


async def test_a_thread_running_past_the_grace_period_is_abandoned_and_reported() -> None:
    """Shutdown stays bounded: at the end of the grace period the thread is abandoned."""
    boot, clock, events = fake_boot(grace=5)
    entered, stuck = threading.Event(), threading.Event()
    waiting = anyio.Event()
    boot.add_hook(on(EventKind.WAITING_FOR_THREAD, waiting.set))

    @boot.step
    def hang() -> None:
        entered.set()
        stuck.wait(10)

    async def end_the_grace_period() -> None:
        await waiting.wait()
        await anyio.wait_all_tasks_blocked()
        clock.advance(5)

    try:
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(end_the_grace_period)
                async with boot.running(wait=False):
                    await anyio.to_thread.run_sync(entered.wait, 10)
    finally:
        stuck.set()
    failed = [e.message for e in events.events if e.kind is EventKind.TEARDOWN_FAILED]
    assert failed == ["its thread was still running when the grace period ended; abandoned"]
    assert clock.now() == 5


async def test_an_async_generator_interrupted_in_setup_finishes_before_teardown() -> None:
    """Its `finally` (here a shielded cleanup that takes a second) runs to the end before the
    step it requires is torn down."""
    boot, clock, _ = fake_boot()
    log: list[str] = []

    @boot.step
    async def pool() -> AsyncIterator[None]:
        yield
        log.append("pool down")

    @boot.step(requires=[pool])
    async def conn() -> AsyncIterator[None]:
        try:
            await clock.sleep(100)
            yield
        finally:
            with anyio.CancelScope(shield=True):
                await clock.sleep(1)
            log.append("conn closed")

    async with clock.autojump(), boot.running(wait=False):
        await clock.sleep(1)
    assert log == ["conn closed", "pool down"]


async def test_a_failing_sync_step_still_fails_startup_after_its_thread() -> None:
    """A sync step that raises is retried and reported as before (the thread is awaited)."""
    boot, clock, _ = fake_boot()

    @boot.step(retry=Retry(attempts=2, timeout=None, interval=0, jitter="none"))
    def broken() -> None:
        raise OSError("disk full")

    with pytest.raises(StartupError, match="disk full"):
        async with clock.autojump(), boot.running():
            pass
    assert boot.status().nodes["broken"].attempts == 2


async def test_a_failing_teardown_of_an_interrupted_setup_is_reported() -> None:
    """The teardown a holder runs itself for a setup cut short is reported like any other."""
    boot, _, events = fake_boot()
    entered, go = threading.Event(), threading.Event()
    boot.add_hook(on(EventKind.STOPPING, go.set))

    @boot.step
    def cache() -> Iterator[None]:
        entered.set()
        go.wait(10)
        yield
        raise OSError("socket already closed")

    try:
        async with boot.running(wait=False):
            await anyio.to_thread.run_sync(entered.wait, 10)
    finally:
        go.set()
    failed = [e.message for e in events.events if e.kind is EventKind.TEARDOWN_FAILED]
    assert failed == ["OSError: socket already closed"]
