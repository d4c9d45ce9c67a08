"""Peers for the waiting benchmarks, installed on first use into ~/.cache/bootgate-bench.

- Debian `wait-for-it` (bash; `apt-get install wait-for-it`, needs root the first time)
- PyPI `wait-for-it` (Python; in its own venv, so bootgate's venv stays as it is)
- npm `wait-on` (Node.js; default 250 ms interval)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("BOOTGATE_BENCH_CACHE", Path.home() / ".cache" / "bootgate-bench"))
ROOT = Path(__file__).resolve().parent.parent
BOOTGATE = str(Path(sys.executable).parent / "bootgate")
PYTHON = sys.executable


def debian_wait_for_it() -> str | None:
    """Path of Debian's wait-for-it script (installing it with apt if we can)."""
    found = shutil.which("wait-for-it")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wait-for-it"], capture_output=True)
        found = shutil.which("wait-for-it")
    return found


def pypi_wait_for_it() -> str | None:
    """Path of PyPI's wait-for-it (2.3.0) in a venv of its own."""
    venv = CACHE / "pypi-venv"
    exe = venv / "bin" / "wait-for-it"
    if not exe.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "wait-for-it==2.3.0"],
            capture_output=True,
        )
    return str(exe) if exe.exists() else None


def wait_on() -> str | None:
    """Path of npm's wait-on (9.x)."""
    exe = CACHE / "node" / "node_modules" / ".bin" / "wait-on"
    if not exe.exists() and shutil.which("npm"):
        (CACHE / "node").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "wait-on@9"],
            cwd=CACHE / "node",
            capture_output=True,
        )
    return str(exe) if exe.exists() else None
