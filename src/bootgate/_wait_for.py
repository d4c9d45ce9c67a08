"""`wait_for`: wait for several targets in parallel, without a Boot (`bootgate wait` uses it).

Each target is waited for by the one waiting engine (`_waiting`): the cheap layer polled
often, handshakes paced, probe errors contained, test mode honoured. This module only runs the
waits side by side and turns how they ended into a return value or an exception.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio

from ._backoff import RandomSource, Retry, wait_retry
from ._clock import Clock, SystemClock
from ._errors import ConfigError, PermanentError, StartupTimeout
from ._probe import Probe
from ._targets import probe_for
from ._tasks import task_group
from ._waiting import Waited, WaitEvent, WaitOutcome, wait_until_ready


async def wait_for(
    targets: Sequence[str | Probe],
    *,
    retry: Retry | None = None,
    any: bool = False,
    fail_fast: bool = True,
    on_event: Callable[[WaitEvent], object] | None = None,
    clock: Clock | None = None,
    rng: RandomSource | None = None,
    options: Mapping[str, Any] | None = None,
) -> tuple[Waited, ...]:
    """Wait until every target (or, with `any=True`, one of them) is ready; return them.

    Targets are URLs (see `bootgate.probes.probe_for`, which takes `options`) or Probe
    objects. Raises ConfigError for a bad target before waiting, PermanentError when a target
    answers permanently (with `fail_fast`; with `any`, once every target has), and
    StartupTimeout when `retry.timeout` or `retry.attempts` runs out first; its message ends
    with the target's last real reason. Without `retry`, the policy is `WAIT_RETRY` updated by
    the `BOOTGATE_*` retry variables. Test mode (`bootgate.testing`) applies.
    """
    if not targets:
        raise ConfigError("no targets to wait for")
    retry = retry or wait_retry()
    probes = [_probe(target, retry, dict(options or {})) for target in targets]
    clock = clock or SystemClock()
    rng = rng or random.Random()
    ready: dict[int, Waited] = {}
    failures: list[WaitOutcome] = []

    async def run(index: int, probe: Probe, group: anyio.abc.TaskGroup) -> None:
        outcome = await wait_until_ready(
            probe, retry, clock=clock, rng=rng, fail_fast=fail_fast, on_event=on_event
        )
        if outcome.kind == "ready":
            ready[index] = outcome.waited()
            if any:
                group.cancel_scope.cancel()
            return
        failures.append(outcome)
        if not any or len(failures) == len(probes):
            group.cancel_scope.cancel()

    async with task_group() as group:
        for index, probe in enumerate(probes):
            group.start_soon(run, index, probe, group)
    if ready and (any or len(ready) == len(probes)):
        return tuple(ready[i] for i in sorted(ready))
    first = failures[0]
    if first.kind == "permanent":
        raise PermanentError(f"{first.target}: {first.reason}")
    limit = retry.timeout if retry.timeout is not None else first.elapsed
    raise StartupTimeout(f"waiting for {first.target}", limit, first.gave_up())


def _probe(target: str | Probe, retry: Retry, options: dict[str, Any]) -> Probe:
    if not isinstance(target, str):
        return target
    if retry.attempt_timeout is not None:
        options = {"attempt_timeout": retry.attempt_timeout, **options}
    return probe_for(target, **options)
