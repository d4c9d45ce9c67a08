"""What the locks share: loading a driver on demand, and who this process is."""

from __future__ import annotations

import hashlib
import importlib
import os
import socket
from types import ModuleType

from bootgate._errors import MissingExtraError


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import `module`, or raise MissingExtraError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        scheme = extra
        raise MissingExtraError(scheme, extra, module, feature=feature) from None


def this_host() -> str:
    """This machine's name as a waiter on another machine would want to read it."""
    return socket.gethostname() or "localhost"


def this_pid() -> int:
    """This process's id."""
    return os.getpid()


def stable_key(name: str) -> int:
    """A signed 64-bit number derived from `name`, the same in every process and release."""
    digest = hashlib.sha256(f"bootgate:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def check_name(name: str) -> str:
    """A lock name: non-empty, one line, printable (it appears in every waiting reason)."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a lock needs a non-empty name, e.g. 'gateway-migrations'")
    if not name.isprintable():
        raise ValueError(f"a lock name must be printable text on one line, got {name!r}")
    return name
