"""A Docker engine for the session (only when a test here needs one), and the S1 image."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.compose.docker import (
    COMPOSE,
    DOCKER,
    DOCKERD,
    RECIPE,
    Dockerd,
    base_tarball,
    build_app_image,
)
from tests.servers import absent

ROOT = Path(__file__).resolve().parents[2]
APP_IMAGE = "bootgate-s1:test"


@pytest.fixture(scope="session")
def dockerd() -> Iterator[Dockerd]:
    """Our own dockerd, with the S1 image built; everything removed afterwards."""
    for binary in (DOCKERD, DOCKER, COMPOSE):
        if not Path(binary).exists():
            absent(f"{binary} is missing (apt-get install docker.io docker-compose)")
    if (
        shutil.which("debootstrap") is None
        and not (Path("/var/cache/bootgate-tests") / f"{RECIPE}.tar").exists()
    ):
        absent("debootstrap is missing (apt-get install debootstrap)")
    daemon = Dockerd().start()
    try:
        base = f"bootgate-test-base:{RECIPE}"
        daemon.docker("import", str(base_tarball()), base)
        build_app_image(daemon, base, APP_IMAGE, ROOT)
        yield daemon
    finally:
        daemon.stop()
