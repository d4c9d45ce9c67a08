"""Test support for users' own suites: no backoff waits, few attempts, and a fake clock.

from bootgate.testing import test_mode

def test_startup_fails_fast_without_db() -> None:
    with test_mode(attempts=2):   # retries happen, but without waiting
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import _testmode
from ._clock import FakeClock

__all__ = ["FakeClock", "is_testing", "set_testing", "test_mode"]


def set_testing(testing: bool, *, attempts: int = 1) -> None:
    """Switch test mode on or off for the whole process.

    On: every retry policy waits zero seconds between attempts, has no deadline to wait out,
    and makes at most `attempts` attempts (fewer if the policy itself allows fewer).
    """
    _testmode.set_active(attempts if testing else None)


def is_testing() -> bool:
    """True while test mode is on."""
    return _testmode.active_attempts() is not None


@contextmanager
def test_mode(*, attempts: int = 1) -> Iterator[None]:  # noqa: PT028
    """Test mode for the duration of a `with` block; the previous setting comes back after."""
    previous = _testmode.set_active(attempts)
    try:
        yield
    finally:
        _testmode.set_active(previous)


test_mode.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name
