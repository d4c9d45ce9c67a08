"""The fake clock: time moves only when told to, or jumps when every task is blocked."""

from __future__ import annotations

import anyio
import pytest

from bootgate import FakeClock, SystemClock

pytestmark = pytest.mark.anyio


async def test_sleepers_wake_in_deadline_order_as_time_advances() -> None:
    """advance() wakes each sleeper when its deadline passes, and no earlier."""
    clock = FakeClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now()))

    async with anyio.create_task_group() as tg:
        tg.start_soon(sleeper, "late", 5.0)
        tg.start_soon(sleeper, "early", 1.0)
        await anyio.wait_all_tasks_blocked()
        clock.advance(0.5)
        await anyio.wait_all_tasks_blocked()
        assert woke == []
        clock.advance(0.5)
        await anyio.wait_all_tasks_blocked()
        clock.advance(4.0)
    assert woke == [("early", 1.0), ("late", 5.0)]


async def test_move_on_after_cancels_at_the_fake_deadline() -> None:
    """A fake timeout fires on the fake clock, however little real time passed."""
    clock = FakeClock()
    async with clock.autojump():
        with clock.move_on_after(30) as scope:
            await clock.sleep(60)
    assert scope.cancelled_caught
    assert clock.now() == 30


async def test_autojump_skips_to_the_next_timer() -> None:
    """Inside autojump, an hour of sleeping takes no real time and ends exactly on time."""
    clock = FakeClock(start=100)
    async with clock.autojump():
        await clock.sleep(3600)
        await clock.sleep(0)
    assert clock.now() == 3700


async def test_expired_scopes_do_not_drag_time_forward() -> None:
    """A timeout scope that was left early leaves no timer behind for autojump to jump to."""
    clock = FakeClock()
    async with clock.autojump():
        with clock.move_on_after(1000):
            await clock.sleep(1)
        await clock.sleep(2)
    assert clock.now() == 3


def test_advance_rejects_going_backwards() -> None:
    """Time never runs backwards."""
    with pytest.raises(ValueError, match="backwards"):
        FakeClock().advance(-1)


async def test_system_clock_is_monotonic_and_sleeps() -> None:
    """The real clock reads time.monotonic and its zero sleep is a checkpoint."""
    clock = SystemClock()
    before = clock.now()
    await clock.sleep(0)
    with clock.move_on_after(None) as scope:
        pass
    assert clock.now() >= before
    assert not scope.cancelled_caught
