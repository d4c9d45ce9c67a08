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
    if not run.task_scopes:
        run.tasks_ended.set()
    clock, store = run.clock, run.store
    deadline = clock.now() + run.grace
    await _let_interrupted_finish(run, deadline)
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
    for name in sorted(set(run.threads.abandon())):
        run.emit(
            EventKind.TEARDOWN_FAILED,
            name,
            "its thread was still running when the grace period ended; abandoned",
        )
    for holder in run.setups:
        holder.abandon()
    unfinished = [n for n in run.graph.order if store.phase(n) not in _KEEP_AT_SHUTDOWN]
    store.stopped(unfinished, clock.now(), why="shut down before it was ready")
    store.close(clock.now())
    run.emit(EventKind.STOPPED, None, "stopped")


async def _let_interrupted_finish(run: Runner, deadline: float) -> None:
    """Before any teardown, let what shutdown interrupted stop, within the grace period:
    cancelled attempts (their `finally` blocks), generator setups (a sync one waits for its
    thread, then tears down what it built) and sync steps' threads, which cannot be stopped
    and may still use what the teardowns would release."""
    clock = run.clock
    for name in sorted({call.name for call in run.threads.running}):
        run.emit(
            EventKind.WAITING_FOR_THREAD,
            name,
            "its thread is still running; shutdown waits for it before tearing down",
        )
    for ended in [run.tasks_ended, *(holder.done for holder in run.setups)]:
        if clock.now() >= deadline:
            return
        with clock.move_on_after(deadline - clock.now()):
            await ended.wait()
    await run.threads.wait(clock, deadline)
    for holder in run.setups:
        if holder.interrupted and holder.teardown_error is not None:
            run.emit(EventKind.TEARDOWN_FAILED, holder.name, describe(holder.teardown_error))


async def _teardown(run: Runner, name: str, holder: Holder, deadline: float) -> None:
    run.store.teardown_began(name, run.clock.now())
    holder.release.set()
    with run.clock.move_on_after(max(deadline - run.clock.now(), 0.0)) as scope:
        await holder.done.wait()
    if scope.cancelled_caught:
        holder.abandon()
        run.emit(
            EventKind.TEARDOWN_FAILED,
            name,
            "teardown did not finish within the grace period; cancelled",
        )
        await holder.done.wait()
    elif holder.teardown_error is not None:
        run.emit(EventKind.TEARDOWN_FAILED, name, describe(holder.teardown_error))
    run.store.stopped([name], run.clock.now())
