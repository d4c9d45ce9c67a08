"""The supervisor: starts runs, watches them, restarts them, and stops them.

It keeps one `Life` per process and bumps a version on every change, so each waiter (a
dependent holding its requirements, a process reaching its goal, the status view) re-reads the
verdicts only when something changed and can never miss the moment a condition became
impossible. Restarts before a process first reaches its goal are the graph's retries (see
`_nodes`); once it has, `keep()` hands the process to a monitor that restarts it per its
policy, with jittered backoff, after its requirements hold again.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Callable, Mapping
from typing import Literal

import anyio
import anyio.abc

from bootgate import (
    BootgateError,
    PermanentError,
    ProbeResult,
    Ready,
    Retry,
    StartupTimeout,
    Transient,
    format_duration,
    wait_for,
)

from ._conditions import Life, Met, Never, condition_state, holds, unmet_reason
from ._model import Condition, LogCheck, Process, RestartPolicy, Stack, TargetCheck
from ._run import Run, Sink, SpawnError, describe_exit, spawn

#: Receives a process's progress while it is starting: (done, total, message).
Progress = Callable[[float, float | None, str], None]
#: The bound on one liveness check.
LIVE_TIMEOUT = 3.0

ReportKind = Literal["started", "exited", "restarting", "lost", "back", "stopping", "gave-up"]
#: Receives the supervisor's own news: (process name, kind, message).
Report = Callable[[str, ReportKind, str], None]


class ProcessExited(Exception):
    """A run ended before its process reached its goal; it will be restarted."""


class ProcessFailed(PermanentError):
    """A process failed for good: no run will follow (its policy, or a permanent answer)."""


def restart_allowed(process: Process, returncode: int, runs: int) -> bool:
    """Whether a run that ended with `returncode`, after `runs` runs in all, is followed by
    another: never for `no`, on a non-zero status for `on-failure`, always for `always`, and in
    every case at most `restart.limit` times."""
    restart = process.restart
    if restart.policy is RestartPolicy.NO or runs > restart.limit:
        return False
    return restart.policy is RestartPolicy.ALWAYS or returncode != 0


def retry_policy(process: Process) -> Retry:
    """The graph's retry policy for a process: one attempt per run, `limit` restarts."""
    restart = process.restart
    attempts = 1 if restart.policy is RestartPolicy.NO else restart.limit + 1
    return Retry(
        attempts=attempts,
        timeout=None,
        attempt_timeout=None,
        interval=restart.interval,
        max_interval=restart.max_interval,
        jitter="full",
    )


class Supervisor:
    """Owns every run of a stack's processes. Serve it in a task group (`serve`) first."""

    def __init__(
        self,
        stack: Stack,
        *,
        sink: Sink,
        report: Report,
        env: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.stack = stack
        self.lives = {p.name: Life() for p in stack.processes}
        self.runs: dict[str, Run] = {}
        """The current (or last) run of each process."""
        self.kept: set[str] = set()
        """Processes that reached their goal once and are now watched by a monitor."""
        self.lost: set[str] = set()
        """Kept processes whose goal does not hold right now (restarting, or gone for good)."""
        self.version = 0
        self.closing = False
        self._sink = sink
        self._report = report
        self._env = dict(os.environ if env is None else env)
        self._rng = rng or random.Random()
        self._changed = anyio.Event()
        self._monitors: dict[str, anyio.CancelScope] = {}
        self._tg: anyio.abc.TaskGroup | None = None
        self._closed = anyio.Event()

    # -- life cycle ---------------------------------------------------------------------------

    async def serve(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        """Own the tasks that watch runs until `close()` has stopped them all."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            task_status.started()
            await self._closed.wait()
            tg.cancel_scope.cancel()

    def begin_close(self) -> None:
        """From now on nothing is started or restarted."""
        if not self.closing:
            self.closing = True
            for scope in self._monitors.values():
                scope.cancel()
            self._bump()

    async def close(self) -> None:
        """Stop every run still alive (in reverse start order), then end `serve`."""
        self.begin_close()
        with anyio.CancelScope(shield=True):
            for name in reversed(list(self.runs)):
                await self.retire(name)
        self._closed.set()

    def signal_all(self, signum: int) -> None:
        """Pass a signal on to the process group of every run that is alive."""
        for run in self.runs.values():
            run.signal(signum)

    def kill_all(self) -> None:
        """SIGKILL every run's process group at once (a second Ctrl-C)."""
        for run in self.runs.values():
            run.signal(signal.SIGKILL)

    @property
    def pids(self) -> set[int]:
        """The main process of every run that has not been reaped."""
        return {run.pid for run in self.runs.values() if run.running}

    @property
    def finished(self) -> bool:
        """True when no process runs and none ever will again."""
        return all(life.final and not life.running for life in self.lives.values())

    # -- waiting ------------------------------------------------------------------------------

    async def changed(self, version: int) -> None:
        """Return once the version has moved past `version`."""
        while self.version == version:
            await self._changed.wait()

    async def hold(self, name: str) -> None:
        """Wait until every requirement of `name` holds at the same time; raise ProcessFailed
        (naming both ends) as soon as one never can."""
        requires = self.stack.process(name).requires
        while True:
            version = self.version
            waiting = False
            for required, condition in requires:
                answer = condition_state(condition, self.lives[required])
                if isinstance(answer, Never):
                    raise ProcessFailed(unmet_reason(name, required, condition, answer))
                waiting = waiting or not isinstance(answer, Met)
            if not waiting:
                return
            await self.changed(version)

    async def until(self, name: str, condition: Condition) -> None:
        """Wait until `condition` holds for `name`; raise ProcessFailed if it never can."""
        while True:
            version = self.version
            answer = condition_state(condition, self.lives[name])
            if isinstance(answer, Met):
                return
            if isinstance(answer, Never):
                raise ProcessFailed(f"{name} {answer.reason}")
            await self.changed(version)

    # -- runs ---------------------------------------------------------------------------------

    async def attempt(self, name: str, number: int, progress: Progress | None = None) -> Run:
        """Run `name` for the `number`th time until it reaches its goal; return the run.

        Raises ProcessExited when the run ended first and may be restarted, ProcessFailed
        when it may not (or could not start, or a requirement can never hold again).
        """
        try:
            await self.hold(name)
        except ProcessFailed as exc:
            self._finish(name, str(exc))
            raise
        run = await self._start(name, number)
        run.on_progress = progress
        try:
            return await self._reach_goal(name, run)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run.stop()
            raise

    def keep(self, name: str, run: Run) -> None:
        """`run` reached the goal: watch it, and restart the process per its policy."""
        run.on_progress = None
        self.kept.add(name)
        if self.stack.goal(name) is Condition.COMPLETED:
            self._finish(name, "completed (exited with status 0)")
            return
        if self.closing:
            return
        self._task_group().start_soon(self._check_live, name, run)
        self._task_group().start_soon(self._monitor, name, run)

    async def retire(self, name: str) -> None:
        """Stop `name` for good: no restart, its current run stopped (signal, grace, kill)."""
        scope = self._monitors.pop(name, None)
        if scope is not None:
            scope.cancel()
        life = self.lives[name]
        if not life.final:
            life.final = True
            life.reason = "stopped"
        run = self.runs.get(name)
        if run is not None and run.running:
            how = run.process.stop
            self._report(
                name,
                "stopping",
                f"stopping: {how.signal.name}, SIGKILL after {format_duration(how.grace)}",
            )
            with anyio.CancelScope(shield=True):
                await run.stop()
        self._bump()

    async def _start(self, name: str, number: int) -> Run:
        process = self.stack.process(name)
        life = self.lives[name]
        if self.closing:
            raise ProcessFailed(f"{name} was not started: the stack is stopping")
        try:
            run = await spawn(process, number, self._env)
        except SpawnError as exc:
            reason = f"could not be started: {exc}"
            self._finish(name, reason)
            raise ProcessFailed(reason) from None
        self.runs[name] = run
        life.runs = number
        life.running, life.ready, life.reason = True, False, None
        again = f", run {number}" if number > 1 else ""
        self._report(name, "started", f"started (pid {run.pid}{again})")
        run.on_exit(self._exited)
        tg = self._task_group()
        tg.start_soon(self._watch, name, run)
        if process.ready is not None:
            tg.start_soon(self._check_ready, name, run)
        self._bump()
        return run

    async def _watch(self, name: str, run: Run) -> None:
        await run.watch(self._sink)
        code = run.returncode or 0
        if run.failure:
            self._report(name, "exited", f"{run.failure}: {describe_exit(code)}")
        elif run.stopping:
            self._report(name, "exited", f"stopped ({describe_exit(code)})")
        elif not (code == 0 and self.stack.goal(name) is Condition.COMPLETED):
            self._report(name, "exited", describe_exit(code))  # completion has its own line

    def _exited(self, run: Run) -> None:
        life = self.lives[run.process.name]
        if self.runs.get(run.process.name) is not run:
            return
        code = run.returncode or 0
        life.running = life.ready = False
        life.returncode = code
        life.last_exit = run.failure or describe_exit(code)
        life.completed = life.completed or code == 0
        self._bump()

    async def _check_ready(self, name: str, run: Run) -> None:
        check = self.stack.process(name).ready
        with anyio.CancelScope() as scope:
            run.on_exit(lambda _: scope.cancel())
            try:
                if isinstance(check, LogCheck):
                    with anyio.fail_after(check.timeout):
                        await run.matched.wait()
                elif isinstance(check, TargetCheck):
                    # A process we just spawned, on this machine: a refused connect every
                    # 10-20 ms costs it nothing, and each hop of the stack's critical path
                    # waits for it (handshakes are paced to one per 20 ms as well).
                    retry = Retry(timeout=check.timeout, interval=0.005, max_interval=0.02)
                    await wait_for([check.target], retry=retry)
            except (TimeoutError, StartupTimeout) as exc:
                reason = str(exc) if isinstance(exc, StartupTimeout) else "no matching line"
                run.failure = f"not ready within {format_duration(check.timeout if check else 0)}"
                run.failure += f" ({reason})"
                await run.stop()
                return
            except BootgateError as exc:  # a permanent answer, or a driver that is missing
                self._finish(name, f"failed its ready check: {exc}")
                run.failure = f"failed its ready check: {exc}"
                await run.stop()
                return
            if self.runs.get(name) is run and run.running:
                self.lives[name].ready = True
                self._bump()

    async def _check_live(self, name: str, run: Run) -> None:
        check = self.stack.process(name).live
        if check is None:
            return
        from bootgate.probes import probe_for

        try:
            probe = probe_for(check.target)
        except BootgateError as exc:  # e.g. the scheme's driver is not installed
            self._report(name, "lost", f"liveness not checked: {exc}")
            return
        misses = 0
        with anyio.CancelScope() as scope:
            run.on_exit(lambda _: scope.cancel())
            while True:
                await anyio.sleep(check.interval)
                result: ProbeResult = Transient(f"no answer within {format_duration(LIVE_TIMEOUT)}")
                with anyio.move_on_after(LIVE_TIMEOUT):
                    result = await probe()
                if isinstance(result, Ready):
                    misses = 0
                    continue
                misses += 1
                if misses >= check.failures:
                    run.failure = f"not live: {result.reason} ({misses} checks in a row)"
                    await run.stop()
                    return

    async def _reach_goal(self, name: str, run: Run) -> Run:
        process = self.stack.process(name)
        goal = self.stack.goal(name)
        life = self.lives[name]
        while True:
            version = self.version
            if goal is Condition.STARTED or isinstance(condition_state(goal, life), Met):
                return run
            if life.final:  # a permanent answer from the ready check
                raise ProcessFailed(life.reason or "failed")
            if not run.running:
                break
            await self.changed(version)
        ended = life.last_exit or "ended"
        if goal is Condition.READY and run.returncode == 0 and not run.failure:
            ended = "exited with status 0 before it was ready"
        if restart_allowed(process, run.returncode or 0, run.number) and not self.closing:
            life.reason = f"{ended}; restarting"
            self._bump()
            raise ProcessExited(ended)
        reason = ended + _why_not_restarted(process, run.returncode or 0, run.number)
        self._finish(name, reason)
        raise ProcessFailed(reason)

    async def _monitor(self, name: str, run: Run) -> None:
        # Restarts after the goal: the graph shows the process ready, the view lays the loss
        # over it; dependents already running are left alone (as Compose leaves them).
        process = self.stack.process(name)
        policy = retry_policy(process)
        with anyio.CancelScope() as scope:
            self._monitors[name] = scope
            while True:
                await run.returned.wait()
                if self.closing:
                    return
                code = run.returncode or 0
                ended = self.lives[name].last_exit or describe_exit(code)
                if not restart_allowed(process, code, run.number):
                    if code == 0 and self.stack.goal(name) is Condition.STARTED:
                        self._finish(name, "completed (exited with status 0)")
                    else:
                        self._finish(name, ended + _why_not_restarted(process, code, run.number))
                        self._report(name, "gave-up", self.lives[name].reason or ended)
                    return
                delay = policy.delay(run.number, self._rng)
                self.lives[name].reason = (
                    f"{ended}; restart {run.number} of {process.restart.limit} "
                    f"in {format_duration(delay)}"
                )
                self._report(name, "restarting", self.lives[name].reason or "")
                self._bump()
                await anyio.sleep(delay)
                try:
                    run = await self.attempt(name, run.number + 1)
                except ProcessExited:
                    run = self.runs[name]
                    continue
                except ProcessFailed as exc:
                    self._report(name, "gave-up", str(exc))
                    return
                self._task_group().start_soon(self._check_live, name, run)
                self._report(name, "back", f"{self.stack.goal(name).value} again, run {run.number}")

    def _finish(self, name: str, reason: str) -> None:
        life = self.lives[name]
        life.final = True
        life.reason = reason
        self._bump()

    # -- plumbing -----------------------------------------------------------------------------

    def _bump(self) -> None:
        self.version += 1
        lost = set()
        if not self.closing:
            lost = {n for n in self.kept if not holds(self.stack.goal(n), self.lives[n])}
        for name in lost - self.lost:
            life = self.lives[name]
            self._report(name, "lost", f"down: {life.reason or life.last_exit or 'not running'}")
        self.lost = lost
        self._changed.set()
        self._changed = anyio.Event()

    def _task_group(self) -> anyio.abc.TaskGroup:
        if self._tg is None:
            raise RuntimeError("the supervisor is not being served")
        return self._tg


def _why_not_restarted(process: Process, code: int, runs: int) -> str:
    restart = process.restart
    if restart.policy is RestartPolicy.NO:
        return " (restart = no)"
    if runs > restart.limit:
        return f" (gave up after {runs} runs)"
    return " (restart = on-failure restarts only a failure)" if code == 0 else ""
