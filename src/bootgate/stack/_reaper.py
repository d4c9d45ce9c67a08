"""Orphans: what `bootgate up` adopts as a child subreaper (or as a container's PID 1).

A process that forks and leaves (a daemon, a shell's background job) would outlive its run's
process group if it also left the group. As a subreaper (Linux), bootgate up becomes the
parent of every such orphan of its processes: it reaps them as they exit, so no zombie piles
up under a PID 1, and kills whatever is left when the stack stops, so nothing outlives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from collections.abc import Collection

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Ask Linux to make this process the parent of its descendants' orphans."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def children(parent: int | None = None) -> dict[int, str]:
    """The processes whose parent is `parent` (default: this one), with their state letter."""
    parent = os.getpid() if parent is None else parent
    found = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as file:
                stat = file.read().decode("latin-1")
        except OSError:
            continue
        # "pid (comm) S ppid ...": comm may hold spaces and parentheses; split after the last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            found[int(entry)] = fields[0]
    return found


def reap_orphans(ours: Collection[int]) -> list[int]:
    """Reap exited children that are not our own runs (their waiters reap those)."""
    reaped = []
    for pid, state in children().items():
        if state == "Z" and pid not in ours:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    reaped.append(pid)
    return reaped


def kill_orphans(ours: Collection[int], rounds: int = 20) -> list[int]:
    """SIGKILL every adopted child that still runs, and reap it; its own children are adopted
    in turn, so repeat (a bounded number of rounds) until none is left. Returns their pids."""
    killed: list[int] = []
    for _ in range(rounds):
        batch = [pid for pid, state in children().items() if pid not in ours and state != "Z"]
        for pid in batch:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in batch:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        reap_orphans(ours)
        killed += batch
        if not batch:
            break
    return killed
