"""A lock file for the processes of one host: `flock`, released by the kernel when the holder dies.

The holder writes "host pid since" into the file so a waiter can name it. The file is never
deleted (deleting a lock file lets two processes lock two different files of the same name);
if someone deletes or replaces it anyway, the holder notices within a second and loses its lease.
Not for network file systems, where `flock` may not be shared between machines.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from bootgate._exclusive import Holder, Lease, Seen, background

from ._common import check_name, this_host, this_pid

POLL = 0.05
"""Seconds between two tries of a lock that is taken (the kernel offers no wake-up we can await)."""


def holder_from_text(text: str, now: float) -> Holder | None:
    """A Holder from the file's "host pid since" line (None when it is empty or foreign)."""
    parts = text.split()
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    try:
        since = float(parts[2])
    except ValueError:
        return None
    return Holder(host=parts[0], pid=int(parts[1]), held_for=max(now - since, 0.0))


class FileLock:
    """`bootgate.locks.file(path)`: see the module docstring."""

    def __init__(self, path: str | os.PathLike[str], name: str | None = None) -> None:
        self.path = Path(path)
        """The lock file (created if missing, never deleted)."""
        self._name = check_name(name or self.path.name)

    @property
    def name(self) -> str:
        """The lock's name (the file's name unless given)."""
        return self._name

    def __repr__(self) -> str:
        return f"bootgate.locks.file({str(self.path)!r})"

    @asynccontextmanager
    async def hold(self, seen: Seen) -> AsyncIterator[Lease]:
        """Wait for the lock (polling), hold it for the block, release it by closing the file."""
        import fcntl  # POSIX only: imported when a file lock is used

        last_seen = -1.0
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() - last_seen >= 1.0:
                    seen(self._holder())
                    last_seen = time.monotonic()
                await anyio.sleep(POLL)
                continue
            if self._same_file(fd):
                break
            os.close(fd)  # locked a file that was just replaced: try the one at the path now
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{this_host()} {this_pid()} {time.time():.3f}\n".encode(), 0)
            lease = Lease(self._name)
            async with background(functools.partial(self._watch, fd, lease)):
                yield lease
        finally:
            if self._same_file(fd):
                os.ftruncate(fd, 0)
            os.close(fd)

    def _holder(self) -> Holder | None:
        try:
            text = self.path.read_text(errors="replace")
        except OSError:
            return None
        return holder_from_text(text, time.time())

    def _same_file(self, fd: int) -> bool:
        try:
            here = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    async def _watch(self, fd: int, lease: Lease) -> None:
        while True:
            await anyio.sleep(1.0)
            if not self._same_file(fd):
                lease.lose(f"lock file {self.path} was removed or replaced")
                return
