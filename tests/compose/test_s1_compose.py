"""Scenario S1 in real containers: `bootgate export compose` of the demo's stack, brought up
with docker-compose. The UI never shows a connection error; without the conditions, it does."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bootgate.export import dump, to_compose
from bootgate.stack import load_stack
from tests.compose.conftest import APP_IMAGE
from tests.compose.docker import Dockerd

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "examples" / "s1_stack" / "bootgate.toml"
LIMIT = 120.0


def spare_port() -> int:
    """A loopback port nobody listens on right now (containers use the host's network)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def exported(*, conditions: bool) -> dict[str, Any]:
    """The demo's stack as a Compose document on the host network, on spare ports; without
    `conditions`, the negative control: no depends_on at all."""
    env = {
        **os.environ,
        "IMAGE": APP_IMAGE,
        "PYTHON": "python3",
        "PG_BIN": "/usr/lib/postgresql/15/bin",
        "PG_DATA": "/tmp/pgdata",
        "PG_OS_USER": "postgres",
        "PG_PORT": str(spare_port()),
        "GATEWAY_PORT": str(spare_port()),
        "UI_PORT": str(spare_port()),
        "MIGRATION_DELAY": "0.05",
    }
    document = to_compose(load_stack(STACK, env), host_network=True)
    if not conditions:
        for service in document["services"].values():
            service.pop("depends_on", None)
    return document


def run_stack(dockerd: Dockerd, tmp_path: Path, document: dict[str, Any], name: str) -> str:
    """`docker-compose up -d`, then the UI's logs once it has rendered (or given up)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(dump(document))
    assert yaml.safe_load(path.read_text()) == document
    base = ["-p", name, "-f", str(path)]
    try:
        started = dockerd.compose(*base, "up", "-d", "--no-build", check=False, timeout=LIMIT)
        assert started.returncode == 0, started.stderr[-4000:] + _all_logs(dockerd, base)
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            logs = dockerd.compose(*base, "logs", "--no-color", "ui", check=False).stdout
            if "UI shows" in logs:
                return logs
            time.sleep(0.5)  # polling docker-compose logs
        states = dockerd.compose(*base, "ps", check=False).stdout
        raise AssertionError(f"the UI never rendered:\n{states}\n{_all_logs(dockerd, base)}")
    finally:
        dockerd.compose(*base, "down", "--timeout", "5", check=False, timeout=LIMIT)


@pytest.mark.slow
def test_s1_under_compose_with_conditions_never_shows_an_error(
    dockerd: Dockerd, tmp_path: Path
) -> None:
    """db (healthy by `bootgate check`), migrate (completed), gateway (healthy), then ui:
    the UI's first look at the gateway shows the packages."""
    logs = run_stack(dockerd, tmp_path, exported(conditions=True), "s1ordered")
    assert "UI shows 24 packages" in logs
    assert "UI shows an error" not in logs


@pytest.mark.slow
def test_s1_under_compose_without_conditions_shows_an_error(
    dockerd: Dockerd, tmp_path: Path
) -> None:
    """Negative control: the same services started at once, and the UI shows the error."""
    logs = run_stack(dockerd, tmp_path, exported(conditions=False), "s1unordered")
    assert "UI shows an error" in logs


def _all_logs(dockerd: Dockerd, base: list[str]) -> str:
    return str(dockerd.compose(*base, "logs", "--no-color", check=False).stdout[-4000:])
