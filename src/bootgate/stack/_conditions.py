"""The condition state machine: whether `started`, `ready` or `completed` holds for a process,
is still to come, or can never be met. Pure: the supervisor keeps a `Life` per process and
every waiter asks `condition_state()`, so "stuck pending forever" has nowhere to hide.

    started    met once a run was spawned; never, when no run can be (it could not be started
               and will not be tried again)
    ready      met while a run is up and has passed its ready check; lost when that run ends,
               met again when a restarted run passes it; never, once no run will follow
    completed  met once a run exited with status 0; never, once no run will follow without
               one having done so
"""

from __future__ import annotations

from dataclasses import dataclass

from ._model import Condition


@dataclass(slots=True)
class Life:
    """What has happened to one process so far (written by the supervisor only)."""

    runs: int = 0
    """Runs spawned so far."""
    running: bool = False
    ready: bool = False
    """The current run passed its ready check (False again once it ends)."""
    completed: bool = False
    """Some run exited with status 0."""
    returncode: int | None = None
    """The last run's return code (negative: killed by that signal)."""
    last_exit: str | None = None
    """How the last run ended, e.g. "exited with status 1"."""
    final: bool = False
    """No run will follow: the process is done, gave up, or the stack is stopping."""
    reason: str | None = None
    """Why it is final, or what it is doing now ("restarting in 0.4 s after ...")."""


@dataclass(frozen=True, slots=True)
class Met:
    """The condition holds now."""


@dataclass(frozen=True, slots=True)
class Pending:
    """Not yet, but it still can: `reason` says what it waits for."""

    reason: str


@dataclass(frozen=True, slots=True)
class Never:
    """It can never hold (again): `reason` says why, e.g. "exited with status 1 (restart = no)"."""

    reason: str


ConditionState = Met | Pending | Never


def condition_state(condition: Condition, life: Life) -> ConditionState:
    """Where `condition` stands for a process whose history is `life`."""
    if condition is Condition.STARTED and life.runs > 0:
        return Met()
    if condition is Condition.READY and life.running and life.ready:
        return Met()
    if condition is Condition.COMPLETED and life.completed:
        return Met()
    if life.final:
        return Never(life.reason or life.last_exit or "stopped")
    if life.running:
        return Pending("running, not ready yet" if condition is Condition.READY else "running")
    if life.runs == 0:
        return Pending("not started yet")
    return Pending(life.reason or f"restarting after it {life.last_exit or 'ended'}")


def holds(goal: Condition, life: Life) -> bool:
    """Whether a process that reached `goal` once is still where the stack needs it: a ready
    process still ready, a started one still running (or done with status 0 for good), a
    completed one completed. Unlike `condition_state`, a crashed and restarting process does
    not hold `started` here: the stack it belongs to is not ready while it is down."""
    if goal is Condition.COMPLETED:
        return life.completed
    if goal is Condition.READY:
        return life.running and life.ready
    return life.running or (life.final and life.returncode == 0)


def unmet_reason(dependent: str, name: str, condition: Condition, never: Never) -> str:
    """The one-line reason a dependent can never start, naming both ends."""
    wanted = {
        Condition.STARTED: "to start",
        Condition.READY: "to be ready",
        Condition.COMPLETED: "to complete",
    }[condition]
    return f"{dependent} needs {name} {wanted}, but {name} {never.reason}"
