"""Test mode: users' suites retry without waiting."""

from __future__ import annotations

import pytest

from bootgate import FakeClock, Ready, Retry, StartupError, StartupTimeout, Transient, wait_for
from bootgate.testing import is_testing, set_testing, test_mode

from .helpers import fake_boot
from .scripted import Plain, Scripted

pytestmark = pytest.mark.anyio


async def test_test_mode_caps_attempts_and_removes_waits() -> None:
    """With test_mode(attempts=2) a failing step runs twice and no time passes."""
    boot, clock, _ = fake_boot()
    attempts: list[int] = []

    @boot.step(retry=Retry(attempts=10, timeout=None, interval=30, max_interval=60))
    async def flaky() -> None:
        attempts.append(1)
        raise ConnectionError("down")

    with test_mode(attempts=2), pytest.raises(StartupError):
        async with clock.autojump(), boot.running():
            pass
    assert len(attempts) == 2
    assert clock.now() == 0


async def test_test_mode_applies_to_dependency_waits() -> None:
    """A dependency that never answers fails after the capped attempts, without a 60 s wait."""
    boot, clock, _ = fake_boot()

    async def refused() -> Transient:
        return Transient("connection refused")

    boot.dependency("db", refused)
    with test_mode(attempts=3), pytest.raises(StartupError, match="gave up after 3 attempts"):
        async with clock.autojump(), boot.running():
            pass
    assert clock.now() == 0


async def test_test_mode_applies_to_wait_for() -> None:
    """wait_for gives up after the capped attempts, at once, with the target's own reason."""
    clock = FakeClock()
    never = Scripted(10**6, [Ready()], clock)
    with test_mode(attempts=3), pytest.raises(StartupTimeout) as info:
        async with clock.autojump():
            await wait_for([never], clock=clock)
    assert never.connects == 3
    assert clock.now() == 0
    assert str(info.value).endswith("connection refused (gave up after 3 attempts in 0ms)")


async def test_test_mode_does_not_spin_on_a_lost_dependency() -> None:
    """A dependency lost at runtime is tried a capped number of times per re-check, no more."""
    boot, clock, _ = fake_boot()
    probe = Plain([Ready(), Transient("connection refused")], clock)
    boot.dependency("db", probe, recheck="5s")
    with test_mode(attempts=2):
        async with clock.autojump(), boot.running():
            await clock.sleep(12)
            assert not boot.status().ready
    # the startup probe, then at 5 s and 10 s one look and one more try each
    assert probe.times == [0, 5, 5, 10, 10]


def test_switching_on_and_off() -> None:
    """set_testing toggles the process-wide mode; the context manager restores what was there."""
    assert not is_testing()
    set_testing(True, attempts=1)
    try:
        assert is_testing()
        with test_mode(attempts=5):
            assert is_testing()
        assert is_testing()
    finally:
        set_testing(False)
    assert not is_testing()


def test_attempts_must_be_positive() -> None:
    """Zero attempts is a mistake, not a way to switch off."""
    with pytest.raises(ValueError, match="at least 1"):
        set_testing(True, attempts=0)
