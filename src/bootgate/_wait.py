"""Waiting for dependencies without a Boot: `wait_for` probes targets in parallel until ready.

Each target is polled in two layers. The cheap layer (a TCP connect, a socket, a stat) is polled
often, on the retry policy's schedule capped at CHEAP_CAP; the handshake runs only once the cheap
layer answers, on the policy's own schedule, but never sooner than `retry.max_interval`
x U(1, 1.1) after the previous one (except for a few right after the port opened), so a
dependency that is up but not yet serving sees at most one handshake per `retry.max_interval`
from each waiter. Permanent answers end the wait at once unless `fail_fast=False`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import anyio

from ._backoff import WAIT_RETRY, Retry
from ._clock import Clock, SystemClock
from ._duration import format_duration
from ._errors import ConfigError, PermanentError, StartupTimeout
from ._probe import Permanent, Probe, ProbeResult, Ready, Transient
from .probes._base import LayeredProbe

#: The longest pause between two cheap-layer polls (a refused connect costs nothing).
CHEAP_CAP = 0.075
#: Handshakes right after the cheap layer was seen to open (refused, then answering) that follow
#: the policy's own short delays: a port that just opened belongs to a service that is starting
#: (PostgreSQL's 57P03), which is usually ready a few milliseconds later.
FREE_AFTER_OPENING = 3

#: Less time than this left before the deadline counts as none.
TOO_SHORT = 1e-6

EventKind = Literal["attempt", "ready", "permanent", "timeout"]


@dataclass(frozen=True, slots=True)
class WaitEvent:
    """Something that happened while waiting for one target (for logs, --verbose, --json).

    `kind` is "attempt" (one failed poll; `layer` is "connect" or "handshake", `next_delay`
    the pause before the next), "ready", "permanent" or "timeout". `target` is redacted.
    """

    kind: EventKind
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


class _Outcome(Exception):
    """Internal: how one target's wait ended badly (kind "permanent" or "timeout")."""

    def __init__(self, kind: str, target: str, reason: str, elapsed: float) -> None:
        super().__init__(reason)
        self.kind = kind
        self.target = target
        self.reason = reason
        self.elapsed = elapsed


async def wait_for(
    targets: Sequence[str | Probe],
    *,
    retry: Retry = WAIT_RETRY,
    any: bool = False,
    fail_fast: bool = True,
    on_event: Callable[[WaitEvent], object] | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    options: Mapping[str, Any] | None = None,
) -> tuple[Waited, ...]:
    """Wait until every target (or, with `any=True`, one of them) is ready; return them.

    Targets are URLs (see `bootgate.probes.probe_for`, which takes `options`) or Probe
    objects. Raises ConfigError for a bad target before waiting, PermanentError when a target
    answers permanently (with `fail_fast`; with `any`, once every target has), and
    StartupTimeout when `retry.timeout` or `retry.attempts` runs out first.
    """
    if not targets:
        raise ConfigError("no targets to wait for")
    probes = [_probe(target, retry, dict(options or {})) for target in targets]
    clock = clock or SystemClock()
    rng = rng or random.Random()
    emit = on_event or (lambda event: None)
    ready: dict[int, Waited] = {}
    failures: list[_Outcome] = []

    async def run(index: int, probe: Probe, group: anyio.abc.TaskGroup) -> None:
        try:
            ready[index] = await _wait_one(probe, retry, fail_fast, clock, rng, emit)
        except _Outcome as outcome:
            failures.append(outcome)
            if not any or len(failures) == len(probes):
                group.cancel_scope.cancel()
            return
        if any:
            group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        for index, probe in enumerate(probes):
            group.start_soon(run, index, probe, group)
    if ready and (any or len(ready) == len(probes)):
        return tuple(ready[i] for i in sorted(ready))
    first = failures[0]
    if first.kind == "permanent":
        raise PermanentError(f"{first.target}: {first.reason}")
    raise StartupTimeout(f"waiting for {first.target} ({first.reason})", first.elapsed)


def _probe(target: str | Probe, retry: Retry, options: dict[str, Any]) -> Probe:
    if not isinstance(target, str):
        return target
    from .probes import probe_for

    if retry.attempt_timeout is not None:
        options = {"attempt_timeout": retry.attempt_timeout, **options}
    return probe_for(target, **options)


class _Pacer:
    """Spaces handshakes: each starts at least `interval` x U(1, 1.1) after the previous one
    started. So a waiter never sends more than one handshake per `interval` (`--max-interval`,
    the rate of a fixed-interval poller such as wait-on), and waiters keep the spread the
    jittered cheap-layer polls gave them instead of falling into step. The exception: the
    first FREE_AFTER_OPENING handshakes after the cheap layer opened follow the policy alone."""

    def __init__(self, interval: float, rng: random.Random) -> None:
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
        if self.count < self.free_until:
            return 0.0
        return max(0.0, self.next_start - now)

    def started(self, now: float) -> None:
        self.count += 1
        self.next_start = now + self.interval * self.rng.uniform(1.0, 1.1)


async def _wait_one(
    probe: Probe,
    retry: Retry,
    fail_fast: bool,
    clock: Clock,
    rng: random.Random,
    emit: Callable[[WaitEvent], object],
) -> Waited:
    layered = probe if isinstance(probe, LayeredProbe) else None
    cheap = retry.replace(max_interval=min(retry.max_interval, CHEAP_CAP))
    first = clock.now()
    pacer = _Pacer(retry.max_interval, rng)
    polls = cheap_rounds = deep_rounds = 0
    last = "no attempt finished"
    while True:
        elapsed = clock.now() - first
        # A probe that follows an event stream waits for the event itself: it gets the deadline.
        follows = getattr(probe, "follows", False)
        budget = retry.remaining(elapsed) if follows else retry.attempt_budget(elapsed)
        # At the deadline (give or take float rounding: a fake clock cannot move by 1e-16)
        # there is no room for another poll.
        if budget is not None and budget < TOO_SHORT:
            emit(WaitEvent("timeout", probe.display, polls, elapsed, last))
            raise _Outcome("timeout", probe.display, last, retry.timeout or elapsed)
        polls += 1
        layer = "connect" if layered is not None else "handshake"
        outcome: ProbeResult | _Reached = Transient(
            f"no answer within {format_duration(budget or 0.0)}"
        )
        with clock.move_on_after(budget):
            outcome = await _attempt(probe, layered, pacer, clock)
        if isinstance(outcome, _Reached):
            layer = "handshake"
            result = outcome.result
        else:
            result = outcome
        elapsed = clock.now() - first
        if isinstance(result, Ready):
            emit(WaitEvent("ready", probe.display, polls, elapsed, result.detail, layer))
            return Waited(probe.display, polls, elapsed, result.detail)
        if isinstance(result, Permanent) and fail_fast:
            emit(WaitEvent("permanent", probe.display, polls, elapsed, result.reason, layer))
            raise _Outcome("permanent", probe.display, result.reason, elapsed)
        if layer == "connect":
            cheap_rounds += 1
            delay = cheap.next_delay(cheap_rounds, elapsed, rng)
        else:
            deep_rounds += 1
            delay = retry.next_delay(deep_rounds, elapsed, rng)
            hint = result.retry_after if isinstance(result, Transient) else None
            if delay is not None and hint is not None:
                delay = max(delay, hint)
        if delay is not None and retry.attempts is not None and polls >= retry.attempts:
            delay = None
        if (
            delay is not None
            and retry.timeout is not None
            and elapsed + delay > retry.timeout - TOO_SHORT
        ):
            delay = None
        last = result.reason
        emit(WaitEvent("attempt", probe.display, polls, elapsed, last, layer, delay))
        if delay is None:
            emit(WaitEvent("timeout", probe.display, polls, elapsed, last, layer))
            raise _Outcome("timeout", probe.display, last, retry.timeout or elapsed)
        await clock.sleep(delay)


@dataclass(frozen=True, slots=True)
class _Reached:
    """The cheap layer answered and the handshake ran: its result."""

    result: ProbeResult


async def _attempt(
    probe: Probe, layered: LayeredProbe | None, pacer: _Pacer, clock: Clock
) -> ProbeResult | _Reached:
    if layered is None:
        try:
            return await probe()
        except Exception as exc:  # a user's probe that raises: treat like a transient answer
            return Transient(f"{type(exc).__name__}: {exc}")
    refused = await layered.reachable()
    pacer.cheap_layer(refused is None)
    if refused is not None:
        return refused
    pause = pacer.wait_time(clock.now())
    if pause > 0:
        await clock.sleep(pause)
    pacer.started(clock.now())
    return _Reached(await layered.deep())
