"""Test mode: users' suites retry without waiting."""

from __future__ import annotations

import pytest

from bootgate import Retry, StartupError, Transient
from bootgate.testing import is_testing, set_testing, test_mode

from .helpers import fake_boot

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
