"""Stacks of real processes: order, conditions, failures that reach dependents at once,
restarts that satisfy conditions again, readiness lowered while a process restarts."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import anyio
import pytest

from bootgate import Phase
from tests.stack.helpers import finished, output, py, running, stack_from, until

pytestmark = pytest.mark.anyio

SLEEP = "import time; time.sleep(60)"
#: A process that says "listening" once the file named by its first argument exists.
AFTER_FILE = """
import os, sys, time
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
print("listening", flush=True)
time.sleep(60)
"""


def after_file(path: Path) -> str:
    """A command (TOML array) that becomes ready (prints "listening") once `path` exists."""
    return py(AFTER_FILE)[:-1] + f', "{path}"]'


async def test_processes_start_in_order_and_stop_in_reverse(tmp_path: Path, marker: str) -> None:
    """migrate runs once db is ready, app once migrate completed; stop goes app, db."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.db]
        command = {py("print('listening', flush=True); " + SLEEP)}
        ready = {{ log = "listening" }}
        [process.migrate]
        command = {py("print('migrated')")}
        requires = {{ db = "ready" }}
        [process.app]
        command = {py("print('serving', flush=True); " + SLEEP)}
        ready = {{ log = "serving" }}
        requires = {{ migrate = "completed", db = "ready" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.ready, "ready")
        nodes = status.nodes
        assert nodes["db"].ready_s is not None
        assert nodes["migrate"].ready_s is not None
        assert nodes["app"].ready_s is not None
        assert nodes["db"].ready_s <= nodes["migrate"].started_s <= nodes["migrate"].ready_s  # type: ignore[operator]
        assert nodes["migrate"].ready_s <= nodes["app"].started_s  # type: ignore[operator]
    lines = output(run)
    assert lines.index("migrate  | migrated") < lines.index("app      | serving")
    stops = [line.split()[2] for line in lines if "stopping:" in line]
    assert stops == ["app", "db"]


async def test_a_failed_requirement_fails_its_dependents_at_once(
    tmp_path: Path, marker: str
) -> None:
    """No dependent stays pending: ui and gateway are blocked the moment migrate fails, with
    the chain and both ends named, and the stack gives up by itself (exit 3)."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.migrate]
        command = {py("import sys; print('boom'); sys.exit(1)")}
        [process.gateway]
        command = {py(SLEEP)}
        requires = {{ migrate = "completed" }}
        [process.ui]
        command = {py(SLEEP)}
        requires = {{ gateway = "started" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.failed, "failed")
        assert status.nodes["migrate"].phase is Phase.FAILED
        assert status.nodes["gateway"].phase is Phase.BLOCKED
        assert status.nodes["ui"].phase is Phase.BLOCKED
        (chain,) = status.failures()
        assert chain.startswith("ui ← gateway ← migrate: failed: ")
        assert "exited with status 1 (restart = no)" in chain
        assert "requires migrate, but migrate failed" in (status.nodes["gateway"].reason or "")
        with anyio.fail_after(10):
            while not run.ended:
                await run.supervisor.changed(run.supervisor.version)
    assert run.code == 3


async def test_a_ready_process_that_exits_fails_what_needs_it_ready(
    tmp_path: Path, marker: str
) -> None:
    """A process that exits (status 0) before its ready check passed can never be ready."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.api]
        command = {py("print('bye')")}
        ready = {{ log = "listening" }}
        restart = "on-failure"
        [process.ui]
        command = {py(SLEEP)}
        requires = {{ api = "ready" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.failed, "failed")
    reason = status.nodes["api"].reason or ""
    assert "exited with status 0 before it was ready" in reason
    assert "on-failure restarts only a failure" in reason
    assert status.nodes["ui"].phase is Phase.BLOCKED


async def test_a_process_that_cannot_be_started_fails_with_the_reason(
    tmp_path: Path, marker: str
) -> None:
    """A missing program is a permanent failure of its node, not a crash of the stack."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.db]
        command = ["no-such-program-here", "-x"]
        [process.app]
        command = {py(SLEEP)}
        requires = {{ db = "started" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.failed, "failed")
    assert "command not found: no-such-program-here" in (status.nodes["db"].reason or "")
    assert status.nodes["app"].phase is Phase.BLOCKED


async def test_a_restart_satisfies_the_condition_again(tmp_path: Path, marker: str) -> None:
    """A process that crashes on its first run and is ready on its second lets its dependent
    start (the condition is evaluated on the new run, not stuck on the old one)."""
    count = tmp_path / "runs"
    flaky = f"""
    import sys, time, pathlib
    p = pathlib.Path({str(count)!r}); n = int(p.read_text()) + 1 if p.exists() else 1
    p.write_text(str(n))
    if n == 1:
        sys.exit(7)
    print("listening", flush=True); time.sleep(60)
    """
    stack = stack_from(
        tmp_path,
        f"""
        [process.db]
        command = {py(flaky)}
        ready = {{ log = "listening" }}
        restart = {{ policy = "on-failure", limit = 3, interval = "10ms" }}
        [process.app]
        command = {py("print('app started', flush=True); " + SLEEP)}
        ready = {{ log = "app started" }}
        requires = {{ db = "ready" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.ready, "ready")
    assert status.nodes["db"].attempts == 2
    assert "app      | app started" in output(run)
    assert any("exited with status 7" in line for line in output(run))


async def test_restarts_stop_at_the_limit(tmp_path: Path, marker: str) -> None:
    """A process that always fails is run 1 + limit times, then fails for good."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.db]
        command = {py("import sys; sys.exit(3)")}
        ready = {{ log = "listening" }}
        restart = {{ policy = "always", limit = 2, interval = "10ms" }}
        [process.app]
        command = {py(SLEEP)}
        requires = {{ db = "ready" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.failed, "failed")
    db = status.nodes["db"]
    assert db.attempts == 3
    assert "exited with status 3 (gave up after 3 runs)" in (db.reason or "")
    assert sum("db started (pid" in line for line in output(run)) == 3


async def test_readiness_is_lowered_while_a_ready_process_restarts(
    tmp_path: Path, marker: str
) -> None:
    """gateway crashes after it was ready: the stack is not ready until its new run is, the
    node says why meanwhile, and a dependent that becomes runnable in that window (its other
    requirement got ready) waits for gateway to be ready again before it starts."""
    gate = tmp_path / "slow-may-start"
    stack = stack_from(
        tmp_path,
        f"""
        [process.gateway]
        command = {py("print('listening', flush=True); " + SLEEP)}
        ready = {{ log = "listening" }}
        restart = {{ policy = "on-failure", limit = 3, interval = "1s", max_interval = "1s" }}
        [process.slow]
        command = {after_file(gate)}
        ready = {{ log = "listening" }}
        [process.late]
        command = {py("print('late started', flush=True); " + SLEEP)}
        ready = {{ log = "late started" }}
        requires = {{ gateway = "ready", slow = "ready" }}
        """,
    )
    async with running(stack, marker) as run:
        await until(run, lambda s: s.nodes["gateway"].phase is Phase.READY, "gateway ready")
        first = run.supervisor.runs["gateway"].pid
        os.kill(first, signal.SIGKILL)
        status = await until(
            run, lambda s: "restart 1 of 3" in (s.nodes["gateway"].error or ""), "restarting"
        )
        assert status.nodes["gateway"].phase is Phase.WAITING
        assert (status.nodes["gateway"].error or "").startswith("killed by SIGKILL; restart 1 of 3")
        assert not status.ready
        assert not run.view.ready
        gate.touch()  # slow becomes ready while gateway is down
        await until(run, lambda s: s.nodes["slow"].phase is Phase.READY, "slow ready")
        assert "late      | late started" not in output(run)
        status = await until(run, lambda s: s.ready, "ready again")
        assert run.supervisor.runs["gateway"].pid != first
        late_at = status.nodes["late"].started_s
    lines = output(run)
    back = next(i for i, line in enumerate(lines) if "gateway ready again, run 2" in line)
    assert back < lines.index("late     | late started")
    assert late_at is not None


async def test_a_process_that_is_no_longer_live_is_restarted(tmp_path: Path, marker: str) -> None:
    """`live` checks a ready process; after `failures` misses in a row its run is stopped and
    restarted per its policy."""
    port_file = tmp_path / "port"
    server = f"""
    import socket, time, pathlib
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
    p = pathlib.Path({str(port_file)!r})
    if not p.exists():
        p.write_text(str(s.getsockname()[1]))
        print("listening", flush=True)
        time.sleep(0.2); s.close()  # stops answering: no longer live
        time.sleep(60)
    print("listening", flush=True); time.sleep(60)
    """
    port = _free_port()
    stack = stack_from(
        tmp_path,
        f"""
        [process.api]
        command = {py(server.replace('("127.0.0.1", 0)', f'("127.0.0.1", {port})'))}
        ready = {{ log = "listening" }}
        live = {{ target = "tcp://127.0.0.1:{port}", interval = "50ms", failures = 2 }}
        restart = {{ policy = "on-failure", interval = "10ms" }}
        """,
    )
    async with running(stack, marker) as run:
        await until(run, lambda s: s.ready, "ready")
        with anyio.fail_after(10):
            while run.supervisor.lives["api"].runs < 2:
                await run.supervisor.changed(run.supervisor.version)
    assert any("api not live: " in line and "2 checks in a row" in line for line in output(run))


async def test_a_dependent_of_started_does_not_wait_for_ready(tmp_path: Path, marker: str) -> None:
    """`started` of a process with a ready check is its own condition: met at spawn."""
    gate = tmp_path / "db-may-be-ready"
    stack = stack_from(
        tmp_path,
        f"""
        [process.db]
        command = {after_file(gate)}
        ready = {{ log = "listening" }}
        [process.tail]
        command = {py("print('tailing', flush=True); " + SLEEP)}
        requires = {{ db = "started" }}
        """,
    )
    async with running(stack, marker) as run:
        status = await until(run, lambda s: s.nodes["tail"].phase is Phase.READY, "tail up")
        assert status.nodes["db"].phase is not Phase.READY
        assert "db.started" in status.nodes
        gate.touch()
        await until(run, lambda s: s.ready, "ready")


async def test_a_stack_of_tasks_ends_by_itself(tmp_path: Path, marker: str) -> None:
    """When every process is done for good, the run ends: 0 if all exited with status 0."""
    stack = stack_from(
        tmp_path,
        f"""
        [process.one]
        command = {py("print(1)")}
        [process.two]
        command = {py("print(2)")}
        requires = {{ one = "completed" }}
        """,
    )
    async with running(stack, marker) as run:
        await finished(run)
        with anyio.fail_after(10):
            while not run.view.status().stopping:
                await run.supervisor.changed(run.supervisor.version)
    assert run.code == 0
    assert output(run).index("one      | 1") < output(run).index("two      | 2")


async def test_stop_signals_the_group_and_kills_after_the_grace(
    tmp_path: Path, marker: str
) -> None:
    """A process that ignores its stop signal is killed after its grace, and a child it
    started in its process group goes with it."""
    stubborn = """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    print("listening", flush=True)
    time.sleep(60)
    """
    stack = stack_from(
        tmp_path,
        f"""
        [process.stubborn]
        command = {py(stubborn)}
        ready = {{ log = "listening" }}
        stop = {{ grace = "300ms" }}
        """,
    )
    async with running(stack, marker) as run:
        await until(run, lambda s: s.ready, "ready")
    assert any("stubborn stopped (killed by SIGKILL)" in line for line in output(run))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_signals_in_process_pass_on_hup_and_stop_on_int(tmp_path: Path, marker: str) -> None:
    """With `signals`, SIGHUP goes to every process and SIGINT stops the stack (exit 130)."""
    hup = """
    import signal, time
    signal.signal(signal.SIGHUP, lambda *_: print("got SIGHUP", flush=True))
    print("listening", flush=True)
    while True:
        time.sleep(1)
    """
    stack = stack_from(
        tmp_path,
        f"""
        [process.a]
        command = {py(hup)}
        ready = {{ log = "listening" }}
        """,
    )
    async with running(stack, marker, signals=True) as run:
        await until(run, lambda s: s.ready, "ready")
        os.kill(os.getpid(), signal.SIGHUP)
        with anyio.fail_after(10):
            while "a        | got SIGHUP" not in output(run):
                await anyio.sleep(0.01)  # the process's answer arrives through its pipe
        os.kill(os.getpid(), signal.SIGINT)
        with anyio.fail_after(10):
            while not run.view.status().stopping:
                await run.supervisor.changed(run.supervisor.version)
    assert run.code == 130
