"""`up()`: run a stack until it is stopped, it cannot start, or every process is done.

The supervisor, the graph, the status view and (with `[stack] http`) the HTTP endpoints run in
one task group. SIGINT and SIGTERM stop the stack: readiness drops, then processes stop in
reverse order, each with its signal and grace; a second one kills every process group at once.
SIGHUP, SIGUSR1 and SIGUSR2 are passed on to every process group. With `adopt_orphans` (the
command line), orphans are adopted, reaped as they exit and killed at the end.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass

import anyio
import anyio.abc

from bootgate import Hook
from bootgate.observe import History

from ._console import Console
from ._model import Stack
from ._nodes import build_boot
from ._reaper import become_subreaper, kill_orphans, reap_orphans
from ._supervisor import Supervisor
from ._view import StackView

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
FORWARDED = (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
#: How often adopted orphans are looked for between SIGCHLDs (signals can coalesce).
REAP_INTERVAL = 2.0

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANNOT_START = 3
EXIT_INTERRUPTED = 130


@dataclass
class Options:
    """How a stack runs: `http` overrides the file's address; `keep_going` stays up (serving
    the failure) when the stack cannot start; `signals` handles SIGINT/SIGTERM (off when the
    caller stops it with `StackRun.stop()`); `adopt_orphans` makes it a subreaper (for a
    dedicated process only: it reaps and kills children it did not start); `env` is the base
    environment of every process (default: this process's)."""

    http: tuple[str, int] | None = None
    keep_going: bool = False
    signals: bool = True
    adopt_orphans: bool = False
    env: Mapping[str, str] | None = None
    on_http: Callable[[str], object] | None = None
    hooks: Sequence[Hook] = ()
    """More hooks for the stack's boot."""
    history: History | None = None
    """The startup history to keep (`bootgate up` keeps one): each start's timings, and a
    process that took 3x its median is a warning in the stack's status."""
    """Called with the base URL once the endpoints listen."""


class StackRun:
    """One run of a stack: its supervisor, graph (`boot`) and status view (`view`)."""

    def __init__(self, stack: Stack, console: Console, options: Options | None = None) -> None:
        self.stack = stack
        self.console = console
        self.options = options or Options()
        self.supervisor = Supervisor(
            stack, sink=console.line, report=console.news, env=self.options.env
        )
        self.boot = build_boot(stack, self.supervisor, hooks=[console.hook, *self.options.hooks])
        if self.options.history is not None:
            self.options.history.attach(self.boot)
        self.view = StackView(self.boot, self.supervisor)
        self.url: str | None = None
        """The base URL of the stack's endpoints once they listen."""
        self.code = EXIT_OK
        self.ended = False
        """True once the run ended by itself (could not start, or every process is done)."""
        self._scope = anyio.CancelScope()

    def stop(self, code: int = EXIT_OK) -> None:
        """Stop the stack (as SIGTERM would): `run()` returns `code` once all is stopped
        (unless it had already ended by itself, with its own code)."""
        if not self._scope.cancel_called and not self.ended:
            self.code = code
        self.supervisor.begin_close()
        self._scope.cancel()

    async def run(self) -> int:
        """Run until stopped, unable to start, or done; return the exit code (0 stopped or
        all done, 1 a process failed and nothing runs any more, 3 cannot start, 130 SIGINT)."""
        options = self.options
        if options.adopt_orphans:
            become_subreaper()
        async with anyio.create_task_group() as tg:
            await tg.start(self.supervisor.serve)
            address = options.http or self.stack.http
            if address is not None:
                await tg.start(self._serve_http, address)
            if options.signals:
                tg.start_soon(self._signals)
            if options.adopt_orphans:
                tg.start_soon(_reap, self.supervisor)
            try:
                async with self.boot.running(wait=False):
                    tg.start_soon(self.view.follow)
                    with self._scope:
                        await self._until_done()
                        self.ended = True
                    self.supervisor.begin_close()
            finally:
                with anyio.CancelScope(shield=True):
                    await self.supervisor.close()
                    if options.adopt_orphans:
                        kill_orphans(self.supervisor.pids)
            tg.cancel_scope.cancel()
        return self.code

    async def _until_done(self) -> None:
        was_ready = False
        supervisor = self.supervisor
        async with aclosing(self.view.subscribe()) as snapshots:
            async for status in snapshots:
                was_ready = was_ready or status.started
                if status.failed and not status.started and not self.options.keep_going:
                    self.code = EXIT_CANNOT_START
                    return
                if supervisor.finished:
                    codes = [life.returncode for life in supervisor.lives.values()]
                    failed = any(code not in (0, None) for code in codes)
                    self.code = EXIT_FAILED if failed or not was_ready else EXIT_OK
                    return

    async def _signals(self) -> None:
        with anyio.open_signal_receiver(*STOP_SIGNALS, *FORWARDED) as received:
            stopping = False
            async for signum in received:
                if signum in FORWARDED:
                    self.supervisor.signal_all(signum)
                elif stopping:
                    self.supervisor.kill_all()  # asked twice: no more waiting for graces
                else:
                    stopping = True
                    self.stop(EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_OK)

    async def _serve_http(
        self, address: tuple[str, int], *, task_status: anyio.abc.TaskStatus[None]
    ) -> None:
        from bootgate.http import Gate, not_found

        from ._server import serve

        # A stack has no application of its own: past the gate, every path is 404.
        gate = Gate(not_found, self.view, dashboard=self.stack.dashboard)
        host, port = address
        async with anyio.create_task_group() as tg:
            bound = await tg.start(serve, gate, host, port)
            shown = f"[{host}]" if ":" in host else host
            self.url = f"http://{shown}:{bound}"
            self.console.news(None, "http", f"status on {self.url}/status")
            if self.options.on_http is not None:
                self.options.on_http(self.url)
            task_status.started()


async def up(stack: Stack, console: Console, options: Options | None = None) -> int:
    """Run `stack` until it is stopped (see `StackRun.run`); return the exit code."""
    return await StackRun(stack, console, options).run()


async def _reap(supervisor: Supervisor) -> None:
    with anyio.open_signal_receiver(signal.SIGCHLD) as received:
        while True:
            reap_orphans(supervisor.pids)
            with anyio.move_on_after(REAP_INTERVAL):
                await received.__anext__()
