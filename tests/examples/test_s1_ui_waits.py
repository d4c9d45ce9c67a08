"""Scenario S1 end to end: a UI started behind `bootgate wait` never shows a connection error."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.examples.uvicorn_server import ROOT, spare_port, uvicorn

GATEWAY = "examples.s1_gateway.demo:asgi_app"
UI = [sys.executable, "-m", "examples.s1_gateway.ui"]


def run_ui(port: int, *, wait: bool) -> subprocess.CompletedProcess[str]:
    """Start the UI the moment the gateway process starts, with or without `bootgate wait`."""
    env = {
        **os.environ,
        "GATEWAY_URL": f"http://127.0.0.1:{port}",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    prefix = (
        [sys.executable, "-m", "bootgate.cli", "wait", f"http://127.0.0.1:{port}/readyz", "--"]
        if wait
        else []
    )
    with uvicorn(GATEWAY, port, {"MIGRATION_DELAY": "0.05"}):
        return subprocess.run(
            prefix + UI, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )


def test_the_ui_behind_bootgate_wait_shows_the_packages() -> None:
    """Started through `bootgate wait …/readyz`, the UI's first request already succeeds."""
    done = run_ui(spare_port(), wait=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "UI shows 24 packages" in done.stdout
    assert "ready http://127.0.0.1:" in done.stdout + done.stderr


def test_without_waiting_the_ui_shows_an_error() -> None:
    """Negative control: the same UI started at once shows a connection error or a 503."""
    done = run_ui(spare_port(), wait=False)
    assert done.returncode == 1
    assert "UI shows an error" in done.stdout
