"""Running stacks in tests: a stack file in a tmp dir, a captured console, a bounded wait."""

from __future__ import annotations

import io
import json
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing, asynccontextmanager
from pathlib import Path

import anyio

from bootgate import Status
from bootgate.stack import Console, Options, Stack, StackRun, load_stack

PY = sys.executable
#: Every wait in these tests is bounded: a stack that never gets there fails the test.
LIMIT = 20.0


def py(code: str) -> str:
    """A TOML array running `code` with this interpreter (for `command = ...`): JSON's
    strings are TOML's basic strings."""
    return json.dumps([PY, "-c", textwrap.dedent(code).strip()])


def write_stack(tmp: Path, text: str, name: str = "bootgate.toml") -> Path:
    """Write a stack file into `tmp`."""
    path = tmp / name
    path.write_text(textwrap.dedent(text))
    return path


def stack_from(tmp: Path, text: str, marker: str = "") -> Stack:
    """Write and load a stack file; `${MARK}` in it is the test's marker."""
    return load_stack(write_stack(tmp, text), {**os.environ, "MARK": marker})


class Captured(Console):
    """A plain console whose lines are kept in `lines`."""

    def __init__(self, stack: Stack, *, as_json: bool = False) -> None:
        self.buffer = io.StringIO()
        super().__init__(
            [p.name for p in stack.processes], stream=self.buffer, colour=False, as_json=as_json
        )

    @property
    def lines(self) -> list[str]:
        """Everything printed so far, one line each."""
        return self.buffer.getvalue().splitlines()


@asynccontextmanager
async def running(
    stack: Stack, marker: str, *, http: bool = False, signals: bool = False
) -> AsyncIterator[StackRun]:
    """Run `stack` in the background (every process gets BOOTGATE_TEST_MARK=marker); stop it
    on leaving the block, and wait for the run to end."""
    env = {**os.environ, "BOOTGATE_TEST_MARK": marker}
    run = StackRun(
        stack,
        Captured(stack),
        Options(signals=signals, env=env, http=("127.0.0.1", 0) if http else None),
    )
    async with anyio.create_task_group() as tg:

        async def go() -> None:
            await run.run()

        tg.start_soon(go)
        try:
            yield run
        finally:
            run.stop()


def output(run: StackRun) -> list[str]:
    """The lines a run started by `running()` printed."""
    console = run.console
    assert isinstance(console, Captured)
    return console.lines


async def until(run: StackRun, test: Callable[[Status], bool], what: str) -> Status:
    """The first status of the stack for which `test` is true (bounded by LIMIT)."""
    with anyio.fail_after(LIMIT):
        async with aclosing(run.view.subscribe()) as snapshots:
            async for status in snapshots:
                if test(status):
                    return status
    raise AssertionError(f"the stack ended before {what}")


async def finished(run: StackRun, code_holder: list[int] | None = None) -> None:
    """Wait (bounded) until every process of the run is done for good."""
    with anyio.fail_after(LIMIT):
        while not run.supervisor.finished:
            await run.supervisor.changed(run.supervisor.version)


def leftovers(marker: str) -> list[int]:
    """PIDs of live processes whose environment carries `marker`."""
    found = []
    needle = f"BOOTGATE_TEST_MARK={marker}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as file:
                environ = file.read()
            with open(f"/proc/{entry}/stat", "rb") as file:
                state = file.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != b"Z":
            found.append(int(entry))
    return found
