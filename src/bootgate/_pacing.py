"""When the next attempt of a wait begins: pure arithmetic over a Retry policy, no I/O.

A wait polls the cheap layer (a connect) often, on the policy's schedule capped at CHEAP_CAP,
and spaces handshakes at least `max_interval` x U(1, 1.1) apart, except for a few right after
the cheap layer opened. `Schedule` says how long to pause after a failed attempt, or why to
stop; `Pacer` says how long a handshake must still wait for its turn.
"""

from __future__ import annotations

from typing import Literal

from ._backoff import RandomSource, Retry
from ._duration import format_duration

#: The longest pause between two cheap-layer polls (a refused connect costs nothing).
CHEAP_CAP = 0.075
#: Handshakes right after the cheap layer was seen to open (refused, then answering) that follow
#: the policy's own short delays: a port that just opened belongs to a service that is starting
#: (PostgreSQL's 57P03), which is usually ready a few milliseconds later.
FREE_AFTER_OPENING = 3
#: Less time than this left before the deadline counts as none (a fake clock cannot move by
#: 1e-16, and float rounding must not make a burst of zero-length attempts at the deadline).
TOO_SHORT = 1e-6

Layer = Literal["connect", "handshake"]
"""Which layer an attempt ended in: the cheap one, or the handshake."""


class Stop:
    """No further attempt: attempts or deadline ran out. `note` says why when it is not plain
    (a Retry-After hint that reaches past the deadline)."""

    __slots__ = ("note",)

    def __init__(self, note: str = "") -> None:
        self.note = note


class Schedule:
    """The pauses between the attempts of one wait, counted per layer."""

    def __init__(self, policy: Retry, rng: RandomSource) -> None:
        self.policy = policy
        self.cheap = policy.replace(max_interval=min(policy.max_interval, CHEAP_CAP))
        self.rng = rng
        self.connects = 0
        self.handshakes = 0

    def after(
        self, attempt: int, layer: Layer, elapsed: float, hint: float | None = None
    ) -> float | Stop:
        """The pause after failed attempt `attempt` (1-based, both layers counted) that ended
        in `layer`, `elapsed` seconds after the wait began; `hint` is a Retry-After."""
        policy = self.policy
        if layer == "connect":
            self.connects += 1
            delay = self.cheap.next_delay(self.connects, elapsed, self.rng)
        else:
            self.handshakes += 1
            delay = policy.next_delay(self.handshakes, elapsed, self.rng)
        if delay is None or (policy.attempts is not None and attempt >= policy.attempts):
            return Stop()
        if hint is not None and hint > delay:
            delay = hint
            if self.past_deadline(elapsed + delay):
                return Stop(
                    f"asked to retry after {format_duration(hint)}, past the "
                    f"{format_duration(policy.timeout or 0.0)} deadline"
                )
        if self.past_deadline(elapsed + delay):
            return Stop()
        return delay

    def past_deadline(self, elapsed: float) -> bool:
        """True when an attempt beginning `elapsed` seconds in would begin too late."""
        timeout = self.policy.timeout
        return timeout is not None and elapsed > timeout - TOO_SHORT


class Pacer:
    """Spaces handshakes: each starts at least `interval` x U(1, 1.1) after the previous one
    started. So a waiter never sends more than one handshake per `interval` (`--max-interval`,
    the rate of a fixed-interval poller such as wait-on), and waiters keep the spread the
    jittered cheap-layer polls gave them instead of falling into step. The exception: the
    first FREE_AFTER_OPENING handshakes after the cheap layer opened follow the policy alone."""

    def __init__(self, interval: float, rng: RandomSource) -> None:
        self.interval = interval
        self.rng = rng
        self.count = 0
        self.free_until = 1
        self.refused = False
        self.next_start = 0.0

    def cheap_layer(self, answered: bool) -> None:
        """Note a cheap-layer result; the first answer after refusals frees a few handshakes."""
        if not answered:
            self.refused = True
        elif self.refused:
            self.refused = False
            self.free_until = self.count + FREE_AFTER_OPENING

    def wait_time(self, now: float) -> float:
        """How long a handshake that could start at `now` must still wait for its turn."""
        if self.count < self.free_until:
            return 0.0
        return max(0.0, self.next_start - now)

    def started(self, now: float) -> None:
        """Note that a handshake started at `now`."""
        self.count += 1
        self.next_start = now + self.interval * self.rng.uniform(1.0, 1.1)
