"""Runs a validated startup graph on anyio: scheduling, and what a node's outcome does downstream.

Each node starts the moment its last requirement becomes ready, so startup takes the critical
path, not the sum of layers. What happens inside a node lives beside this module: a step's
attempts in `_step_attempts`, a dependency's waiting and watching in `_dependencies`, the time
budget in `_budget`, shutdown in `_shutdown`. A failure blocks everything downstream with a
reason naming both ends.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import anyio
import anyio.abc

from . import _budget, _dependencies, _shutdown, _step_attempts
from ._backoff import RandomSource
from ._clock import Clock
from ._duration import format_duration
from ._errors import StartupError
from ._events import Event, EventKind, Hook, get_logger
from ._graph import Graph
from ._redact import redact
from ._snapshot import NodeWarning, Phase
from ._spec import AfterDeadline, DependencySpec, NodeSpec, StepSpec
from ._state import StateStore
from ._step_call import Holder
from ._threads import Threads


class Runner:
    """One run of a graph: start with `launch(tg)`, end with `shutdown()` (shielded by caller).

    Its attributes are the run's shared state, read and written by the modules that do the
    work of one node (`_step_attempts`, `_dependencies`, `_budget`, `_shutdown`).
    """

    def __init__(
        self,
        service: str,
        specs: Sequence[NodeSpec],
        *,
        clock: Clock,
        hooks: Sequence[Hook],
        rng: RandomSource | None,
        grace: float,
        after_deadline: AfterDeadline = "heal",
        version: str | None = None,
        release_id: str | None = None,
    ) -> None:
        self.graph = Graph.build((spec.name, spec.requires) for spec in specs)
        self.service = service
        self.specs = {spec.name: spec for spec in specs}
        self.clock = clock
        self.grace = grace
        self.store = StateStore(
            service,
            (self.specs[name].initial_status() for name in self.graph.order),
            clock.now(),
            version=version,
            release_id=release_id,
        )
        self.values: dict[str, object] = {}
        """What each ready node produced, for `StepContext.result()`."""
        self.ready_order: list[str] = []
        self.holders: dict[str, Holder] = {}
        """Generator steps parked at their `yield`, each waiting for its teardown."""
        self.setups: set[Holder] = set()
        """Generator steps not (yet) parked: shutdown lets them finish before any teardown."""
        self.threads = Threads()
        """Sync code running in worker threads, watched until each thread returns."""
        self.task_scopes: set[anyio.CancelScope] = set()
        """One per running node task, cancelled at shutdown."""
        self.tasks_ended = anyio.Event()
        """Set once shutdown has begun and no node task runs any more."""
        self.budget_scopes: dict[str, anyio.CancelScope] = {}
        """One per running budget watch, cancelled once its node settles."""
        self.settled = anyio.Event()
        """Set once startup completed or can no longer complete."""
        self.shut_down = False
        self.after_deadline = after_deadline
        """The Boot's choice for dependencies that outlast their startup deadline."""
        self.heal = True
        """False when the caller waits for readiness itself (a script): every dependency then
        fails at its deadline, whatever `after_deadline` says."""
        self._hooks = hooks
        self._rng = rng
        self._unmet = {name: len(reqs) for name, reqs in self.graph.requires.items()}
        self._unblocked: dict[str, list[str]] = {}
        """Dependents a node made runnable, for its task to run or spawn once it is done."""
        self._tg: anyio.abc.TaskGroup | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def launch(self, tg: anyio.abc.TaskGroup, *, heal: bool = True) -> None:
        """Start every node without requirements in `tg`; the rest follow as they unblock.

        With `heal` False, no dependency heals after its deadline (see `heals`).
        """
        self.heal = heal
        self._tg = tg
        self.threads.bind(tg)
        self.spawn([name for name in self.graph.order if self._unmet[name] == 0])
        self._check_settled()

    def heals(self, spec: DependencySpec) -> bool:
        """Whether the dependency is still waited for once its startup deadline has passed."""
        return self.heal and (spec.after_deadline or self.after_deadline) == "heal"

    def startup_error(self) -> StartupError:
        """The error `running()` raises when startup can no longer complete."""
        return StartupError(self.service, self.store.snapshot().failures())

    def mark_stopping(self) -> None:
        """Drop readiness now (first act of a graceful shutdown)."""
        if not self.store.stopping:
            self.store.begin_stopping(self.clock.now())
            self.emit(EventKind.STOPPING, None, "readiness dropped for shutdown")

    async def shutdown(self) -> None:
        """Cancel what is still starting, then tear down in reverse order of readiness."""
        await _shutdown.shut_down(self)

    # -- scheduling ---------------------------------------------------------------------------

    def spawn(self, names: list[str]) -> None:
        """Start a task for each of `names`."""
        tg = self.task_group()
        for name in names:
            tg.start_soon(self._node_task, name, name=f"bootgate:{name}")

    async def _node_task(self, name: str) -> None:
        # A task that finishes a node goes straight on with the first dependent it unblocked
        # and spawns tasks only for the others: no scheduling hop on the critical path, and
        # far fewer task spawns (the dominant cost of a large graph of quick steps).
        with anyio.CancelScope() as scope:
            self.task_scopes.add(scope)
            try:
                next_name: str | None = name
                while next_name is not None and not self.store.stopping:
                    next_name = await self._run_node(self.specs[next_name])
            finally:
                self.task_scopes.discard(scope)
                if self.shut_down and not self.task_scopes:
                    self.tasks_ended.set()

    async def _run_node(self, spec: NodeSpec) -> str | None:
        if spec.budget is not None:
            self.task_group().start_soon(_budget.watch, self, spec.name, spec.budget)
        if isinstance(spec, StepSpec):
            await _step_attempts.run_step(self, spec)
        elif (
            isinstance(spec, DependencySpec)
            and await _dependencies.wait(self, spec)
            and spec.recheck is not None
        ):
            # Its dependents need not wait for the watch, which lasts as long as the run.
            self.spawn(self._unblocked.pop(spec.name, []))
            await _dependencies.watch(self, spec, spec.recheck)
        unblocked = self._unblocked.pop(spec.name, [])
        if not unblocked:
            return None
        self.spawn(unblocked[1:])
        return unblocked[0]

    # -- outcomes -----------------------------------------------------------------------------

    def ready(self, name: str, value: object, first: float) -> None:
        """Node `name` is ready with `value` (its first attempt began at `first`)."""
        if self.shut_down:  # finished after shutdown began: it stays "shut down before ready"
            return
        now = self.clock.now()
        self.values[name] = value
        self.ready_order.append(name)
        self.store.became_ready(name, now, duration_s=now - first)
        self.emit(EventKind.READY, name, f"ready after {format_duration(now - first)}")
        _budget.cancel(self, name)
        unblocked = []
        for dependent in self.graph.dependents[name]:
            self._unmet[dependent] -= 1
            if self._unmet[dependent] == 0:
                unblocked.append(dependent)
        self._unblocked[name] = unblocked
        self._check_settled()

    def warn(self, name: str, message: str, lasts: float | None) -> None:
        """A warning about node `name`, current for `lasts` seconds (None: until the node is
        done), kept in its warnings after that."""
        now = self.clock.now()
        at_s = self.elapsed(now)
        message = redact(message)
        until = None if lasts is None else at_s + lasts
        self.store.warned(name, now, warning=NodeWarning(message, at_s, until))
        self.emit(EventKind.WARNING, name, message)

    def fail(self, name: str, reason: str) -> None:
        """Node `name` failed for good; everything downstream is blocked."""
        reason = redact(reason)
        self.store.gave_up(name, self.clock.now(), reason=reason)
        optional = self.specs[name].optional
        self.emit(EventKind.DEGRADED if optional else EventKind.FAILED, name, reason)
        _budget.cancel(self, name)
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
            if node not in via or self.store.phase(node) is not Phase.PENDING:
                continue
            requirement = via[node]
            if requirement == failed:
                why = f"{node} requires {failed}, but {failed} failed: {reason}"
            else:
                why = f"{node} requires {requirement}, which is blocked because {failed} failed"
            self.store.was_blocked(node, self.clock.now(), reason=why)
            self.emit(EventKind.BLOCKED, node, why)

    def _check_settled(self) -> None:
        if self.settled.is_set():
            return
        if self.store.ready:
            self.settled.set()
            self.emit(EventKind.BOOT_READY, None, "ready")
        elif self.store.failed:
            self.settled.set()
            self.emit(EventKind.BOOT_FAILED, None, "; ".join(self.store.snapshot().failures()))

    # -- plumbing -----------------------------------------------------------------------------

    def random(self) -> RandomSource:
        """The run's source of jitter."""
        # Made on first use: a startup that never retries never imports `random`.
        if self._rng is None:
            import random

            self._rng = random.Random()
        return self._rng

    def task_group(self) -> anyio.abc.TaskGroup:
        """The task group the run was launched in."""
        if self._tg is None:
            raise RuntimeError("the runner was not launched")
        return self._tg

    def elapsed(self, when: float) -> float:
        """A clock reading as seconds since the boot began."""
        return self.store.elapsed(when)

    def emit(self, kind: EventKind, name: str | None, message: str) -> None:
        """Hand an event to every hook; one that raises is logged and ignored."""
        if not self._hooks:
            return
        event = Event(
            service=self.service,
            kind=kind,
            at_s=self.elapsed(self.clock.now()),
            node=None if name is None else self.store.node(name),
            message=redact(message),
        )
        for hook in self._hooks:
            try:
                hook(event)
            except Exception:
                get_logger().exception("bootgate hook %r failed on %s", hook, kind.value)
