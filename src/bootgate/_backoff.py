"""Retry policies: pure arithmetic on attempts, delays and deadlines, with an injected RNG."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

from ._errors import ConfigError

Jitter = Literal["equal", "full", "none"]


class RandomSource(Protocol):
    """What jitter needs from a random number generator (`random.Random` has it)."""

    def uniform(self, a: float, b: float, /) -> float:
        """A number drawn uniformly from [a, b]."""
        ...


_JITTERS = ("equal", "full", "none")


@dataclass(frozen=True, slots=True)
class Retry:
    """How a node retries: exponential backoff with jitter, bounded by attempts and a deadline.

    After failed attempt n (1-based) the next delay is drawn from [c/2, c] ("equal" jitter, the
    default for waits: low detection latency, still spreads a herd), [0, c] ("full") or exactly c
    ("none"), where c = min(cap, initial * multiplier ** (n - 1)). No delay ever ends past the
    deadline, counted from the first attempt. `attempts` and `deadline` may not both be None:
    retrying forever has to be asked for with an explicit, large bound.
    """

    attempts: int | None = None
    deadline: float | None = 60.0
    initial: float = 0.05
    cap: float = 0.25
    multiplier: float = 2.0
    jitter: Jitter = "equal"
    attempt_timeout: float | None = 3.0

    def __post_init__(self) -> None:
        if self.attempts is not None and self.attempts < 1:
            raise ConfigError(f"retry attempts must be at least 1, got {self.attempts}")
        if self.attempts is None and self.deadline is None:
            raise ConfigError("a retry policy needs attempts or a deadline; both are None")
        for name in ("deadline", "initial", "cap", "attempt_timeout"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"retry {name} must be a non-negative number, got {value!r}")
        if not (math.isfinite(self.multiplier) and self.multiplier >= 1):
            raise ConfigError(f"retry multiplier must be >= 1, got {self.multiplier!r}")
        if self.jitter not in _JITTERS:
            raise ConfigError(f"retry jitter must be one of {_JITTERS}, got {self.jitter!r}")

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay after failed attempt `attempt` (1-based)."""
        exponent = min(max(attempt - 1, 0), 1024)
        try:
            grown = self.initial * self.multiplier**exponent
        except OverflowError:
            grown = math.inf
        return min(self.cap, grown)

    def delay(self, attempt: int, rng: RandomSource) -> float:
        """A jittered delay after failed attempt `attempt`, ignoring attempts and deadline."""
        ceiling = self.ceiling(attempt)
        if self.jitter == "equal":
            return rng.uniform(ceiling / 2, ceiling)
        if self.jitter == "full":
            return rng.uniform(0.0, ceiling)
        return ceiling

    def next_delay(self, attempt: int, elapsed: float, rng: RandomSource) -> float | None:
        """The delay before attempt `attempt + 1`, or None when the policy says stop.

        `elapsed` is the time since the first attempt began. When the next attempt could not
        begin before the deadline the answer is None: an attempt with no time left to run
        would only replace the real reason with a timeout.
        """
        if self.attempts is not None and attempt >= self.attempts:
            return None
        delay = self.delay(attempt, rng)
        if self.deadline is not None and elapsed + delay >= self.deadline:
            return None
        return delay

    def remaining(self, elapsed: float) -> float | None:
        """Time left before the deadline (None: no deadline)."""
        return None if self.deadline is None else max(self.deadline - elapsed, 0.0)

    def attempt_budget(self, elapsed: float) -> float | None:
        """How long the next attempt may take: its own timeout, clipped to the deadline."""
        if self.deadline is None:
            return self.attempt_timeout
        remaining = max(self.deadline - elapsed, 0.0)
        if self.attempt_timeout is None:
            return remaining
        return min(self.attempt_timeout, remaining)


#: Waits on external dependencies: fast to notice, gentle on the dependency.
WAIT_RETRY = Retry()

#: Steps of the graph: a few spread-out attempts, no per-attempt timeout, no deadline.
STEP_RETRY = Retry(
    attempts=3, deadline=None, initial=0.1, cap=5.0, jitter="full", attempt_timeout=None
)
