"""One step's attempts: run it, retry it per its policy, bound each attempt by its timeout.

A plain function's attempt is one call. A generator step's attempt starts a `Holder` task that
runs the setup up to `yield` and then holds the generator, parked, until shutdown releases it
for its teardown (see `_shutdown`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from . import _testmode
from ._context import StepContext
from ._duration import format_duration
from ._errors import PermanentError, StartupTimeout
from ._events import EventKind
from ._exclusive import ExclusiveLock, Lease, run_exclusive
from ._progress import Progress
from ._redact import describe, redact
from ._spec import StepSpec
from ._step_call import Holder, Style, awaited, style_of
from ._threads import ThreadCall

if TYPE_CHECKING:
    from ._runner import Runner


async def run_step(run: Runner, spec: StepSpec) -> None:
    """Attempt the step until it is ready, fails permanently, or its policy runs out."""
    name = spec.name
    policy = _testmode.apply(spec.retry)
    style = style_of(spec.fn)
    clock = run.clock
    first = clock.now()
    deadline_s = None if policy.timeout is None else run.elapsed(first) + policy.timeout
    attempt = 0
    while True:
        attempt += 1
        begun = clock.now()
        run.store.attempt_began(name, begun, attempt=attempt, deadline_s=deadline_s)
        run.emit(EventKind.ATTEMPT, name, f"attempt {attempt}")
        ctx = StepContext(
            run.service, name, attempt, run.values, functools.partial(_progress, run, name, begun)
        )
        running: list[ThreadCall | Holder] = []
        try:
            if spec.exclusive is None:
                value = await _attempt(run, spec, style, ctx, running)
            else:
                value = await _locked(run, spec, spec.exclusive, style, ctx, running)
        except PermanentError as exc:
            run.fail(name, describe(exc))
            return
        except Exception as exc:
            error = describe(exc)
            delay = policy.next_delay(attempt, clock.now() - first, run.random())
            if delay is not None and running and not running[0].done.is_set():
                if not await _wait_for_thread(run, spec, attempt, running[0]):
                    return
                delay = policy.next_delay(attempt, clock.now() - first, run.random())
            if delay is None:
                noun = "attempt" if attempt == 1 else "attempts"
                run.fail(name, f"{error} (gave up after {attempt} {noun})")
                return
            now = clock.now()
            run.store.attempt_failed(name, now, error=error, next_retry_s=run.elapsed(now + delay))
            run.emit(
                EventKind.RETRY,
                name,
                f"attempt {attempt} failed: {error}; next in {format_duration(delay)}",
            )
            await clock.sleep(delay)
            continue
        run.ready(name, value, first)
        return


async def _attempt(
    run: Runner,
    spec: StepSpec,
    style: Style,
    ctx: StepContext,
    running: list[ThreadCall | Holder],
) -> Any:
    """One attempt. A timed-out attempt whose thread still runs leaves it in `running`: its
    ThreadCall, or for a generator the Holder that will tear down what the setup built."""
    args: tuple[Any, ...] = (ctx,) if spec.takes_context else ()
    what = f"step {spec.name!r}"
    if style is Style.ASYNC:
        if spec.timeout is None:
            return await spec.fn(*args)
        with run.clock.move_on_after(spec.timeout):
            return await spec.fn(*args)
        raise StartupTimeout(what, spec.timeout)
    if style is Style.SYNC:
        call = run.threads.start(spec.name, spec.fn, *args)
        if spec.timeout is None:
            await call.done.wait()
            return await awaited(call.outcome())
        with run.clock.move_on_after(spec.timeout):
            await call.done.wait()
            return await awaited(call.outcome())
        running.append(call)
        raise StartupTimeout(what, spec.timeout)
    holder = Holder(spec.name, style, spec.fn, args, run.threads)
    return await _hold(run, spec, style, holder, running)


async def _locked(
    run: Runner,
    spec: StepSpec,
    lock: ExclusiveLock,
    style: Style,
    ctx: StepContext,
    running: list[ThreadCall | Holder],
) -> Any:
    """One attempt of an exclusive step, inside its lock. The wait for the lock is not part of
    the step's `timeout` (that bounds the attempt); it shows as phase `waiting` with the holder.
    A lock lost mid-attempt cancels it with LockLost, which the step's retry policy handles."""

    def waiting(holder: str) -> None:
        run.store.waits_for_lock(spec.name, run.clock.now(), holder=holder)
        run.emit(EventKind.WAITING_FOR_LOCK, spec.name, holder)

    async def attempt(lease: Lease) -> Any:
        ctx.fence = lease.fence
        run.store.holds_lock(spec.name, run.clock.now())
        return await _attempt(run, spec, style, ctx, running)

    return await run_exclusive(lock, waiting, attempt, clock=run.clock)


async def _wait_for_thread(
    run: Runner, spec: StepSpec, attempt: int, leftover: ThreadCall | Holder
) -> bool:
    """Before a retry, wait (at most the grace period) for the thread of a timed-out attempt:
    a thread cannot be stopped, and a retry beside it would run the step twice at once. False
    (the node has failed) if it is still running then."""
    limit = format_duration(spec.timeout or 0.0)
    why = f"attempt {attempt} timed out after {limit}"
    waiting = f"{why}; waiting for its thread to finish before retrying"
    run.store.waits_for_thread(spec.name, run.clock.now(), error=waiting)
    run.emit(EventKind.WAITING_FOR_THREAD, spec.name, waiting)
    with run.clock.move_on_after(run.grace):
        await leftover.done.wait()
    if leftover.done.is_set():
        if isinstance(leftover, Holder):
            run.setups.discard(leftover)
            if leftover.teardown_error is not None:
                run.emit(EventKind.TEARDOWN_FAILED, spec.name, describe(leftover.teardown_error))
        return True
    run.fail(
        spec.name,
        f"{why} and its thread was still running {format_duration(run.grace)} later; not "
        "retried, so that the step never runs twice at once",
    )
    return False


async def _hold(
    run: Runner, spec: StepSpec, style: Style, holder: Holder, running: list[ThreadCall | Holder]
) -> Any:
    """Run a generator step's setup in its holder task; its value once it yields."""
    run.setups.add(holder)
    run.task_group().start_soon(holder.run, name=f"bootgate:{spec.name}:holder")
    try:
        with run.clock.move_on_after(spec.timeout):
            await holder.started.wait()
    except BaseException:
        # Cancelled (shutdown) just as the value arrived: this node will never be marked
        # ready, so its teardown must start here or the parked holder would wait forever.
        if holder.started.is_set() and holder.error is None:
            holder.release.set()
        else:
            holder.scope.cancel()
        raise
    if not holder.started.is_set() or holder.error is not None:
        holder.scope.cancel()
    if not holder.started.is_set():
        if style is Style.SYNC_GEN:  # its thread cannot be stopped: run_step waits for it
            running.append(holder)
        else:
            await holder.done.wait()
        raise StartupTimeout(f"step {spec.name!r}", spec.timeout or 0.0)
    if holder.error is not None:
        raise holder.error
    if run.shut_down:
        # The value came after shutdown had begun (its cancellation missed this task):
        # the node will not count as ready, and its teardown runs now, in its own task.
        holder.release.set()
    else:
        run.setups.discard(holder)
        run.holders[spec.name] = holder
    return holder.value


def _progress(
    run: Runner, name: str, begun: float, done: float, total: float | None, message: str
) -> None:
    """A step's `ctx.progress(...)`: percent and an ETA from the rate since its attempt began."""
    now = run.clock.now()
    # A ValueError for numbers that are not progress is raised here, in the step's own call.
    progress = Progress.measure(done, total, redact(message), now - begun, run.elapsed(now))
    run.store.progressed(name, now, progress)
    run.emit(EventKind.PROGRESS, name, progress.text())
