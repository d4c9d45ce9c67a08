"""Shared by the stack benchmarks: a stack file of small servers, ports, timing helpers."""

from __future__ import annotations

import json
import socket
import sys
import textwrap
import time
from pathlib import Path

#: name: (seconds before it listens (or exits, for a task), requirements)
GRAPH: dict[str, tuple[float, dict[str, str]]] = {
    "db": (0.3, {}),
    "cache": (0.2, {}),
    "migrate": (0.5, {"db": "ready"}),
    "gateway": (0.2, {"migrate": "completed", "cache": "ready"}),
    "ui": (0.1, {"gateway": "ready"}),
}
CRITICAL = ("db", "migrate", "gateway", "ui")
TASKS = {"migrate"}

SERVER = """
import socket, sys, time
time.sleep(float(sys.argv[1]))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2]))); s.listen(64)
print("listening", flush=True)
time.sleep(600)
"""
TASK = "import sys, time; time.sleep(float(sys.argv[1]))"


def spare_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def argv(name: str, port: int, python: str = sys.executable) -> list[str]:
    """The command of one process of GRAPH."""
    seconds = GRAPH[name][0]
    if name in TASKS:
        return [python, "-c", TASK, str(seconds)]
    return [python, "-c", textwrap.dedent(SERVER), str(seconds), str(port)]


def stack_file(
    directory: Path, ports: dict[str, int], *, python: str = sys.executable, image: str = "x"
) -> Path:
    """GRAPH as a stack file: servers ready when their port accepts (tcp targets, so the
    same file exports to Compose healthchecks)."""
    lines = ['[stack]\nname = "bench"\n']
    for name, (_, requires) in GRAPH.items():
        lines.append(f"[process.{name}]")
        lines.append(f"image = {json.dumps(image)}")
        lines.append(f"command = {json.dumps(argv(name, ports[name], python))}")
        if name not in TASKS:
            lines.append(f'ready = "tcp://127.0.0.1:{ports[name]}"')
        if requires:
            inner = ", ".join(f'{k} = "{v}"' for k, v in requires.items())
            lines.append(f"requires = {{ {inner} }}")
        lines.append('stop = { grace = "2s" }\n')
    path = directory / "bench.toml"
    path.write_text("\n".join(lines))
    return path


def wait_port(port: int, limit: float = 60.0) -> float:
    """Block until 127.0.0.1:port accepts (polled every 1 ms); the monotonic time it did."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return time.monotonic()
        time.sleep(0.001)
    raise TimeoutError(f"nothing listens on {port}")
