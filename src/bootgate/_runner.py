"""Runs a validated startup graph on anyio.

Each node starts the moment its last requirement becomes ready, so startup takes the critical path,
not the sum of layers. Steps retry per their policy; dependencies are probed until ready and then,
if asked, re-probed so a lost dependency lowers readiness instead of killing the process. A failure
blocks everything downstream with a reason naming both ends. Shutdown drops readiness, cancels what
is still starting, and tears down what started in reverse order of readiness, shielded and bounded.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.abc

from . import _testmode
from ._backoff import WAIT_RETRY, RandomSource, Retry
from ._calls import Holder, Style, call_plain, style_of
from ._clock import Clock
from ._context import StepContext
from ._duration import format_duration
from ._errors import PermanentError, StartupError, StartupTimeout
from ._events import Event, EventKind, Hook, get_logger
from ._graph import Graph
from ._probe import Permanent, ProbeResult, Ready, Transient
from ._redact import redact
from ._state import SETTLED_BAD, SETTLED_OK, NodeKind, NodeStatus, Phase, Progress, StateStore

_KEEP_AT_SHUTDOWN = frozenset({Phase.FAILED, Phase.BLOCKED, Phase.DEGRADED, Phase.STOPPED})


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """Everything the runner needs to know about one node; built by `Boot`."""

    name: str
    kind: NodeKind
    action: Callable[..., Any]
    """A step's function, or a dependency's probe."""
    requires: tuple[str, ...] = ()
    retry: Retry = WAIT_RETRY
    timeout: float | None = None
    """Steps: the limit for one attempt (dependencies use `retry.attempt_timeout`)."""
    budget: float | None = None
    optional: bool = False
    critical: bool = False
    recheck: float | None = None
    """Dependencies: seconds between probes once ready; None: probe only at startup."""
    fail_fast: bool = True
    """Dependencies: a Permanent answer fails the node at once (False: keep retrying)."""
    target: str | None = None
    takes_context: bool = True


def describe(exc: BaseException) -> str:
    """One redacted line for an exception: "IntegrityError: FOREIGN KEY constraint failed"."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return redact(f"{name}: {text}" if text else name)


class Runner:
    """One run of a graph: start with `launch(tg)`, end with `shutdown()` (shielded by caller)."""

    def __init__(
        self,
        service: str,
        specs: Sequence[NodeSpec],
        *,
        clock: Clock,
        hooks: Sequence[Hook],
        rng: RandomSource | None,
        grace: float,
    ) -> None:
        self.graph = Graph.build((spec.name, spec.requires) for spec in specs)
        self.service = service
        self._specs = {spec.name: spec for spec in specs}
        self._styles = {s.name: style_of(s.action) for s in specs if s.kind == "step"}
        self._clock = clock
        self._hooks = hooks
        self._rng = rng
        self._grace = grace
        self.store = StateStore(
            service,
            (self._initial(self._specs[name]) for name in self.graph.order),
            clock.now(),
        )
        self._unmet = {name: len(reqs) for name, reqs in self.graph.requires.items()}
        self._values: dict[str, object] = {}
        self._ready_order: list[str] = []
        self._scopes: dict[str, anyio.CancelScope] = {}
        self._holders: dict[str, Holder] = {}
        self._unblocked: dict[str, list[str]] = {}
        """Dependents a node made runnable, for its task to run or spawn once it is done."""
        self._tg: anyio.abc.TaskGroup | None = None
        self.settled = anyio.Event()
        """Set once startup completed or can no longer complete."""
        self._shut_down = False

    # -- life cycle ---------------------------------------------------------------------------

    def launch(self, tg: anyio.abc.TaskGroup) -> None:
        """Start every node without requirements in `tg`; the rest follow as they unblock."""
        self._tg = tg
        for name in self.graph.order:
            if self._unmet[name] == 0:
                tg.start_soon(self._node_task, name, name=f"bootgate:{name}")
        self._check_settled()

    def startup_error(self) -> StartupError:
        """The error `running()` raises when startup can no longer complete."""
        reasons = self.store.snapshot().failures()
        return StartupError(self.service, reasons)

    def mark_stopping(self) -> None:
        """Drop readiness now (first act of a graceful shutdown)."""
        if not self.store.stopping:
            self.store.set_flags(self._clock.now(), stopping=True)
            self._emit(EventKind.STOPPING, None, "readiness dropped for shutdown")

    async def shutdown(self) -> None:
        """Cancel what is still starting, then tear down in reverse order of readiness."""
        if self._shut_down:
            return
        self._shut_down = True
        self.mark_stopping()
        for scope in self._scopes.values():
            scope.cancel()
        deadline = self._clock.now() + self._grace
        # Nodes without a teardown are marked stopped in batches between the ones that have one.
        batch: list[str] = []
        for name in reversed(self._ready_order):
            if name in self._holders:
                self.store.update_many(batch, self._clock.now(), phase=Phase.STOPPED)
                batch.clear()
                await self._teardown(name, self._holders.pop(name), deadline)
            else:
                batch.append(name)
        self.store.update_many(batch, self._clock.now(), phase=Phase.STOPPED)
        # A generator that became ready while the loop above ran was not in its list.
        while self._holders:
            name, holder = self._holders.popitem()
            await self._teardown(name, holder, deadline)
        unfinished = [n for n in self.graph.order if self.store.phase(n) not in _KEEP_AT_SHUTDOWN]
        for name in unfinished:
            if self.store.node(name).reason is None:
                self.store.update(name, self._clock.now(), reason="shut down before it was ready")
        self.store.update_many(
            unfinished, self._clock.now(), phase=Phase.STOPPED, next_retry_s=None
        )
        self.store.set_flags(self._clock.now(), closed=True)
        self._emit(EventKind.STOPPED, None, "stopped")

    async def _teardown(self, name: str, holder: Holder, deadline: float) -> None:
        self._set(name, phase=Phase.STOPPING)
        holder.release.set()
        with self._clock.move_on_after(max(deadline - self._clock.now(), 0.0)) as scope:
            await holder.done.wait()
        if scope.cancelled_caught:
            holder.scope.cancel()
            self._emit(
                EventKind.TEARDOWN_FAILED,
                name,
                "teardown did not finish within the grace period; cancelled",
            )
            await holder.done.wait()
        elif holder.teardown_error is not None:
            self._emit(EventKind.TEARDOWN_FAILED, name, describe(holder.teardown_error))
        self._set(name, phase=Phase.STOPPED)

    # -- one node -----------------------------------------------------------------------------

    async def _node_task(self, name: str) -> None:
        # A task that finishes a node goes straight on with the first dependent it unblocked
        # and spawns tasks only for the others: no scheduling hop on the critical path, and
        # far fewer task spawns (the dominant cost of a large graph of quick steps).
        with anyio.CancelScope() as scope:
            key = f"{name}\0task"
            self._scopes[key] = scope
            try:
                next_name: str | None = name
                while next_name is not None and not self.store.stopping:
                    next_name = await self._run_node(next_name)
            finally:
                del self._scopes[key]

    async def _run_node(self, name: str) -> str | None:
        spec = self._specs[name]
        if spec.budget is not None:
            self._task_group().start_soon(self._watch_budget, name, spec.budget)
        if spec.kind == "step":
            await self._run_step(spec)
        elif await self._wait_dependency(spec) and spec.recheck is not None:
            self._spawn(self._unblocked.pop(name, []))
            await self._watch_dependency(spec, spec.recheck)
        unblocked = self._unblocked.pop(name, [])
        if not unblocked:
            return None
        self._spawn(unblocked[1:])
        return unblocked[0]

    def _spawn(self, names: list[str]) -> None:
        for name in names:
            self._task_group().start_soon(self._node_task, name, name=f"bootgate:{name}")

    async def _run_step(self, spec: NodeSpec) -> None:
        name = spec.name
        policy = _testmode.apply(spec.retry)
        first = self._clock.now()
        attempt = 0
        while True:
            attempt += 1
            begun = self._clock.now()
            self._set(
                name,
                phase=Phase.STARTING,
                attempts=attempt,
                next_retry_s=None,
                progress=None,
                started_s=self._elapsed(first),
            )
            self._emit(EventKind.ATTEMPT, name, f"attempt {attempt}")
            ctx = StepContext(
                self.service,
                name,
                attempt,
                self._values,
                functools.partial(self._progress, name, begun),
            )
            try:
                value = await self._attempt(spec, ctx)
            except PermanentError as exc:
                self._fail(name, describe(exc))
                return
            except Exception as exc:
                error = describe(exc)
                delay = policy.next_delay(attempt, self._clock.now() - first, self._random())
                if delay is None:
                    self._fail(
                        name,
                        f"{error} (gave up after {attempt} attempt{'s' if attempt != 1 else ''})",
                    )
                    return
                self._set(
                    name,
                    phase=Phase.RETRYING,
                    error=error,
                    next_retry_s=self._elapsed(self._clock.now() + delay),
                )
                self._emit(
                    EventKind.RETRY,
                    name,
                    f"attempt {attempt} failed: {error}; next in {format_duration(delay)}",
                )
                await self._clock.sleep(delay)
                continue
            self._ready(name, value, first)
            return

    async def _attempt(self, spec: NodeSpec, ctx: StepContext) -> Any:
        style = self._styles[spec.name]
        args: tuple[Any, ...] = (ctx,) if spec.takes_context else ()
        if style in (Style.ASYNC, Style.SYNC):
            if spec.timeout is None:
                return await call_plain(style, spec.action, args)
            with self._clock.move_on_after(spec.timeout):
                return await call_plain(style, spec.action, args)
            raise StartupTimeout(f"step {spec.name!r}", spec.timeout)
        holder = Holder(spec.name, style, spec.action, args)
        self._task_group().start_soon(holder.run, name=f"bootgate:{spec.name}:holder")
        try:
            with self._clock.move_on_after(spec.timeout):
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
            await holder.done.wait()
            raise StartupTimeout(f"step {spec.name!r}", spec.timeout or 0.0)
        if holder.error is not None:
            raise holder.error
        if self._shut_down:
            # The value came after shutdown had begun (its cancellation missed this task):
            # the node will not count as ready, and its teardown runs now, in its own task.
            holder.release.set()
        else:
            self._holders[spec.name] = holder
        return holder.value

    async def _wait_dependency(self, spec: NodeSpec) -> bool:
        name = spec.name
        policy = _testmode.apply(spec.retry)
        first = self._clock.now()
        attempt = 0
        while True:
            attempt += 1
            elapsed = self._clock.now() - first
            self._set(
                name,
                phase=Phase.WAITING,
                attempts=attempt,
                next_retry_s=None,
                started_s=self._elapsed(first),
            )
            self._emit(EventKind.ATTEMPT, name, f"probe {attempt}")
            follows = getattr(spec.action, "follows", False)  # waits for an event itself
            budget = policy.remaining(elapsed) if follows else policy.attempt_budget(elapsed)
            result = await self._probe(spec, budget)
            if isinstance(result, Ready):
                self._ready(name, None, first)
                return True
            if isinstance(result, Permanent) and spec.fail_fast:
                self._fail(name, result.reason)
                return False
            elapsed = self._clock.now() - first
            delay = policy.next_delay(attempt, elapsed, self._random())
            hint = result.retry_after if isinstance(result, Transient) else None
            if delay is not None and hint is not None:
                delay = max(delay, hint)
                if policy.timeout is not None and elapsed + delay >= policy.timeout:
                    delay = None
            if delay is None:
                self._fail(
                    name,
                    f"{result.reason} (gave up after {attempt} attempts in "
                    f"{format_duration(elapsed)})",
                )
                return False
            self._set(
                name, error=result.reason, next_retry_s=self._elapsed(self._clock.now() + delay)
            )
            self._emit(EventKind.RETRY, name, f"{result.reason}; next in {format_duration(delay)}")
            await self._clock.sleep(delay)

    async def _watch_dependency(self, spec: NodeSpec, interval: float) -> None:
        # Runtime loss never fails the node: readiness drops until the dependency answers again.
        name = spec.name
        while True:
            await self._clock.sleep(interval)
            result = await self._probe(spec, spec.retry.attempt_timeout)
            if isinstance(result, Ready):
                continue
            self._set(name, phase=Phase.WAITING, error=result.reason, attempts=1)
            self._emit(EventKind.LOST, name, f"lost: {result.reason}")
            attempt = 1
            while not isinstance(result, Ready):
                delay = spec.retry.delay(attempt, self._random())
                self._set(name, next_retry_s=self._elapsed(self._clock.now() + delay))
                await self._clock.sleep(delay)
                attempt += 1
                result = await self._probe(spec, spec.retry.attempt_timeout)
                reason = None if isinstance(result, Ready) else result.reason
                self._set(name, attempts=attempt, error=reason or self.store.node(name).error)
            self._set(name, phase=Phase.READY, error=None, next_retry_s=None)
            self._emit(EventKind.READY, name, f"back after {attempt} attempts")

    async def _probe(self, spec: NodeSpec, budget: float | None) -> ProbeResult:
        with self._clock.move_on_after(budget):
            try:
                result: ProbeResult = await spec.action()
            except Exception as exc:
                return Transient(describe(exc))
            # Redacted here, at the source: a probe's reason may quote its target's password.
            if isinstance(result, Transient):
                return Transient(redact(result.reason), result.retry_after)
            if isinstance(result, Permanent):
                return Permanent(redact(result.reason))
            return result
        return Transient(f"no answer within {format_duration(budget or 0.0)}")

    async def _watch_budget(self, name: str, budget: float) -> None:
        with anyio.CancelScope() as scope:
            self._scopes[f"{name}\0budget"] = scope
            await self._clock.sleep(budget)
            node = self.store.node(name)
            if node.phase in SETTLED_OK or node.phase in SETTLED_BAD or self.store.stopping:
                return
            self._set(name, over_budget=True)
            self._emit(
                EventKind.OVER_BUDGET,
                name,
                f"not ready after its budget of {format_duration(budget)}",
            )

    # -- outcomes -----------------------------------------------------------------------------

    def _ready(self, name: str, value: object, first: float) -> None:
        if self._shut_down:  # finished after shutdown began: it stays "shut down before ready"
            return
        now = self._clock.now()
        self._values[name] = value
        self._ready_order.append(name)
        self._set(
            name,
            phase=Phase.READY,
            error=None,
            next_retry_s=None,
            ready_s=self._elapsed(now),
            duration_s=now - first,
        )
        self._emit(EventKind.READY, name, f"ready after {format_duration(now - first)}")
        self._cancel_budget(name)
        unblocked = []
        for dependent in self.graph.dependents[name]:
            self._unmet[dependent] -= 1
            if self._unmet[dependent] == 0:
                unblocked.append(dependent)
        self._unblocked[name] = unblocked
        self._check_settled()

    def _fail(self, name: str, reason: str) -> None:
        reason = redact(reason)
        spec = self._specs[name]
        phase = Phase.DEGRADED if spec.optional else Phase.FAILED
        self._set(name, phase=phase, reason=reason, error=reason, next_retry_s=None)
        self._emit(EventKind.DEGRADED if spec.optional else EventKind.FAILED, name, reason)
        self._cancel_budget(name)
        self._block_downstream(name, reason)
        self._check_settled()

    def _block_downstream(self, failed: str, reason: str) -> None:
        # Breadth-first, so each blocked node's reason names its nearest requirement.
        via: dict[str, str] = {}
        todo = deque((d, failed) for d in self.graph.dependents[failed])
        while todo:
            node, requirement = todo.popleft()
            if node in via:
                continue
            via[node] = requirement
            todo.extend((d, node) for d in self.graph.dependents[node])
        for node in self.graph.order:
            if node not in via or self.store.node(node).phase is not Phase.PENDING:
                continue
            requirement = via[node]
            if requirement == failed:
                why = f"{node} requires {failed}, but {failed} failed: {reason}"
            else:
                why = f"{node} requires {requirement}, which is blocked because {failed} failed"
            phase = Phase.DEGRADED if self._specs[node].optional else Phase.BLOCKED
            self._set(node, phase=phase, reason=why)
            self._emit(EventKind.BLOCKED, node, why)

    def _check_settled(self) -> None:
        if self.settled.is_set():
            return
        if self.store.ready:
            self.settled.set()
            self._emit(EventKind.BOOT_READY, None, "ready")
        elif self.store.failed:
            self.settled.set()
            self._emit(EventKind.BOOT_FAILED, None, "; ".join(self.store.snapshot().failures()))

    def _cancel_budget(self, name: str) -> None:
        scope = self._scopes.pop(f"{name}\0budget", None)
        if scope is not None:
            scope.cancel()

    # -- plumbing -----------------------------------------------------------------------------

    def _progress(
        self, name: str, begun: float, done: float, total: float | None, message: str
    ) -> None:
        now = self._clock.now()
        percent = eta = None
        if total is not None and total > 0:
            percent = max(0.0, min(100.0, 100.0 * done / total))
            if 0 < done <= total:
                eta = (now - begun) / done * (total - done)
        progress = Progress(done, total, redact(message), percent, eta, self._elapsed(now))
        self._set(name, progress=progress)
        self._emit(EventKind.PROGRESS, name, progress.text())

    def _initial(self, spec: NodeSpec) -> NodeStatus:
        return NodeStatus(
            name=spec.name,
            kind=spec.kind,
            requires=spec.requires,
            optional=spec.optional,
            critical=spec.critical,
            target=spec.target,
            budget_s=spec.budget,
        )

    def _random(self) -> RandomSource:
        # Made on first use: a startup that never retries never imports `random`.
        if self._rng is None:
            import random

            self._rng = random.Random()
        return self._rng

    def _task_group(self) -> anyio.abc.TaskGroup:
        if self._tg is None:
            raise RuntimeError("the runner was not launched")
        return self._tg

    def _elapsed(self, when: float) -> float:
        return self.store.elapsed(when)

    def _set(self, name: str, **changes: object) -> None:
        self.store.update(name, self._clock.now(), **changes)

    def _emit(self, kind: EventKind, name: str | None, message: str) -> None:
        if not self._hooks:
            return
        event = Event(
            service=self.service,
            kind=kind,
            at_s=self._elapsed(self._clock.now()),
            node=None if name is None else self.store.node(name),
            message=redact(message),
        )
        for hook in self._hooks:
            try:
                hook(event)
            except Exception:
                get_logger().exception("bootgate hook %r failed on %s", hook, kind.value)
