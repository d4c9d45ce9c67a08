"""Orphans: finding this process's children, reaping the exited, killing the rest — only ever
those outside the set it is told to leave alone."""

from __future__ import annotations

import os
import subprocess
import time

from bootgate.stack._reaper import children, kill_orphans, reap_orphans


def test_children_lists_this_processs_children_with_their_state() -> None:
    """A child we start shows up under our pid, running (S or R)."""
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert children()[child.pid] in ("S", "R")
        assert child.pid not in children(child.pid)
    finally:
        child.kill()
        child.wait()


def test_zombies_outside_the_set_are_reaped() -> None:
    """An exited child that nobody waited for is reaped; the others are left alone."""
    before = set(children())
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while children().get(child.pid) != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)  # until the child has exited and is a zombie
    assert reap_orphans(before) == [child.pid]
    assert child.pid not in children()
    child.returncode = 0  # reaped above: Popen must not wait for it again


def test_live_children_outside_the_set_are_killed() -> None:
    """kill_orphans kills (and reaps) only what is not in the set it was given."""
    keep = subprocess.Popen(["sleep", "30"])
    try:
        before = set(children())
        stray = subprocess.Popen(["sleep", "30"])
        assert kill_orphans(before) == [stray.pid]
        stray.returncode = -9
        assert not os.path.exists(f"/proc/{stray.pid}/stat") or stray.pid not in children()
        assert keep.poll() is None
    finally:
        keep.kill()
        keep.wait()
