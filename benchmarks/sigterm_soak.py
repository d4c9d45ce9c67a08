"""SIGTERM at random moments of a startup: exit in time, reverse teardown, nothing left behind.

Each run starts `benchmarks/sigterm_app.py` (async, sync, async-generator and sync-generator
steps; the generators own a child process, the sync one also a file) and sends SIGTERM at a
random moment between 0 and 1.2 s, during startup or after ready. A run passes when the
service exits 0 within its grace period (5 s) plus 1 s, every step that became ready was torn
down in reverse order of readiness, no process carrying the run's token is left (a scan of
/proc), and no file is left.

    .venv/bin/python benchmarks/sigterm_soak.py [--runs 100]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a plain script
from benchmarks._peers import ROOT

GRACE = 5.0


def leftovers(token: str) -> list[int]:
    """PIDs of live processes whose command line holds `token`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = next(
                line for line in (entry / "status").read_text().splitlines() if "State" in line
            )
        except (OSError, StopIteration):
            continue
        if token.encode() in cmdline and "zombie" not in state:
            found.append(int(entry.name))
    return found


def one_run(rng: random.Random, directory: Path) -> list[str]:
    """One service, one SIGTERM; the list of what went wrong (empty: the run passed)."""
    token = f"soak-{uuid.uuid4().hex}"
    app = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sigterm_app", token, str(directory)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(rng.uniform(0.0, 1.2))
    app.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    problems = []
    try:
        out, _ = app.communicate(timeout=GRACE + 1)
    except subprocess.TimeoutExpired:
        app.kill()
        out, _ = app.communicate()
        problems.append("did not exit within the grace period")
    took = time.monotonic() - sent
    lines = out.splitlines()
    started = any(line.startswith("setup ") for line in lines)
    # SIGTERM before the service installed its handler ends it as it ends any program; that
    # is only correct while nothing has started yet.
    early = app.returncode == -signal.SIGTERM and not started
    if app.returncode != 0 and not early:
        problems.append(f"exit {app.returncode} after {took:.2f}s")
    ready = [line.split()[1] for line in lines if line.startswith("ready ")]
    torn = [line.split()[1] for line in lines if line.startswith("teardown ")]
    # A generator cancelled during its setup cleans up in its `finally` too: a teardown line
    # without a ready one. Those that were ready must all go, in reverse order of readiness.
    torn_ready = [name for name in torn if name in ready]
    if torn_ready != ready[::-1]:
        problems.append(f"ready {ready} but torn down {torn}")
    time.sleep(0.05)  # let a terminated child be reaped by its parent's wait
    left = leftovers(token)
    if left:
        problems.append(f"processes left: {left}")
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    files = list(directory.glob(f"*{token}"))
    if files:
        problems.append(f"files left: {[f.name for f in files]}")
    return ["(early)"] if early and not problems else problems


def main() -> None:
    """Run the soak and print a tally plus each failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(11)
    failures: list[tuple[int, list[str]]] = []
    early = 0
    with tempfile.TemporaryDirectory(prefix="bootgate-soak-") as top:
        for run in range(args.runs):
            problems = one_run(rng, Path(top))
            if problems == ["(early)"]:
                early += 1
            elif problems:
                failures.append((run, problems))
    print(
        f"SIGTERM soak: {args.runs} runs, {len(failures)} failed"
        f" ({early} ended by the signal before any step started)"
    )
    for run, problems in failures:
        print(f"  run {run}: {'; '.join(problems)}")


if __name__ == "__main__":
    main()
