"""Retry policies: delays, jitter, caps, attempts and deadlines."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import STEP_RETRY, WAIT_RETRY, ConfigError, Retry

policies = st.builds(
    Retry,
    attempts=st.one_of(st.none(), st.integers(1, 50)),
    timeout=st.floats(0, 120),
    interval=st.floats(0, 2),
    max_interval=st.floats(0, 10),
    multiplier=st.floats(1, 4),
    jitter=st.sampled_from(["equal", "full", "none"]),
)


def test_defaults_match_the_contract() -> None:
    """Waits: 50 ms, equal jitter, cap 250 ms, 3 s an attempt, 60 s; steps: full jitter, 5 s."""
    assert (WAIT_RETRY.interval, WAIT_RETRY.max_interval, WAIT_RETRY.jitter) == (
        0.05,
        0.25,
        "equal",
    )
    assert (WAIT_RETRY.attempt_timeout, WAIT_RETRY.timeout) == (3.0, 60.0)
    assert (STEP_RETRY.jitter, STEP_RETRY.max_interval, STEP_RETRY.attempts) == ("full", 5.0, 3)


def test_ceiling_grows_exponentially_up_to_the_cap() -> None:
    """Un-jittered delays double from the initial delay until the cap."""
    policy = Retry(interval=0.05, max_interval=0.25)
    assert [policy.ceiling(n) for n in range(1, 6)] == pytest.approx([0.05, 0.1, 0.2, 0.25, 0.25])


def test_ceiling_survives_huge_attempt_numbers() -> None:
    """A very late attempt neither overflows nor exceeds the cap."""
    assert Retry(interval=1, max_interval=3, multiplier=10).ceiling(10**9) == 3


@given(policies, st.integers(1, 200), st.integers(0, 2**32))
def test_jittered_delay_stays_in_its_band(policy: Retry, attempt: int, seed: int) -> None:
    """Equal jitter lands in [c/2, c], full in [0, c], none exactly on c."""
    ceiling = policy.ceiling(attempt)
    delay = policy.delay(attempt, random.Random(seed))
    low = {"equal": ceiling / 2, "full": 0.0, "none": ceiling}[policy.jitter]
    assert low - 1e-12 <= delay <= ceiling + 1e-12


@given(policies, st.integers(0, 2**32))
def test_a_schedule_never_passes_the_deadline_or_the_attempts(policy: Retry, seed: int) -> None:
    """Following next_delay, every sleep ends by the deadline and attempts stay within bounds."""
    rng = random.Random(seed)
    elapsed, attempt = 0.0, 1
    while attempt < 10_000:
        delay = policy.next_delay(attempt, elapsed, rng)
        if delay is None:
            break
        assert delay >= 0
        elapsed += delay
        attempt += 1
        assert policy.timeout is None or elapsed <= policy.timeout + 1e-9
    if policy.attempts is not None:
        assert attempt <= policy.attempts


def test_stops_at_the_attempt_limit() -> None:
    """After the last allowed attempt there is no next delay."""
    policy = Retry(attempts=3, timeout=None)
    rng = random.Random(1)
    assert policy.next_delay(2, 0.0, rng) is not None
    assert policy.next_delay(3, 0.0, rng) is None


def test_no_attempt_is_scheduled_at_or_past_the_deadline() -> None:
    """A delay that would reach the deadline means stop now, with the last real reason."""
    policy = Retry(interval=1, max_interval=1, jitter="none", timeout=12)
    assert policy.next_delay(1, 10.5, random.Random(0)) == 1
    assert policy.next_delay(2, 11.0, random.Random(0)) is None
    assert policy.next_delay(3, 12.0, random.Random(0)) is None


def test_attempt_budget_is_clipped_to_the_deadline() -> None:
    """An attempt may take its own timeout, but never more than what is left of the deadline."""
    policy = Retry(attempt_timeout=3, timeout=10)
    assert policy.attempt_budget(0) == 3
    assert policy.attempt_budget(8.5) == pytest.approx(1.5)
    assert Retry(attempt_timeout=None, timeout=10).attempt_budget(4) == 6
    assert Retry(attempts=2, timeout=None, attempt_timeout=None).attempt_budget(4) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"attempts": None, "timeout": None},
        {"attempts": 2.5},
        {"interval": -1},
        {"interval": "soon"},
        {"max_interval": float("nan")},
        {"timeout": []},
        {"multiplier": 0.5},
        {"jitter": "sometimes"},
        {"attempt_timeout": float("inf")},
    ],
)
def test_rejects_unsafe_or_malformed_policies(kwargs: dict[str, object]) -> None:
    """Retrying forever, negative delays and unknown jitter are configuration errors."""
    with pytest.raises(ConfigError):
        Retry(**kwargs)  # type: ignore[arg-type]


def test_durations_are_taken_as_text_seconds_or_timedelta() -> None:
    """Every duration option takes "250ms", a number of seconds or a timedelta alike."""
    from datetime import timedelta

    texts = Retry(timeout="1m30s", attempt_timeout="2s", interval="10ms", max_interval="1s")
    numbers = Retry(timeout=90, attempt_timeout=2, interval=0.01, max_interval=1)
    deltas = Retry(
        timeout=timedelta(seconds=90),
        attempt_timeout=timedelta(seconds=2),
        interval=timedelta(milliseconds=10),
        max_interval=timedelta(seconds=1),
    )
    assert texts == numbers == deltas
    assert (texts.timeout, texts.interval) == (90.0, 0.01)


def test_replace_takes_the_constructor_names_and_refuses_unknown_ones() -> None:
    """replace() changes named options; a misspelt name is an error naming the nearest one."""
    assert WAIT_RETRY.replace(timeout="5s").timeout == 5.0
    with pytest.raises(ConfigError, match=r"'max_intervall'.*did you mean 'max_interval'"):
        WAIT_RETRY.replace(max_intervall=1)
