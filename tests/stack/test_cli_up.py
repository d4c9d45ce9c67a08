"""`bootgate up` as a command: exit codes, signals, output, orphans, and the stack's own HTTP
endpoints, which `bootgate status` and `bootgate wait` use unchanged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bootgate.stack._reaper import children
from tests.stack.helpers import py, write_stack
from tests.stack.test_up import SLEEP, after_file

BOOTGATE = [sys.executable, "-m", "bootgate.cli"]
LIMIT = 20.0


def env_with(marker: str) -> dict[str, str]:
    """This environment plus the test marker (inherited by every process of the stack)."""
    return {**os.environ, "BOOTGATE_TEST_MARK": marker, "PYTHONUNBUFFERED": "1"}


@contextmanager
def up(path: Path, marker: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """`bootgate up PATH ARGS` in the background; killed (by PID) if the test leaves it."""
    proc = subprocess.Popen(
        [*BOOTGATE, "up", str(path), "--no-color", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env_with(marker),
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        assert proc.stdout is not None
        proc.stdout.close()


def read_until(proc: subprocess.Popen[str], needle: str) -> list[str]:
    """Lines of output up to and including the first that contains `needle` (bounded)."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if needle in line:
            return lines
    raise AssertionError(f"no {needle!r} in output:\n" + "\n".join(lines))


def finish(proc: subprocess.Popen[str]) -> tuple[int, list[str]]:
    """Wait for the command to end; its exit code and remaining output."""
    out, _ = proc.communicate(timeout=LIMIT)
    return proc.returncode, out.splitlines()


SIMPLE = f"""
[process.db]
command = {py("print('listening', flush=True); " + SLEEP)}
ready = {{ log = "listening" }}
[process.app]
command = {py("print('serving', flush=True); " + SLEEP)}
ready = {{ log = "serving" }}
requires = {{ db = "ready" }}
"""


def test_a_bad_file_is_exit_2_with_one_line_and_nothing_started(tmp_path: Path) -> None:
    """Validation happens before the first process starts: exit 2, one line on stderr."""
    witness = tmp_path / "started"
    path = write_stack(
        tmp_path,
        f"""
        [process.first]
        command = {py(f"open({str(witness)!r}, 'w')")}
        [process.ui]
        command = "true"
        requires = {{ gatewya = "ready" }}
        """,
    )
    done = subprocess.run([*BOOTGATE, "up", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert f"{path}: process ui: requires: unknown process 'gatewya'" in done.stderr
    assert not witness.exists()


def test_a_missing_program_is_found_before_anything_starts(tmp_path: Path) -> None:
    """The preflight looks each program up on PATH: a typo is exit 2 naming the field."""
    path = write_stack(tmp_path, '[process.db]\ncommand = "postgress -D data"\n')
    done = subprocess.run([*BOOTGATE, "up", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "process db: command: 'postgress' not found on PATH" in done.stderr


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 0), (signal.SIGINT, 130)])
def test_a_signal_stops_the_stack_in_reverse_order(
    tmp_path: Path, marker: str, signum: signal.Signals, code: int
) -> None:
    """SIGTERM (exit 0) or Ctrl-C (exit 130): app stops before db, nothing is left."""
    path = write_stack(tmp_path, SIMPLE)
    with up(path, marker) as proc:
        read_until(proc, "stack ready")
        proc.send_signal(signum)
        returncode, lines = finish(proc)
    assert returncode == code
    stopping = [line.split()[2] for line in lines if "stopping:" in line]
    assert stopping == ["app", "db"]


def test_json_output_is_one_object_per_line(tmp_path: Path, marker: str) -> None:
    """--json: output lines and events as JSON objects, for machines."""
    path = write_stack(tmp_path, SIMPLE)
    with up(path, marker, "--json") as proc:
        lines = read_until(proc, "stack ready")
        proc.send_signal(signal.SIGTERM)
        finish(proc)
    records = [json.loads(line) for line in lines]
    assert {"process": "db", "stream": "stdout", "line": "listening"}.items() <= records[
        next(i for i, r in enumerate(records) if r.get("line") == "listening")
    ].items()
    assert any(r.get("event") == "boot_ready" for r in records)


ORPHANS = """
import os, sys, time
if os.fork() == 0:                      # B
    if os.fork() == 0:                  # C: orphaned when B exits, leaves the group
        os.setsid()
        time.sleep(0.2)
        os._exit(0)                     # ... and exits: a zombie unless its new parent reaps it
    if os.fork() == 0:                  # D: orphaned too, and never exits by itself
        os.setsid()
        time.sleep(60)
        os._exit(0)
    os._exit(0)
print("listening", flush=True)
time.sleep(60)
"""


def test_orphans_are_reaped_and_killed_at_the_end(tmp_path: Path, marker: str) -> None:
    """Processes that escape their run's group are adopted: reaped when they exit (no
    zombies), killed when the stack stops (nothing left)."""
    path = write_stack(
        tmp_path,
        f"""
        [process.forker]
        command = {py(ORPHANS)}
        ready = {{ log = "listening" }}
        """,
    )
    with up(path, marker) as proc:
        read_until(proc, "stack ready")
        deadline = time.monotonic() + LIMIT
        # D is adopted; C exits after 0.2 s and must not stay a zombie.
        while time.monotonic() < deadline:
            states = children(proc.pid)
            adopted = [pid for pid, state in states.items() if state != "Z"]
            if len(states) == 2 and len(adopted) == 2:  # the python of forker, and D
                break
            time.sleep(0.05)  # polling another process's state
        assert sorted(children(proc.pid).values()).count("Z") == 0
        proc.send_signal(signal.SIGTERM)
        returncode, _ = finish(proc)
    assert returncode == 0


HUP = """
import signal, sys, time
signal.signal(signal.SIGHUP, lambda *_: print("got SIGHUP", flush=True))
print("listening", flush=True)
while True:
    time.sleep(1)
"""


def test_sighup_is_passed_on_to_every_process(tmp_path: Path, marker: str) -> None:
    """SIGHUP, SIGUSR1 and SIGUSR2 reach the processes (reload, log rotation) instead of
    stopping the stack."""
    path = write_stack(
        tmp_path,
        f"""
        [process.reloader]
        command = {py(HUP)}
        ready = {{ log = "listening" }}
        """,
    )
    with up(path, marker) as proc:
        read_until(proc, "stack ready")
        proc.send_signal(signal.SIGHUP)
        read_until(proc, "reloader | got SIGHUP")
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        returncode, _ = finish(proc)
    assert returncode == 0


def get(url: str) -> tuple[int, str]:
    """GET url: status and body (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_stack_serves_its_status_to_bootgate_status_and_wait(
    tmp_path: Path, marker: str
) -> None:
    """/readyz, /status and the stream for the whole stack; `bootgate status` shows why it is
    not ready and `bootgate wait …/readyz` returns once it is."""
    gate = tmp_path / "db-may-be-ready"
    path = write_stack(
        tmp_path,
        f"""
        [stack]
        name = "s1"
        http = "127.0.0.1:0"
        dashboard = true
        [process.db]
        command = {after_file(gate)}
        ready = {{ log = "listening" }}
        [process.app]
        command = {py("print('serving', flush=True); " + SLEEP)}
        ready = {{ log = "serving" }}
        requires = {{ db = "ready" }}
        """,
    )
    with up(path, marker) as proc:
        (line,) = [ln for ln in read_until(proc, "status on ") if "status on " in ln]
        base = line.split("status on ")[1].removesuffix("/status")
        assert get(base + "/readyz")[0] == 503
        assert get(base + "/livez")[0] == 200
        code, body = get(base + "/readyz?verbose")
        assert "[-]app pending: waiting for db" in body
        shown = subprocess.run(
            [*BOOTGATE, "status", base], capture_output=True, text=True, timeout=LIMIT
        )
        assert shown.returncode == 1
        assert "app" in shown.stdout
        waiter = subprocess.Popen(
            [*BOOTGATE, "wait", base + "/readyz", "--timeout", "20s"],
            stdout=subprocess.PIPE,
            text=True,
        )
        gate.touch()
        out, _ = waiter.communicate(timeout=LIMIT)
        assert waiter.returncode == 0, out
        code, body = get(base + "/status")
        assert code == 200
        document = json.loads(body)
        assert document["status"] == "pass"
        assert set(document["bootgate"]["nodes"]) >= {"db", "app"}
        assert get(base + "/elsewhere")[0] == 404
        assert get(base + "/bootgate")[0] == 200  # the dashboard, for loopback clients
        proc.send_signal(signal.SIGTERM)
        finish(proc)


def test_each_start_is_kept_in_the_history_for_analyze(tmp_path: Path, marker: str) -> None:
    """`bootgate up` records each startup (by default under XDG_STATE_HOME, or --history);
    `bootgate analyze` then prints its critical chain."""
    path = write_stack(tmp_path, SIMPLE)
    history = tmp_path / "history.sqlite"
    with up(path, marker, "--history", str(history)) as proc:
        read_until(proc, "stack ready")
        proc.send_signal(signal.SIGTERM)
        assert finish(proc)[0] == 0
    analyzed = subprocess.run(
        [*BOOTGATE, "analyze", str(history)], capture_output=True, text=True, timeout=LIMIT
    )
    assert analyzed.returncode == 0, analyzed.stderr
    chain = analyzed.stdout
    assert "app @+" in chain, chain
    assert "└─db @+" in chain, chain  # app waited on db: the critical chain
    state = Path(os.environ["XDG_STATE_HOME"]) / "bootgate"
    with up(path, marker) as proc:  # the default place
        read_until(proc, "stack ready")
        proc.send_signal(signal.SIGTERM)
        assert finish(proc)[0] == 0
    assert [p.suffix for p in state.iterdir() if p.suffix == ".sqlite"] == [".sqlite"]
