"""Test mode: retries without waiting and with few attempts, so users' suites never sleep."""

from __future__ import annotations

from ._backoff import Retry

_attempts: int | None = None
"""The attempt cap while test mode is on; None while it is off."""


def set_active(attempts: int | None) -> int | None:
    """Switch test mode on with `attempts` (None switches it off); return the previous value."""
    global _attempts
    if attempts is not None and attempts < 1:
        raise ValueError(f"test mode attempts must be at least 1, got {attempts}")
    previous, _attempts = _attempts, attempts
    return previous


def active_attempts() -> int | None:
    """The attempt cap of the active test mode, or None when test mode is off."""
    return _attempts


def apply(policy: Retry) -> Retry:
    """The policy as test mode runs it: no delays, attempts capped, no deadline to wait out."""
    if _attempts is None:
        return policy
    attempts = _attempts if policy.attempts is None else min(_attempts, policy.attempts)
    return Retry(
        attempts=attempts,
        timeout=None,
        interval=0.0,
        max_interval=0.0,
        jitter="none",
        attempt_timeout=policy.attempt_timeout,
    )
