"""Retry policies: pure arithmetic on attempts, delays and deadlines, with an injected RNG."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ._duration import did_you_mean, parse_duration, parse_optional_duration
from ._errors import ConfigError

if TYPE_CHECKING:
    from ._duration import Duration

Jitter = Literal["equal", "full", "none"]


class RandomSource(Protocol):
    """What jitter needs from a random number generator (`random.Random` has it)."""

    def uniform(self, a: float, b: float, /) -> float:
        """A number drawn uniformly from [a, b]."""
        ...


_JITTERS = ("equal", "full", "none")
_OPTIONS = (
    "attempts",
    "timeout",
    "attempt_timeout",
    "interval",
    "max_interval",
    "multiplier",
    "jitter",
)


@dataclass(frozen=True, slots=True, init=False)
class Retry:
    """How a node retries: exponential backoff with jitter, bounded by attempts and a deadline.

    The names are the command line's (`--timeout`, `--attempt-timeout`, `--interval`,
    `--max-interval`, `--attempts`), and every duration is taken as seconds, a string such as
    "250ms" or "1m30s", or a `timedelta`. After failed attempt n (1-based) the next delay is
    drawn from [c/2, c] ("equal" jitter, the default for waits: low detection latency, still
    spreads a herd), [0, c] ("full") or exactly c ("none"), where
    c = min(max_interval, interval * multiplier ** (n - 1)). No delay ever ends past `timeout`,
    the overall deadline counted from the first attempt. `attempts` and `timeout` may not both
    be None: retrying forever has to be asked for with an explicit, large bound.
    """

    attempts: int | None
    timeout: float | None
    """The overall deadline in seconds, from the first attempt; None: bounded by attempts."""
    attempt_timeout: float | None
    interval: float
    """The first delay."""
    max_interval: float
    """The cap on any one delay."""
    multiplier: float
    jitter: Jitter

    def __init__(
        self,
        *,
        attempts: int | None = None,
        timeout: Duration | None = 60.0,
        attempt_timeout: Duration | None = 3.0,
        interval: Duration = 0.05,
        max_interval: Duration = 0.25,
        multiplier: float = 2.0,
        jitter: Jitter = "equal",
    ) -> None:
        if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int)):
            raise ConfigError(f"retry attempts must be a whole number, got {attempts!r}")
        if attempts is not None and attempts < 1:
            raise ConfigError(f"retry attempts must be at least 1, got {attempts}")
        seconds = {
            "timeout": parse_optional_duration(timeout, what="retry timeout"),
            "attempt_timeout": parse_optional_duration(
                attempt_timeout, what="retry attempt_timeout"
            ),
            "interval": parse_duration(interval, what="retry interval"),
            "max_interval": parse_duration(max_interval, what="retry max_interval"),
        }
        if attempts is None and seconds["timeout"] is None:
            raise ConfigError("a retry policy needs attempts or a timeout; both are None")
        if isinstance(multiplier, bool) or not isinstance(multiplier, int | float):
            raise ConfigError(f"retry multiplier must be a number >= 1, got {multiplier!r}")
        if not (math.isfinite(multiplier) and multiplier >= 1):
            raise ConfigError(f"retry multiplier must be >= 1, got {multiplier!r}")
        if jitter not in _JITTERS:
            raise ConfigError(f"retry jitter must be one of {_JITTERS}, got {jitter!r}")
        object.__setattr__(self, "attempts", attempts)
        for name, value in seconds.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "multiplier", float(multiplier))
        object.__setattr__(self, "jitter", jitter)

    def replace(self, **changes: Any) -> Retry:
        """A copy with some options changed (names and values as the constructor takes them)."""
        unknown = set(changes) - set(_OPTIONS)
        if unknown:
            name = sorted(unknown)[0]
            raise ConfigError(f"unknown retry option {name!r}{did_you_mean(name, _OPTIONS)}")
        current = {name: getattr(self, name) for name in _OPTIONS}
        return Retry(**{**current, **changes})

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay after failed attempt `attempt` (1-based)."""
        exponent = min(max(attempt - 1, 0), 1024)
        try:
            grown = self.interval * self.multiplier**exponent
        except OverflowError:
            grown = math.inf
        return min(self.max_interval, grown)

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
        if self.timeout is not None and elapsed + delay >= self.timeout:
            return None
        return delay

    def remaining(self, elapsed: float) -> float | None:
        """Time left before the deadline (None: no deadline)."""
        return None if self.timeout is None else max(self.timeout - elapsed, 0.0)

    def attempt_budget(self, elapsed: float) -> float | None:
        """How long the next attempt may take: its own timeout, clipped to the deadline."""
        if self.timeout is None:
            return self.attempt_timeout
        remaining = max(self.timeout - elapsed, 0.0)
        if self.attempt_timeout is None:
            return remaining
        return min(self.attempt_timeout, remaining)


#: Waits on external dependencies: fast to notice, gentle on the dependency.
WAIT_RETRY = Retry()

#: Steps of the graph: a few spread-out attempts, no per-attempt timeout, no deadline.
STEP_RETRY = Retry(
    attempts=3, timeout=None, interval=0.1, max_interval=5.0, jitter="full", attempt_timeout=None
)


def wait_retry() -> Retry:
    """`WAIT_RETRY` with the `BOOTGATE_*` retry variables applied, read now: the policy of a
    wait that was given none (`wait_for`, `Boot.dependency`), as for `bootgate wait`."""
    from ._environ import wait_options

    options = wait_options()
    return WAIT_RETRY.replace(**options) if options else WAIT_RETRY
