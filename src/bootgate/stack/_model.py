"""What a stack file says, once read and validated: plain frozen data, no behaviour."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Condition(StrEnum):
    """What a dependent waits for: the closed set of conditions a `requires` entry may name."""

    STARTED = "started"
    """The process was spawned (its program is running)."""
    READY = "ready"
    """The process is running and its `ready` check passed (needs a `ready` check)."""
    COMPLETED = "completed"
    """The process exited with status 0."""


class RestartPolicy(StrEnum):
    """When a process that exited is started again."""

    NO = "no"
    ON_FAILURE = "on-failure"
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class Restart:
    """`restart`: the policy, at most `limit` restarts, jittered backoff from `interval` to
    `max_interval` (full jitter: each delay uniform in [0, c])."""

    policy: RestartPolicy = RestartPolicy.NO
    limit: int = 5
    interval: float = 0.5
    max_interval: float = 30.0


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """A check by a bootgate target (`postgres://…`, `http://…/readyz`, `tcp://…`)."""

    target: str
    timeout: float = 60.0
    """`ready`: how long one run may take to pass it, from its spawn."""


@dataclass(frozen=True, slots=True)
class LogCheck:
    """Ready once a line of the run's own output (stdout or stderr) matches `pattern`."""

    pattern: str
    timeout: float = 60.0


ReadyCheck = TargetCheck | LogCheck


@dataclass(frozen=True, slots=True)
class LiveCheck:
    """`live`: once ready, `target` is checked every `interval`; after `failures` misses in
    a row the run is stopped and counts as failed (restarted per `restart`)."""

    target: str
    interval: float = 10.0
    failures: int = 3


@dataclass(frozen=True, slots=True)
class Stop:
    """How a run is stopped: `signal` to its process group, SIGKILL after `grace` seconds."""

    signal: signal.Signals = signal.SIGTERM
    grace: float = 10.0


@dataclass(frozen=True, slots=True)
class Process:
    """One `[process.NAME]` table."""

    name: str
    command: tuple[str, ...]
    """argv (with `shell = true`: ("/bin/sh", "-c", text))."""
    shell: bool = False
    env: tuple[tuple[str, str], ...] = ()
    cwd: Path | None = None
    """Where the process runs: `cwd` as written, resolved against the stack file's directory."""
    cwd_text: str | None = None
    """`cwd` as written (the exports use it: a container has its own file system)."""
    user: str | None = None
    requires: tuple[tuple[str, Condition], ...] = ()
    ready: ReadyCheck | None = None
    live: LiveCheck | None = None
    restart: Restart = field(default_factory=Restart)
    stop: Stop = field(default_factory=Stop)
    image: str | None = None
    progress: str | None = None
    """A pattern for the process's own progress lines while it starts, with a named group
    `done` and optionally `total` and `message`, e.g. "(?P<done>\\d+)/(?P<total>\\d+)"."""

    @property
    def requirements(self) -> dict[str, Condition]:
        """`requires` as a mapping, name -> condition."""
        return dict(self.requires)


@dataclass(frozen=True, slots=True)
class Stack:
    """A validated stack file: processes in file order, each name a DNS label."""

    name: str
    path: Path
    processes: tuple[Process, ...]
    http: tuple[str, int] | None = None
    """[stack] http: the (host, port) the stack's own health endpoints are served on."""
    dashboard: bool = False

    def process(self, name: str) -> Process:
        """The process called `name`."""
        for process in self.processes:
            if process.name == name:
                return process
        raise KeyError(name)

    def goal(self, name: str) -> Condition:
        """The condition process `name` must reach for the stack to be ready: `completed` when a
        dependent waits for it to complete, else `ready` when it has a check, else `started`."""
        if any(other.requirements.get(name) is Condition.COMPLETED for other in self.processes):
            return Condition.COMPLETED
        return Condition.READY if self.process(name).ready is not None else Condition.STARTED

    def conditions(self, name: str) -> list[Condition]:
        """Every condition anyone needs of process `name`: its goal first, then the others
        dependents ask for, in the fixed order started, ready, completed."""
        goal = self.goal(name)
        asked = {
            condition
            for other in self.processes
            for required, condition in other.requires
            if required == name
        }
        return [goal, *(c for c in Condition if c in asked and c is not goal)]
