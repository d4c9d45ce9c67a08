"""The stack benchmark's docker-compose case: a private dockerd, the stack exported, timed."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks._stack import GRAPH, spare_port, stack_file, wait_port
from bootgate.export import dump, to_compose
from bootgate.stack import load_stack
from tests.compose.docker import RECIPE, Dockerd, base_tarball, build_app_image

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "bootgate-bench:local"


def compose_startup(runs: int) -> list[float]:
    """`docker-compose up -d` of the exported stack until the UI's port accepts, `runs` times."""
    daemon = Dockerd().start()
    times = []
    try:
        base = f"bootgate-test-base:{RECIPE}"
        daemon.docker("import", str(base_tarball()), base)
        build_app_image(daemon, base, IMAGE, ROOT)
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(runs):
                ports = {name: spare_port() for name in GRAPH}
                path = stack_file(Path(tmp), ports, python="python3", image=IMAGE)
                compose = Path(tmp) / "compose.yaml"
                compose.write_text(dump(to_compose(load_stack(path), host_network=True)))
                project = ["-p", f"bench{run}", "-f", str(compose)]
                began = time.monotonic()
                daemon.compose(*project, "up", "-d")
                times.append(wait_port(ports["ui"]) - began)
                daemon.compose(*project, "down", "--timeout", "2", check=False)
    finally:
        daemon.stop()
    return times
