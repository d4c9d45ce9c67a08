"""The one waiting engine: wait for one target until it is ready, or say why it never was.

Every wait in bootgate goes through `wait_until_ready`: a Boot's dependencies at startup and
again after a runtime loss, and `wait_for` (the library call behind `bootgate wait`). It owns

- pacing: a layered probe's cheap layer is polled often, its handshakes are paced (`_pacing`);
- containment: a probe that raises is read as Transient (Permanent for a PermanentError), with
  a one-line reason; every reason is redacted here, at the source;
- test mode (`bootgate.testing`): no pauses, attempts capped, no deadline to wait out;
- the deadline and the attempt count, with the last real reason kept: an attempt cut short by
  the deadline does not replace what the dependency last said;
- events: one per failed attempt, then "ready", "permanent" or "timeout".
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from . import _testmode
from ._backoff import RandomSource, Retry
from ._clock import Clock
from ._duration import format_duration
from ._errors import PermanentError
from ._pacing import TOO_SHORT, Layer, Pacer, Schedule, Stop
from ._probe import FollowingProbe, LayeredProbe, Permanent, Probe, ProbeResult, Ready, Transient
from ._redact import describe, redact

WaitEventKind = Literal["attempt", "ready", "permanent", "timeout"]
"""What a WaitEvent reports (distinct from the startup graph's `EventKind`)."""


@dataclass(frozen=True, slots=True)
class WaitEvent:
    """Something that happened while waiting for one target (for logs, --verbose, --json).

    `kind` is "attempt" (one failed poll; `layer` is "connect" or "handshake", `next_delay`
    the pause before the next, None after the last), "ready", "permanent" or "timeout".
    `target` and `reason` are redacted.
    """

    kind: WaitEventKind
    target: str
    attempt: int
    elapsed: float
    reason: str = ""
    layer: str = ""
    next_delay: float | None = None


@dataclass(frozen=True, slots=True)
class Waited:
    """A target that became ready: after how many polls and how long."""

    target: str
    attempts: int
    elapsed: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class WaitOutcome:
    """How one wait ended: "ready", "permanent" (a permanent answer with fail-fast) or
    "timeout" (attempts or deadline ran out). `reason` is the probe's own last real reason
    (for "ready", its detail); `note` says why the wait stopped early, if it did."""

    kind: Literal["ready", "permanent", "timeout"]
    target: str
    attempts: int
    elapsed: float
    reason: str
    note: str = ""

    def waited(self) -> Waited:
        """The outcome as `wait_for` returns a ready target."""
        return Waited(self.target, self.attempts, self.elapsed, self.reason)

    def gave_up(self) -> str:
        """ "connection refused (gave up after 7 attempts in 1.20s)": why, and how hard."""
        noun = "attempt" if self.attempts == 1 else "attempts"
        note = f": {self.note}" if self.note else ""
        return (
            f"{self.reason} (gave up after {self.attempts} {noun} in "
            f"{format_duration(self.elapsed)}{note})"
        )


async def wait_until_ready(
    probe: Probe,
    retry: Retry,
    *,
    clock: Clock,
    rng: RandomSource,
    fail_fast: bool = True,
    on_event: Callable[[WaitEvent], object] | None = None,
    on_attempt: Callable[[int], object] | None = None,
) -> WaitOutcome:
    """Probe `probe` until it is ready, it answers permanently (with `fail_fast`), or `retry`
    runs out; never raises for the probe's failures. `on_attempt(n)` is called as attempt n
    begins, `on_event` after each failed attempt and once at the end."""
    return await _Wait(probe, _testmode.apply(retry), clock, rng, fail_fast, on_event).run(
        on_attempt
    )


class _Wait:
    """One wait's state: its schedule, its pacer, and the last real reason heard."""

    def __init__(
        self,
        probe: Probe,
        policy: Retry,
        clock: Clock,
        rng: RandomSource,
        fail_fast: bool,
        on_event: Callable[[WaitEvent], object] | None,
    ) -> None:
        self.probe = probe
        self.target = probe.display
        self.layered = probe if isinstance(probe, LayeredProbe) else None
        self.following = isinstance(probe, FollowingProbe)
        self.policy = policy
        self.clock = clock
        self.schedule = Schedule(policy, rng)
        self.pacer = Pacer(policy.max_interval, rng)
        self.fail_fast = fail_fast
        self.emit = on_event or _ignore
        self.first = clock.now()
        self.attempts = 0
        self.last: str | None = None
        """The last reason the probe itself gave (an attempt cut short by the deadline is not
        one, unless nothing else was heard)."""

    async def run(self, on_attempt: Callable[[int], object] | None) -> WaitOutcome:
        while True:
            budget, clipped = self._budget()
            if budget is not None and budget < TOO_SHORT:
                return self._end("timeout", self.last or "no attempt finished before the deadline")
            self.attempts += 1
            if on_attempt is not None:
                on_attempt(self.attempts)
            attempt = await self._attempt(budget, clipped)
            if isinstance(attempt, Stop):  # the handshake's turn would come after the deadline
                return self._stop("connect", attempt, self.last or "no handshake before deadline")
            result, layer, cut_short = attempt
            if isinstance(result, Ready):
                return self._end("ready", result.detail, layer)
            if isinstance(result, Permanent) and self.fail_fast:
                return self._end("permanent", result.reason, layer)
            if not (cut_short and self.last is not None):
                self.last = result.reason
            hint = result.retry_after if isinstance(result, Transient) else None
            pause = self.schedule.after(self.attempts, layer, self._elapsed(), hint)
            if isinstance(pause, Stop):
                return self._stop(layer, pause, result.reason)
            self.emit(self._event("attempt", result.reason, layer, pause))
            await self.clock.sleep(pause)

    def _budget(self) -> tuple[float | None, bool]:
        """How long the next attempt may take, and whether the deadline is what limits it."""
        elapsed = self._elapsed()
        remaining = self.policy.remaining(elapsed)
        if self.following:  # it waits for the event itself: the rest of the deadline
            return remaining, remaining is not None
        budget = self.policy.attempt_budget(elapsed)
        timeout = self.policy.attempt_timeout
        return budget, remaining is not None and (timeout is None or remaining < timeout)

    async def _attempt(
        self, budget: float | None, clipped: bool
    ) -> tuple[ProbeResult, Layer, bool] | Stop:
        """One attempt: (its answer, the layer it ended in, whether the deadline cut it short)."""
        layered = self.layered
        if layered is None:
            result = await self._bounded(self.probe, budget)
            if result is None:
                return _no_answer(budget), "handshake", clipped
            return result, "handshake", False
        began = self.clock.now()
        cheap = await self._bounded(functools.partial(_reachable, layered), budget)
        if cheap is None:
            return _no_answer(budget), "connect", clipped
        self.pacer.cheap_layer(isinstance(cheap, Ready))
        if not isinstance(cheap, Ready):
            return cheap, "connect", False
        # Waiting for the handshake's turn is a pause between attempts, not attempt time.
        pause = self.pacer.wait_time(self.clock.now())
        if pause > 0:
            if self.schedule.past_deadline(self._elapsed() + pause):
                return Stop()
            await self.clock.sleep(pause)
        self.pacer.started(self.clock.now())
        if budget is not None:
            budget = max(budget - (self.clock.now() - began - pause), 0.0)
            remaining = self.policy.remaining(self._elapsed())
            if remaining is not None and remaining < budget:
                budget, clipped = remaining, True
        result = await self._bounded(layered.deep, budget)
        if result is None:
            return _no_answer(budget), "handshake", clipped
        return result, "handshake", False

    async def _bounded(
        self, call: Callable[[], Awaitable[ProbeResult]], budget: float | None
    ) -> ProbeResult | None:
        """`call()` within `budget`, contained and redacted; None if the budget ran out."""
        with self.clock.move_on_after(budget):
            try:
                result = await call()
            except PermanentError as exc:
                return Permanent(describe(exc))
            except Exception as exc:
                return Transient(describe(exc))
            return _redacted(result)
        return None

    def _stop(self, layer: Layer, stop: Stop, reason: str) -> WaitOutcome:
        self.emit(self._event("attempt", reason, layer, None))
        return self._end("timeout", self.last or reason, layer, stop.note)

    def _end(
        self,
        kind: Literal["ready", "permanent", "timeout"],
        reason: str,
        layer: Layer | Literal[""] = "",
        note: str = "",
    ) -> WaitOutcome:
        self.emit(self._event(kind, reason, layer, None))
        return WaitOutcome(kind, self.target, self.attempts, self._elapsed(), reason, note)

    def _event(
        self, kind: WaitEventKind, reason: str, layer: str, pause: float | None
    ) -> WaitEvent:
        return WaitEvent(kind, self.target, self.attempts, self._elapsed(), reason, layer, pause)

    def _elapsed(self) -> float:
        return self.clock.now() - self.first


_OPEN = Ready()
"""The cheap layer's answer when it answered (it has no Ready of its own)."""


async def _reachable(layered: LayeredProbe) -> ProbeResult:
    return await layered.reachable() or _OPEN


def _no_answer(budget: float | None) -> Transient:
    return Transient(f"no answer within {format_duration(budget or 0.0)}")


def _redacted(result: ProbeResult) -> ProbeResult:
    # A probe's reason may quote its target's password.
    if isinstance(result, Transient):
        return Transient(redact(result.reason), result.retry_after)
    if isinstance(result, Permanent):
        return Permanent(redact(result.reason))
    if result.detail:
        return Ready(redact(result.detail))
    return result


def _ignore(event: WaitEvent) -> None:
    pass
