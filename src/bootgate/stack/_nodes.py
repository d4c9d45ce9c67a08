"""A stack as a bootgate graph: one step per process, one more per extra condition asked of it.

Each process is a generator step named after it. An attempt holds the process's requirements
(all at once, live: a requirement that is restarting is waited for again), spawns one run and
waits for the process's goal (`completed` if a dependent waits for completion, `ready` if it has
a ready check, else `started`); then it yields, and its teardown stops the process. So the
graph's own machinery gives the stack its phases, attempts (one per run), retries (the restart
policy's backoff), reasons, blocking chains, events, readiness and reverse-order shutdown.

A dependent that asks for another condition than the goal (`started` of a process that has a
ready check, say) depends on an extra node "NAME:CONDITION" that only waits for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import anyio

from bootgate import Boot, Hook, Retry, StepContext

from ._model import Condition, Stack
from ._run import Run
from ._supervisor import Supervisor, retry_policy

#: The extra nodes wait once: their process's own node carries the retries.
ONCE = Retry(attempts=1, timeout=None, attempt_timeout=None)


def node_name(stack: Stack, name: str, condition: Condition) -> str:
    """The graph node that stands for "process `name` reached `condition`"."""
    return name if condition is stack.goal(name) else f"{name}.{condition.value}"


def build_boot(stack: Stack, supervisor: Supervisor, hooks: Iterable[Hook] = ()) -> Boot:
    """A Boot whose nodes are the stack's processes (and their extra conditions)."""
    # Teardown is bounded per process (its grace, then SIGKILL); the boot's own bound only
    # has to be longer than all of them in a row.
    grace = sum(p.stop.grace for p in stack.processes) + 10.0
    boot = Boot(stack.name, hooks=list(hooks), grace=grace)
    for process in stack.processes:
        name = process.name
        requires = [node_name(stack, other, c) for other, c in process.requires]
        conditions = stack.conditions(name)
        boot.step(name=name, requires=requires, retry=retry_policy(process))(
            _process_step(supervisor, name)
        )
        for extra in conditions[1:]:
            boot.step(name=f"{name}.{extra.value}", requires=requires, retry=ONCE)(
                _condition_step(supervisor, name, extra)
            )
    return boot


def _process_step(supervisor: Supervisor, name: str) -> Callable[..., Any]:
    async def process(ctx: StepContext) -> AsyncIterator[Run]:
        run = await supervisor.attempt(name, ctx.attempt, ctx.progress)
        supervisor.keep(name, run)
        try:
            yield run
        finally:
            with anyio.CancelScope(shield=True):
                await supervisor.retire(name)

    process.__name__ = process.__qualname__ = name
    return process


def _condition_step(supervisor: Supervisor, name: str, condition: Condition) -> Callable[..., Any]:
    async def condition_met() -> None:
        await supervisor.until(name, condition)

    return condition_met
