"""A private Docker engine for the tests: its own daemon, directories and socket, no registry.

`Dockerd` starts Debian's dockerd with its own --data-root, --exec-root and unix socket, without
touching iptables or making a bridge (every container uses the host's network, on loopback),
and on stop removes everything it created. Images are built locally: a Debian base from
debootstrap (cached as a tarball keyed by RECIPE, so later runs only `docker import` it), then
the project's code on top with a COPY-only Dockerfile. Nothing is ever pulled.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

DOCKER = "/usr/bin/docker"  # Debian's client, whatever else is on PATH
DOCKERD = "/usr/sbin/dockerd"
COMPOSE = "/usr/bin/docker-compose"
CACHE = Path(os.environ.get("BOOTGATE_TEST_CACHE", "/var/cache/bootgate-tests"))
#: What the base image holds; change it to rebuild the cached tarball.
PACKAGES = ("python3", "postgresql")
RECIPE = f"debian-bookworm-minbase-{'-'.join(PACKAGES)}-1"
MIRROR = "http://deb.debian.org/debian"
#: The project's runtime and the S1 example's imports, copied into the image.
MODULES = ("anyio", "sniffio", "idna", "typing_extensions", "psycopg", "psycopg_binary",
           "uvicorn", "click", "h11")  # fmt: skip


class Dockerd:
    """A dockerd of our own; `env` points docker and docker-compose at it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="bgd-", dir="/tmp"))
        self.socket = self.root / "docker.sock"
        self.env = {**os.environ, "DOCKER_HOST": f"unix://{self.socket}"}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> Dockerd:
        """Start the daemon and wait (bounded) until it answers."""
        log = open(self.root / "dockerd.log", "wb")  # noqa: SIM115 (kept open for the daemon)
        self.process = subprocess.Popen(
            [
                DOCKERD,
                f"--data-root={self.root / 'data'}",
                f"--exec-root={self.root / 'exec'}",
                f"--pidfile={self.root / 'dockerd.pid'}",
                f"-H=unix://{self.socket}",
                "--iptables=false",
                "--ip-masq=false",
                "--bridge=none",
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while self.docker("version", check=False).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dockerd did not start:\n" + self.log()[-2000:])
            time.sleep(0.2)  # polling the daemon's socket while it starts
        return self

    def docker(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run the docker client against this daemon."""
        return subprocess.run(
            [DOCKER, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def compose(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run docker-compose against this daemon."""
        return subprocess.run(
            [COMPOSE, *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def log(self) -> str:
        """The daemon's own log."""
        with contextlib.suppress(OSError):
            return (self.root / "dockerd.log").read_text(errors="replace")
        return ""

    def stop(self) -> None:
        """Remove every container, stop the daemon by its PID, unmount and delete its dirs."""
        if self.process is not None and self.process.poll() is None:
            ids = self.docker("ps", "-aq", check=False).stdout.split()
            if ids:
                self.docker("rm", "-f", *ids, check=False)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        for mount in reversed(_mounts_under(self.root)):
            subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _mounts_under(root: Path) -> list[str]:
    with open("/proc/mounts") as file:
        points = [line.split()[1] for line in file]
    return [p for p in points if p == str(root) or p.startswith(f"{root}/")]


def base_tarball() -> Path:
    """The Debian root file system as a tarball: from the cache, or built (debootstrap, about
    two minutes) and cached for the next run."""
    tarball = CACHE / f"{RECIPE}.tar"
    if tarball.exists():
        return tarball
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bootstrap-", dir=CACHE) as tmp:
        root = Path(tmp) / "root"
        subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}",
             "bookworm", str(root), MIRROR],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        partial = Path(tmp) / "base.tar"
        subprocess.run(
            ["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."],
            check=True, capture_output=True,
        )  # fmt: skip
        partial.replace(tarball)  # atomically: a half-written tarball is never "cached"
    return tarball


def build_app_image(dockerd: Dockerd, base: str, tag: str, project: Path) -> None:
    """`base` plus the project's code and its imports, at /opt/app and /opt/site, with a
    `bootgate` command on PATH. COPY only: the build needs no network."""
    with tempfile.TemporaryDirectory(prefix="bootgate-image-") as tmp:
        context = Path(tmp)
        site = context / "site"
        site.mkdir()
        for name in MODULES:
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                raise RuntimeError(f"{name} is not installed here")
            origin = Path(spec.origin)
            if origin.name == "__init__.py":
                shutil.copytree(origin.parent, site / name, ignore=_no_cache)
                libs = origin.parent.parent / f"{name}.libs"
                if libs.is_dir():  # auditwheel's bundled shared libraries
                    shutil.copytree(libs, site / libs.name)
            else:
                shutil.copy2(origin, site / origin.name)
        app = context / "app"
        shutil.copytree(project / "src", app / "src", ignore=_no_cache)
        shutil.copytree(project / "examples", app / "examples", ignore=_no_cache)
        (context / "bootgate").write_text('#!/bin/sh\nexec python3 -m bootgate.cli "$@"\n')
        (context / "bootgate").chmod(0o755)
        (context / "Dockerfile").write_text(
            f"FROM {base}\n"
            "COPY site /opt/site\n"
            "COPY app /opt/app\n"
            "COPY bootgate /usr/local/bin/bootgate\n"
            "ENV PYTHONPATH=/opt/site:/opt/app/src:/opt/app PYTHONUNBUFFERED=1\n"
            "WORKDIR /opt/app\n"
        )
        dockerd.env["DOCKER_BUILDKIT"] = "0"
        dockerd.docker("build", "-q", "--network=none", "-t", tag, str(context))


def _no_cache(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")]
