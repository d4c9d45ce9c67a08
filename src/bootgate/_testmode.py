"""Test mode: retries without waiting and with few attempts, so users' suites never sleep."""

from __future__ import annotations

from dataclasses import dataclass

from ._backoff import Retry


@dataclass(frozen=True, slots=True)
class _TestMode:
    attempts: int


_active: _TestMode | None = None


def set_active(attempts: int | None) -> int | None:
    """Switch test mode on with `attempts` (None switches it off); return the previous value."""
    global _active
    previous = None if _active is None else _active.attempts
    if attempts is not None and attempts < 1:
        raise ValueError(f"test mode attempts must be at least 1, got {attempts}")
    _active = None if attempts is None else _TestMode(attempts)
    return previous


def active_attempts() -> int | None:
    """The attempt cap of the active test mode, or None when test mode is off."""
    return None if _active is None else _active.attempts


def apply(policy: Retry) -> Retry:
    """The policy as test mode runs it: no delays, attempts capped, no deadline to wait out."""
    if _active is None:
        return policy
    attempts = _active.attempts
    if policy.attempts is not None:
        attempts = min(attempts, policy.attempts)
    return Retry(
        attempts=attempts,
        deadline=None,
        initial=0.0,
        cap=0.0,
        jitter="none",
        attempt_timeout=policy.attempt_timeout,
    )
