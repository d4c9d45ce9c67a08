"""A dependency's life in a run: waited for at startup, then watched while the service runs.

Both go through the one waiting engine (`_waiting`), so a Boot's dependency is paced, contained
and redacted exactly as `bootgate wait` is. Here its answers become node transitions and events:
a startup wait that runs out fails the node, or (after_deadline="heal") leaves it overdue and
waited for until it answers; a runtime loss never fails it, it lowers readiness until the
dependency answers again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _testmode
from ._duration import format_duration
from ._environ import UNBOUNDED_ATTEMPTS
from ._events import EventKind
from ._spec import DependencySpec
from ._waiting import WaitEvent, wait_until_ready

if TYPE_CHECKING:
    from ._runner import Runner


async def wait(run: Runner, spec: DependencySpec) -> bool:
    """Wait for the dependency at startup; True once it is ready, False once it has failed."""
    name = spec.name
    store, clock = run.store, run.clock
    first = clock.now()
    # The engine counts the deadline from here too (test mode has none).
    timeout = _testmode.apply(spec.retry).timeout
    deadline_s = None if timeout is None else run.elapsed(first) + timeout

    def attempt_began(attempt: int) -> None:
        store.attempt_began(name, clock.now(), attempt=attempt, deadline_s=deadline_s)
        run.emit(EventKind.ATTEMPT, name, f"probe {attempt}")

    def attempt_failed(event: WaitEvent) -> None:
        if event.kind != "attempt" or event.next_delay is None:
            return  # the last one: the outcome below says how the wait ended
        now = clock.now()
        store.attempt_failed(
            name, now, error=event.reason, next_retry_s=run.elapsed(now + event.next_delay)
        )
        pause = format_duration(event.next_delay)
        run.emit(EventKind.RETRY, name, f"{event.reason}; next in {pause}")

    outcome = await wait_until_ready(
        spec.probe,
        spec.retry,
        clock=clock,
        rng=run.random(),
        fail_fast=spec.fail_fast,
        on_event=attempt_failed,
        on_attempt=attempt_began,
    )
    if outcome.kind == "ready":
        run.ready(name, None, first)
        return True
    if outcome.kind == "permanent" or not run.heals(spec):
        run.fail(name, outcome.reason if outcome.kind == "permanent" else outcome.gave_up())
        return False
    return await _heal(run, spec, first, outcome.gave_up(), outcome.attempts)


async def _heal(run: Runner, spec: DependencySpec, first: float, why: str, tried: int) -> bool:
    """after_deadline="heal": the dependency outlasted its startup deadline, yet the service
    must not stay unready for good once it answers. It is marked overdue (`waiting`, with the
    reason, an `overdue` event) and waited for again at its capped interval, without a
    deadline, until it answers: then it is ready and startup goes on. Only `ready` (or a
    permanent answer, with fail-fast) is reported, not every attempt: the status shows them."""
    name = spec.name
    store, clock = run.store, run.clock
    store.went_overdue(name, clock.now(), reason=f"outlasted its startup deadline: {why}")
    run.emit(EventKind.OVERDUE, name, f'{why}; still waiting for it (after_deadline="heal")')
    policy = spec.retry.replace(
        attempts=UNBOUNDED_ATTEMPTS, timeout=None, interval=spec.retry.max_interval
    )

    def attempt_began(attempt: int) -> None:
        store.attempt_began(name, clock.now(), attempt=tried + attempt)

    def attempt_failed(event: WaitEvent) -> None:
        if event.kind == "attempt" and event.next_delay is not None:
            now = clock.now()
            next_retry_s = run.elapsed(now + event.next_delay)
            store.attempt_failed(name, now, error=event.reason, next_retry_s=next_retry_s)

    while True:
        outcome = await wait_until_ready(
            spec.probe,
            policy,
            clock=clock,
            rng=run.random(),
            fail_fast=spec.fail_fast,
            on_event=attempt_failed,
            on_attempt=attempt_began,
        )
        tried += outcome.attempts
        if outcome.kind == "ready":
            run.ready(name, None, first)
            return True
        if outcome.kind == "permanent":
            run.fail(name, outcome.reason)
            return False
        # Only test mode's cap on attempts ends a wait without a deadline: pause between rounds.
        await clock.sleep(spec.retry.max_interval)


async def watch(run: Runner, spec: DependencySpec, interval: float) -> None:
    """Re-probe the ready dependency every `interval` seconds, for as long as the run lasts.

    A failed look marks it lost (`waiting`, readiness lowered, a `lost` event); the same wait
    then goes on with the dependency's own backoff, without a deadline, until it answers again
    (`ready`, readiness restored). A look that finds it ready changes nothing.
    """
    name = spec.name
    store, clock = run.store, run.clock
    # Runtime loss never fails the node: the wait back has no deadline, only a bound on
    # attempts no run reaches (test mode caps it; the next look then carries on).
    until_back = spec.retry.replace(attempts=UNBOUNDED_ATTEMPTS, timeout=None)
    lost = False
    tried = 0  # attempts since it was lost, over the looks it took

    def attempt_began(attempt: int) -> None:
        if lost:
            store.attempt_began(name, clock.now(), attempt=tried + attempt)

    def attempt_failed(event: WaitEvent) -> None:
        nonlocal lost
        if event.kind != "attempt":
            return
        now = clock.now()
        if not lost:
            lost = True
            store.was_lost(name, now, error=event.reason)
            run.emit(EventKind.LOST, name, f"lost: {event.reason}")
        if event.next_delay is not None:
            next_retry_s = run.elapsed(now + event.next_delay)
            store.attempt_failed(name, now, error=event.reason, next_retry_s=next_retry_s)

    while True:
        await clock.sleep(interval)
        outcome = await wait_until_ready(
            spec.probe,
            until_back,
            clock=clock,
            rng=run.random(),
            fail_fast=False,
            on_event=attempt_failed,
            on_attempt=attempt_began,
        )
        if not lost:
            continue
        tried += outcome.attempts
        if outcome.kind == "ready":
            store.came_back(name, clock.now())
            run.emit(EventKind.READY, name, f"back after {tried} attempts")
            lost, tried = False, 0
