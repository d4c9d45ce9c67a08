"""One run of a process: spawned in its own process group, its output read line by line.

A run ends when its main process exits; the rest of its process group is then killed, as a
container's processes die with its first one, so nothing a run started outlives it. Stopping a
run signals the whole group, waits up to the grace period, then sends SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import signal
import subprocess
from collections.abc import Callable, Mapping
from typing import Literal

import anyio
import anyio.abc

from ._model import LogCheck, Process, Stop

Stream = Literal["stdout", "stderr"]
#: Receives every line a run prints: (process name, stream, line without its newline).
Sink = Callable[[str, Stream, str], None]

#: A line longer than this is passed on in pieces (a process that never prints a newline must
#: not make us buffer without bound).
LINE_LIMIT = 64 * 1024
#: How long output may keep arriving after the main process exited and its group was killed
#: (a descendant that left the group can hold the pipe open).
DRAIN_GRACE = 1.0


class SpawnError(Exception):
    """The program could not be started at all (no such command, not executable, bad cwd)."""


def describe_exit(code: int) -> str:
    """ "exited with status 1" or "killed by SIGKILL" for a return code."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exited with status {code}"


def environment(process: Process, base: Mapping[str, str]) -> dict[str, str]:
    """The run's environment: `base` (bootgate up's own), the user's identity, then `env`."""
    env = dict(base)
    if process.user is not None:
        entry = _user(process.user)
        env.update(HOME=entry.pw_dir, USER=entry.pw_name, LOGNAME=entry.pw_name)
    env.update(process.env)
    return env


def _user(user: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except KeyError:
        raise SpawnError(f"no such user {user!r}") from None


class Run:
    """A running (or finished) instance of a process. Use `spawn()` to make one."""

    def __init__(self, process: Process, number: int, child: anyio.abc.Process) -> None:
        self.process = process
        self.number = number
        """1 for the first run, 2 for the first restart, and so on."""
        self.child = child
        self.pid = child.pid
        self.returncode: int | None = None
        self.returned = anyio.Event()
        """Set the moment the main process has exited."""
        self.exited = anyio.Event()
        """Set once it has exited and its output has been read to the end."""
        self.matched = anyio.Event()
        """Set when a line matched the process's `ready = {log = ...}` pattern."""
        self.stopping = False
        """Set once `stop()` was called: the run ends because we asked it to."""
        self.failure: str | None = None
        """Why the run is being stopped when it counts as failed ("not ready within 60s")."""
        self._on_exit: list[Callable[[Run], None]] = []
        self.on_progress: Callable[[float, float | None, str], None] | None = None
        """Receives (done, total, message) from lines matching the process's `progress`."""
        self._progress = re.compile(process.progress) if process.progress else None

    def on_exit(self, callback: Callable[[Run], None]) -> None:
        """Call `callback(run)` the moment the main process has exited (before the output is
        drained), or at once if it already has."""
        if self.returncode is not None:
            callback(self)
        else:
            self._on_exit.append(callback)

    @property
    def running(self) -> bool:
        """True until the main process exited."""
        return self.returncode is None

    async def watch(self, sink: Sink) -> None:
        """Pump the output to `sink` until the main process exits; then kill what is left of
        the group and return (run this in a task for as long as the run lives)."""
        check = self.process.ready
        pattern = re.compile(check.pattern) if isinstance(check, LogCheck) else None
        streams: list[tuple[anyio.abc.ByteReceiveStream, Stream]] = []
        if self.child.stdout is not None:
            streams.append((self.child.stdout, "stdout"))
        if self.child.stderr is not None:
            streams.append((self.child.stderr, "stderr"))
        open_streams = [len(streams)]
        if not streams:
            drained = anyio.Event()
            drained.set()
        else:
            drained = anyio.Event()

        async def pump(stream: anyio.abc.ByteReceiveStream, name: Stream) -> None:
            try:
                await self._pump(stream, name, sink, pattern)
            finally:
                open_streams[0] -= 1
                if open_streams[0] == 0:
                    drained.set()

        try:
            async with anyio.create_task_group() as tg:
                for stream, name in streams:
                    tg.start_soon(pump, stream, name)
                self._returned(await self.child.wait())
                with anyio.move_on_after(DRAIN_GRACE):
                    await drained.wait()
                tg.cancel_scope.cancel()
        finally:
            # Also when cancelled from outside: the process is killed, never left behind.
            with anyio.CancelScope(shield=True):
                if self.returncode is None:
                    self._signal_group(signal.SIGKILL)
                    self._returned(await self.child.wait())
                # Set only once the output is in: whoever is told "exited" has every line.
                self.exited.set()
                await self.child.aclose()

    def _returned(self, code: int) -> None:
        self.returncode = code
        self._signal_group(signal.SIGKILL)  # what is left of the group dies with its leader
        self.returned.set()
        for callback in self._on_exit:
            callback(self)

    async def _pump(
        self,
        stream: anyio.abc.ByteReceiveStream,
        name: Stream,
        sink: Sink,
        pattern: re.Pattern[str] | None,
    ) -> None:
        buffer = b""
        try:
            async for chunk in stream:
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                while len(buffer) > LINE_LIMIT:
                    lines.append(buffer[:LINE_LIMIT])
                    buffer = buffer[LINE_LIMIT:]
                for raw in lines:
                    self._line(raw, name, sink, pattern)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass
        if buffer:
            self._line(buffer, name, sink, pattern)

    def _line(self, raw: bytes, name: Stream, sink: Sink, pattern: re.Pattern[str] | None) -> None:
        line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
        sink(self.process.name, name, line)
        if pattern is not None and not self.matched.is_set() and pattern.search(line):
            self.matched.set()
        if self._progress is not None and self.on_progress is not None:
            found = self._progress.search(line)
            if found is not None:
                self._report_progress(found)

    def _report_progress(self, found: re.Match[str]) -> None:
        groups = found.groupdict()
        try:
            done = float(groups["done"])
            total = float(groups["total"]) if groups.get("total") else None
        except ValueError:
            return  # a line that matched loosely: not progress after all
        if self.on_progress is not None:
            self.on_progress(done, total, groups.get("message") or "")

    async def stop(self, stop: Stop | None = None) -> None:
        """Signal the group, wait up to the grace period, then SIGKILL; returns once exited."""
        how = stop or self.process.stop
        if self.running:
            self.stopping = True
            self._signal_group(how.signal)
            with anyio.move_on_after(how.grace):
                await self._ended()
        if self.running:
            self._signal_group(signal.SIGKILL)
        await self.exited.wait()

    async def _ended(self) -> None:
        ended = anyio.Event()
        self.on_exit(lambda _: ended.set())
        await ended.wait()

    def signal(self, signum: int) -> None:
        """Send `signum` to the run's whole process group (if it still runs)."""
        if self.running:
            self._signal_group(signum)

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)


async def spawn(process: Process, number: int, base_env: Mapping[str, str]) -> Run:
    """Start one run of `process` in a new session (its own process group)."""
    env = environment(process, base_env)
    identity: dict[str, object] = {}
    if process.user is not None:
        entry = _user(process.user)
        identity = {
            "user": entry.pw_uid,
            "group": entry.pw_gid,
            "extra_groups": os.getgrouplist(entry.pw_name, entry.pw_gid),
        }
    try:
        child = await anyio.open_process(
            list(process.command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=process.cwd,
            env=env,
            start_new_session=True,
            **identity,  # type: ignore[arg-type]
        )
    except FileNotFoundError as exc:
        if process.cwd is not None and not process.cwd.is_dir():
            raise SpawnError(f"no such directory (cwd): {process.cwd}") from None
        raise SpawnError(f"command not found: {exc.filename or process.command[0]}") from None
    except PermissionError:
        raise SpawnError(f"cannot execute {process.command[0]}: permission denied") from None
    except OSError as exc:
        reason = os.strerror(exc.errno).lower() if exc.errno else type(exc).__name__
        raise SpawnError(f"cannot start {process.command[0]}: {reason}") from None
    return Run(process, number, child)
