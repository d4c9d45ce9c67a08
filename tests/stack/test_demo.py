"""The main demo: scenario S1 as a stack, bounded with --serve-for, as CI runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import need
from tests.stack.helpers import leftovers
from tests.stack.test_cli_up import env_with

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_demo_stack_comes_up_in_order_and_stops_cleanly(marker: str) -> None:
    """PostgreSQL, migrations, gateway, UI: the UI's first look shows the packages, the stack
    reports ready, and --serve-for ends it with nothing left running."""
    need("postgres")
    args = ["--migration-delay", "0.02", "--serve-for", "0.5"]
    for flag in ("--port", "--gateway-port", "--stack-port"):
        args += [flag, str(_port())]
    done = subprocess.run(
        [sys.executable, "-m", "examples.s1_stack.demo", *args],
        cwd=ROOT,
        env={**env_with(marker), "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "ui       | UI shows 24 packages" in out
    order = [out.index(f"bootgate | {name} started") for name in ("db", "migrate", "gateway")]
    order += [out.index("bootgate | migrate completed after"), out.index("bootgate | ui started")]
    order.sort(key=lambda i: i)  # completed comes between migrate and gateway starting
    assert out.index("bootgate | migrate completed") < out.index("bootgate | gateway started")
    assert order == sorted(order)
    assert "bootgate | stack ready after" in out
    assert "UI shows an error" not in out
    assert leftovers(marker) == []


def _port() -> int:
    from tests.stack.test_up import _free_port

    return _free_port()
