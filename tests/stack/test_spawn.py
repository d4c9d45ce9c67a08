"""Spawning runs: users, directories, programs that cannot start, long lines, progress."""

from __future__ import annotations

import json
import os
from pathlib import Path

import anyio
import pytest

from bootgate import Phase
from tests.stack.helpers import output, py, running, stack_from, until

pytestmark = pytest.mark.anyio


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
async def test_a_process_runs_as_its_user(tmp_path: Path, marker: str) -> None:
    """`user` drops privileges: uid, gid, groups and HOME are the user's."""
    stack = stack_from(
        tmp_path,
        """
        [process.a]
        command = "sh -c 'echo $(id -un) $(id -g) $USER; exec sleep 60'"
        user = "nobody"
        ready = { log = "nobody" }
        """,
    )
    async with running(stack, marker) as run:
        await until(run, lambda s: s.ready, "ready")
    (line,) = [ln for ln in output(run) if ln.startswith("a ")]
    name, gid, user = line.split("| ")[1].split()
    assert (name, user) == ("nobody", "nobody")
    assert gid != "0"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ('command = "true"\ncwd = "absent"', "no such directory (cwd)"),
        ('command = "./script.sh"\ncwd = "."', "cannot execute ./script.sh: permission denied"),
        ('command = "./script.sh"', "command not found: ./script.sh"),
    ],
)
async def test_runs_that_cannot_start_fail_with_the_reason(
    tmp_path: Path, marker: str, fields: str, reason: str
) -> None:
    """What preflight catches on the command line is still a clear failure in the library."""
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "script.sh").write_text("#!/bin/sh\n")
    stack = stack_from(sub if "cwd" not in fields or "absent" in fields else tmp_path,
                       f"[process.a]\n{fields}\n")  # fmt: skip
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.failed, "failed")
    assert reason in (status.nodes["a"].reason or "")


async def test_long_lines_are_passed_on_in_pieces(tmp_path: Path, marker: str) -> None:
    """A process that never prints a newline cannot make the supervisor buffer without end."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.a]
        command = {py("import time; print('x' * 200000, end='', flush=True); time.sleep(60)")}
        """,
    )
    async with running(stack, marker) as run:
        await until(run, lambda s: s.ready, "ready")
        with anyio.fail_after(10):
            while sum(line.count("x") for line in output(run)) < 3 * 64 * 1024:
                await anyio.sleep(0.01)  # the output arrives in pieces
    assert max(len(line) for line in output(run)) <= 64 * 1024 + len("a        | ")


async def test_progress_lines_become_the_nodes_progress(tmp_path: Path, marker: str) -> None:
    """`progress` turns output lines into the node's progress while it starts."""
    gate = tmp_path / "go"
    code = f"""
    import os, time
    print("step 3/10 migrating", flush=True)
    print("step x/10 nonsense", flush=True)
    while not os.path.exists({str(gate)!r}):
        time.sleep(0.01)
    """
    stack = stack_from(
        tmp_path,
        f"""
        [process.migrate]
        command = {py(code)}
        progress = 'step (?P<done>\\S+)/(?P<total>\\d+) (?P<message>\\w+)'
        [process.app]
        command = {py("import time; time.sleep(60)")}
        requires = {{ migrate = "completed" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(
            run, lambda s: s.nodes["migrate"].progress is not None, "progress reported"
        )
        progress = status.nodes["migrate"].progress
        assert progress is not None
        assert (progress.done, progress.total, progress.message) == (3, 10, "migrating")
        assert status.nodes["migrate"].phase is Phase.STARTING
        gate.touch()
        await until(run, lambda s: s.ready, "ready")


async def test_the_stack_serves_http_in_process(tmp_path: Path, marker: str) -> None:
    """With an address, the run serves its endpoints and knows its URL."""
    stack = stack_from(tmp_path, f"[process.a]\ncommand = {py('import time; time.sleep(60)')}\n")
    async with running(stack, marker, http=True) as run:
        await until(run, lambda s: s.ready, "ready")
        assert run.url is not None
        with anyio.fail_after(10):
            stream = await anyio.connect_tcp("127.0.0.1", int(run.url.rsplit(":", 1)[1]))
            async with stream:
                await stream.send(b"GET /status HTTP/1.1\r\n\r\n")
                answer = b""
                try:
                    while True:
                        answer += await stream.receive()
                except anyio.EndOfStream:
                    pass
    document = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert document["status"] == "pass"
