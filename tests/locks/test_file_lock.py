"""The file lock: one holder per host, named while others wait, lost if its file is replaced."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import anyio
import pytest

from bootgate import MissingExtraError, locks
from bootgate.locks import Lease, LockLost, run_exclusive
from bootgate.locks._common import require
from tests.locks.conftest import both_backends

pytestmark = pytest.mark.anyio


@both_backends
async def test_a_second_holder_waits_for_the_first_and_names_it(tmp_path: Path) -> None:
    """Two holders of one lock file run one after the other; the waiter names host and pid."""
    lock = locks.file(tmp_path / "migrations.lock")
    order: list[str] = []
    reasons: list[str] = []

    async def first(lease: Lease) -> None:
        order.append("first in")
        await anyio.sleep(1.6)
        order.append("first out")

    async def second(lease: Lease) -> None:
        order.append("second in")

    async with anyio.create_task_group() as tg:
        tg.start_soon(run_exclusive, lock, print, first)
        await anyio.sleep(0.1)
        tg.start_soon(run_exclusive, lock, reasons.append, second)
    assert order == ["first in", "first out", "second in"]
    me = f"{socket.gethostname()} pid {os.getpid()}"
    assert reasons[0] == f"lock migrations.lock held by {me} for 0 s"
    assert f"lock migrations.lock held by {me} for 1 s" in reasons
    assert (tmp_path / "migrations.lock").read_text() == ""  # no holder left behind


async def test_replacing_the_lock_file_loses_the_lease(tmp_path: Path) -> None:
    """A lock file deleted under its holder would let a second holder in: the step stops."""
    path = tmp_path / "one.lock"

    async def attempt(lease: Lease) -> None:
        path.unlink()
        await anyio.sleep(5)

    with pytest.raises(LockLost, match="was removed or replaced"):
        await run_exclusive(locks.file(path, name="one"), print, attempt)


def test_lock_names_must_be_printable_and_present() -> None:
    """A name shows up in every waiting reason, so it must be readable."""
    with pytest.raises(ValueError, match="non-empty name"):
        locks.file("/tmp/x.lock", name=" ")
    with pytest.raises(ValueError, match="printable"):
        locks.file("/tmp/x.lock", name="a\nb")


def test_a_missing_driver_names_the_extra_to_install() -> None:
    """Without its driver a lock kind says which extra brings it, as targets do."""
    with pytest.raises(MissingExtraError) as caught:
        require("bootgate_no_such_driver", "postgres", "PostgreSQL locks")
    assert str(caught.value) == (
        "PostgreSQL locks need the 'bootgate_no_such_driver' module: "
        "pip install 'bootgate[postgres]'"
    )
    assert caught.value.extra == "postgres"
