"""`Boot`: declare a service's startup graph, run it, and ask how it is going."""

from __future__ import annotations

import importlib
import signal
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar, overload

import anyio

from ._backoff import STEP_RETRY, RandomSource, Retry, wait_retry
from ._clock import Clock, SystemClock
from ._duration import did_you_mean, parse_duration, parse_optional_duration
from ._errors import ConfigError, StartupTimeout
from ._events import Hook, LoggingHook
from ._exclusive import ExclusiveLock
from ._probe import Probe, ProbeResult
from ._redact import remember_secret
from ._runner import Runner
from ._snapshot import Status
from ._spec import AFTER_DEADLINE, AfterDeadline, DependencySpec, NodeSpec, StepSpec
from ._step_call import takes_argument
from ._targets import probe_for
from ._tasks import task_group

if TYPE_CHECKING:
    from ._duration import Duration

F = TypeVar("F", bound=Callable[..., Any])


class Node:
    """A handle on a declared node; pass it (or its name) in another node's `requires`."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class Step(Node):
    """A step declared with `@boot.step`; calling it calls the original function."""

    __slots__ = ("fn",)

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        super().__init__(name)
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the step's function directly (handy in unit tests of the step itself)."""
        return self.fn(*args, **kwargs)


class Dependency(Node):
    """An external dependency declared with `boot.dependency`; `target` is shown redacted."""

    __slots__ = ("probe", "target")

    def __init__(self, name: str, target: str, probe: Probe) -> None:
        super().__init__(name)
        self.target = target
        self.probe = probe


class _CallableProbe:
    """Adapts a plain `async def check() -> ProbeResult` to the Probe protocol."""

    def __init__(self, fn: Callable[[], Awaitable[ProbeResult]], display: str) -> None:
        self._fn = fn
        self._display = display

    @property
    def display(self) -> str:
        return self._display

    async def __call__(self) -> ProbeResult:
        return await self._fn()


def _after_deadline(value: object) -> AfterDeadline:
    for choice in AFTER_DEADLINE:
        if value == choice:
            return choice
    hint = did_you_mean(value, AFTER_DEADLINE) if isinstance(value, str) else ""
    raise ConfigError(f'after_deadline must be "heal" or "exit", got {value!r}{hint}')


class Boot:
    """A service's startup graph: steps and dependencies, run in dependency order.

    `clock` is the time seam (tests pass a FakeClock); `hooks` receive every Event (default: one
    LoggingHook on the "bootgate" logger); `grace` bounds the whole teardown at shutdown; `rng`
    seeds the retry jitter. `after_deadline` says what a running service does when a
    dependency outlasts its startup deadline: "heal" (the default) keeps waiting for it, and
    readiness follows when it answers; "exit" fails it, so startup can no longer complete and
    a served process exits for its supervisor to restart it (see `running()` for scripts).
    `version` and `release_id`, if given, are reported in the status (health+json's `version`
    and `releaseId`).
    """

    def __init__(
        self,
        name: str,
        *,
        clock: Clock | None = None,
        hooks: Iterable[Hook] | None = None,
        grace: Duration = 10.0,
        rng: RandomSource | None = None,
        after_deadline: AfterDeadline = "heal",
        version: str | None = None,
        release_id: str | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.release_id = release_id
        self.clock: Clock = clock or SystemClock()
        self._hooks: list[Hook] = [LoggingHook()] if hooks is None else list(hooks)
        self._grace = parse_duration(grace, what="grace")
        self.after_deadline: AfterDeadline = _after_deadline(after_deadline)
        """"heal" or "exit": read by servers, which exit once startup has failed for good
        when it is "exit" (`status().failed`)."""
        self._rng = rng
        self._specs: list[NodeSpec] = []
        self._runner: Runner | None = None
        self._launched = False
        self._stack: AsyncExitStack | None = None

    # -- declaring ----------------------------------------------------------------------------

    def dependency(
        self,
        name: str,
        target: str | Probe | Callable[[], Awaitable[ProbeResult]],
        *,
        requires: Iterable[Node | str] = (),
        retry: Retry | None = None,
        optional: bool = False,
        critical: bool = False,
        recheck: Duration | None = 5.0,
        fail_fast: bool = True,
        budget: Duration | None = None,
        after_deadline: AfterDeadline | None = None,
    ) -> Dependency:
        """Declare an external dependency, waited for with `retry` and re-probed every `recheck`.

        `target` is a URL such as "postgres://app:secret@db:5432/app" (its scheme picks the
        probe; drivers are extras), a Probe, or an `async def () -> Ready | Transient | Permanent`.
        Without `retry`, the policy is `WAIT_RETRY` updated by the `BOOTGATE_*` retry variables
        (`BOOTGATE_TIMEOUT`, `BOOTGATE_MAX_INTERVAL`, ...), read when the dependency is declared.
        `after_deadline` ("heal" or "exit") overrides the Boot's for this dependency.
        """
        probe: Probe
        if isinstance(target, str):
            probe = probe_for(target)
        elif isinstance(target, Probe):
            probe = target
        else:
            probe = _CallableProbe(target, name)
        spec = DependencySpec(
            name=name,
            probe=probe,
            requires=self._names(requires),
            retry=retry or wait_retry(),
            budget=parse_optional_duration(budget, what=f"{name}: budget"),
            optional=optional,
            critical=critical,
            recheck=parse_optional_duration(recheck, what=f"{name}: recheck"),
            fail_fast=fail_fast,
            after_deadline=None if after_deadline is None else _after_deadline(after_deadline),
        )
        self._add(spec)
        return Dependency(name, probe.display, probe)

    @overload
    def step(self, fn: F, /) -> Step: ...

    @overload
    def step(
        self,
        fn: None = None,
        /,
        *,
        name: str | None = None,
        requires: Iterable[Node | str] = (),
        retry: Retry = STEP_RETRY,
        timeout: Duration | None = None,
        budget: Duration | None = None,
        optional: bool = False,
        critical: bool = False,
        exclusive: ExclusiveLock | None = None,
    ) -> Callable[[F], Step]: ...

    def step(
        self,
        fn: F | None = None,
        /,
        *,
        name: str | None = None,
        requires: Iterable[Node | str] = (),
        retry: Retry = STEP_RETRY,
        timeout: Duration | None = None,
        budget: Duration | None = None,
        optional: bool = False,
        critical: bool = False,
        exclusive: ExclusiveLock | None = None,
    ) -> Step | Callable[[F], Step]:
        """Declare a step: a sync or async function, or a generator (setup, yield, teardown).

        Use bare (`@boot.step`) or with options. The function gets a StepContext if it takes an
        argument. `timeout` limits each attempt; `budget` only warns when exceeded; an
        `optional` step that fails degrades the service instead of blocking readiness; a
        `critical` step that fails makes /livez fail too. With `exclusive=` a lock
        (`bootgate.locks.postgres(dsn, name)`, `.redis`, `.file`) is held around each attempt,
        so one replica at a time runs the step; the others show phase `waiting` with the
        holder, then run it themselves (a well-written step then finds nothing to do).
        """

        def declare(function: F) -> Step:
            step_name = name or getattr(function, "__name__", None)
            if not step_name:
                raise ConfigError(f"{function!r} has no __name__; pass name=")
            spec = StepSpec(
                name=step_name,
                fn=function,
                requires=self._names(requires),
                retry=retry,
                timeout=parse_optional_duration(timeout, what=f"{step_name}: timeout"),
                budget=parse_optional_duration(budget, what=f"{step_name}: budget"),
                optional=optional,
                critical=critical,
                takes_context=takes_argument(function),
                exclusive=exclusive,
            )
            self._add(spec)
            return Step(step_name, function)

        return declare if fn is None else declare(fn)

    def add_hook(self, hook: Hook) -> None:
        """Send every future event to `hook` as well."""
        self._hooks.append(hook)

    def secret(self, value: str) -> str:
        """Keep `value` out of everything bootgate shows from now on; return it unchanged.

        Logs, events, status documents, the stream, pages, metrics, command output and error
        messages replace it (raw or percent-encoded) with `***`. The passwords and tokens of
        targets bootgate parses are remembered this way by themselves; this is for the others:
        an API key a step uses, a password read from a file. Values shorter than 4 characters
        are not scrubbed by value (they would blank out ordinary words).
        """
        remember_secret(value)
        return value

    # -- asking -------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True when every required node is ready and the service is not shutting down. O(1)."""
        return self._runner is not None and self._launched and self._runner.store.ready

    def status(self) -> Status:
        """The current immutable snapshot (all nodes pending before the first run)."""
        return (self._runner or self._current()).store.snapshot()

    def subscribe(self) -> AsyncGenerator[Status, None]:
        """Async iterator of snapshots: the current one, then each change (latest only if slow).

        It ends when the run it follows has shut down.
        """
        return (self._runner or self._current()).store.subscribe()

    def warn(self, node: Node | str, message: str, *, lasts: Duration | None = 300.0) -> None:
        """Raise a warning about `node` while the boot runs (a hook may call it): a `warning`
        event, logged at WARNING, and an entry in the node's `warnings`. The health is `warn`
        while the warning is current: for `lasts` (default 5 minutes), or with `lasts=None`
        until the node is done; after that it stays in the node's warnings as history. Call
        it on the boot's event loop (from a hook or an async step), like every other change."""
        name = node.name if isinstance(node, Node) else node
        runner = self._runner
        if runner is None or not self._launched or runner.store.closed:
            raise ConfigError(f"cannot warn about {name!r}: {self.name} is not running")
        if name not in runner.specs:
            raise ConfigError(f"cannot warn about {name!r}: {self.name} has no such node")
        runner.warn(name, message, parse_optional_duration(lasts, what="lasts"))

    def mark_stopping(self) -> None:
        """Drop readiness now, before teardown: the first act of a graceful shutdown."""
        if self._runner is not None and self._launched:
            self._runner.mark_stopping()

    # -- serving over HTTP ---------------------------------------------------------------------

    def asgi(self, app: Any = None, **options: Any) -> Any:
        """`bootgate.http.asgi(self, app, **options)`: health endpoints, status, stream and gate
        around an ASGI app, with this boot run from the server's lifespan."""
        return importlib.import_module("bootgate.http").asgi(self, app, **options)

    def wsgi(self, app: Any, **options: Any) -> Any:
        """`bootgate.http.wsgi(self, app, **options)`: the same for a WSGI app (Flask, Django)."""
        return importlib.import_module("bootgate.http").wsgi(self, app, **options)

    # -- running ------------------------------------------------------------------------------

    def running(
        self, *, wait: bool = True, timeout: Duration | None = None
    ) -> AbstractAsyncContextManager[Status]:
        """Run the graph for the duration of the block; tear down in reverse order on exit.

        With `wait` (the default) the block is entered once the service is ready, and
        StartupError is raised instead if it cannot become ready (after tearing down what
        started); `timeout` bounds that wait (StartupTimeout). A caller that waits is a script
        that wants an answer: a dependency past its deadline then fails, whatever
        `after_deadline` says. With `wait=False` the block is entered at once while startup goes
        on (an HTTP server answering probes meanwhile), and `after_deadline` applies.
        """
        return self._run(
            wait=wait, limit=parse_optional_duration(timeout, what="timeout"), heal=not wait
        )

    @asynccontextmanager
    async def _run(self, *, wait: bool, limit: float | None, heal: bool) -> AsyncIterator[Status]:
        runner = self._current()
        if self._launched:
            raise ConfigError(f"{self.name} is already running")
        self._launched = True
        failure: Exception | None = None
        async with task_group() as tg:
            runner.launch(tg, heal=heal)
            try:
                if wait:
                    with self.clock.move_on_after(limit):
                        await runner.settled.wait()
                    if not runner.settled.is_set():
                        failure = StartupTimeout(f"{self.name} startup", limit or 0.0)
                    elif not runner.store.ready:
                        failure = runner.startup_error()
                if failure is None:
                    yield runner.store.snapshot()
            finally:
                with anyio.CancelScope(shield=True):
                    await runner.shutdown()
        if failure is not None:
            raise failure

    async def serve(
        self,
        main: Callable[[], Awaitable[object]] | None = None,
        *,
        signals: Iterable[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
    ) -> None:
        """Run until `main()` returns (or forever without one) or until one of `signals` arrives.

        `main()` starts once the service is ready. A dependency past its startup deadline is
        waited for on (`after_deadline="heal"`) or fails it (`"exit"`); once startup has
        failed for good, StartupError is raised, so the process exits non-zero. On a signal,
        readiness drops first, then waiting steps are cancelled and what started is torn down
        in reverse order, as when leaving `running()`. For scripts and workers; an ASGI server
        runs the boot from its lifespan instead.
        """
        async with task_group() as tg:
            tg.start_soon(self._stop_on_signal, tuple(signals), tg.cancel_scope)
            async with self._run(wait=True, limit=None, heal=True):
                if main is None:
                    await anyio.sleep_forever()
                else:
                    await main()
            tg.cancel_scope.cancel()

    async def _stop_on_signal(
        self, signals: tuple[signal.Signals, ...], scope: anyio.CancelScope
    ) -> None:
        with anyio.open_signal_receiver(*signals) as received:
            async for _ in received:
                self.mark_stopping()
                scope.cancel()
                return

    async def start(self, *, wait: bool = True, timeout: Duration | None = None) -> Status:
        """Enter `running()` without a block; pair with `stop()` in the same task."""
        stack = AsyncExitStack()
        status = await stack.enter_async_context(self.running(wait=wait, timeout=timeout))
        self._stack = stack
        return status

    async def stop(self) -> None:
        """Leave what `start()` entered: drop readiness, cancel, tear down in reverse order."""
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    # -- plumbing -----------------------------------------------------------------------------

    def _current(self) -> Runner:
        runner = self._runner
        if runner is None or (self._launched and runner.store.closed):
            runner = Runner(
                self.name,
                self._specs,
                clock=self.clock,
                hooks=self._hooks,
                rng=self._rng,
                grace=self._grace,
                after_deadline=self.after_deadline,
                version=self.version,
                release_id=self.release_id,
            )
            self._runner = runner
            self._launched = False
        return runner

    def _add(self, spec: NodeSpec) -> None:
        if ":" in spec.name:
            # health+json keys a check "component:measurement"; a colon would make it ambiguous.
            raise ConfigError(f"node name {spec.name!r} may not contain ':'")
        if self._launched and self._runner is not None and not self._runner.store.closed:
            raise ConfigError(f"cannot add {spec.name!r}: {self.name} is running")
        self._specs.append(spec)
        self._runner = None
        self._launched = False

    @staticmethod
    def _names(requires: Iterable[Node | str]) -> tuple[str, ...]:
        names: list[str] = []
        for item in requires:
            if isinstance(item, Node):
                names.append(item.name)
            elif isinstance(item, str):
                names.append(item)
            else:
                raise ConfigError(f"requires= takes node handles or names, got {item!r}")
        return tuple(names)
