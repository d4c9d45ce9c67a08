"""Shutdown: drop readiness, cancel what is still starting, tear down in reverse order.

Teardown follows the reverse of readiness order, which respects the graph (a dependent became
ready after its requirements) and orders independent branches by time. The grace period bounds
the whole teardown; a teardown that outlives it is cancelled and reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._events import EventKind
from ._redact import describe
from ._snapshot import Phase
from ._step_call import Holder

if TYPE_CHECKING:
    from ._runner import Runner

_KEEP_AT_SHUTDOWN = frozenset({Phase.FAILED, Phase.BLOCKED, Phase.DEGRADED, Phase.STOPPED})


async def shut_down(run: Runner) -> None:
    """Shut the run down once; the caller shields this from cancellation."""
    if run.shut_down:
        return
    run.shut_down = True
    run.mark_stopping()
    for scope in run.task_scopes | set(run.budget_scopes.values()):
        scope.cancel()
    clock, store = run.clock, run.store
    deadline = clock.now() + run.grace
    # Nodes without a teardown are marked stopped in batches between the ones that have one.
    batch: list[str] = []
    for name in reversed(run.ready_order):
        if name in run.holders:
            store.stopped(batch, clock.now())
            batch.clear()
            await _teardown(run, name, run.holders.pop(name), deadline)
        else:
            batch.append(name)
    store.stopped(batch, clock.now())
    # A generator that became ready while the loop above ran was not in its list.
    while run.holders:
        name, holder = run.holders.popitem()
        await _teardown(run, name, holder, deadline)
    unfinished = [n for n in run.graph.order if store.phase(n) not in _KEEP_AT_SHUTDOWN]
    store.stopped(unfinished, clock.now(), why="shut down before it was ready")
    store.close(clock.now())
    run.emit(EventKind.STOPPED, None, "stopped")


async def _teardown(run: Runner, name: str, holder: Holder, deadline: float) -> None:
    run.store.teardown_began(name, run.clock.now())
    holder.release.set()
    with run.clock.move_on_after(max(deadline - run.clock.now(), 0.0)) as scope:
        await holder.done.wait()
    if scope.cancelled_caught:
        holder.scope.cancel()
        run.emit(
            EventKind.TEARDOWN_FAILED,
            name,
            "teardown did not finish within the grace period; cancelled",
        )
        await holder.done.wait()
    elif holder.teardown_error is not None:
        run.emit(EventKind.TEARDOWN_FAILED, name, describe(holder.teardown_error))
    run.store.stopped([name], run.clock.now())
