"""What the three exports share: images, targets as seen from elsewhere, durations, errors."""

from __future__ import annotations

import math
from urllib.parse import urlsplit, urlunsplit

from bootgate.stack import Process, Stack, StackFileError, TargetCheck

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: bootgate's own endpoints: a target ending so is a bootgate service.
BOOTGATE_SUFFIXES = ("/readyz", "/status", "/status/stream", "/livez", "/startupz")


class ExportError(StackFileError):
    """A stack file that the chosen engine cannot express as written (one line, exit 2)."""


def fail(stack: Stack, process: Process | None, field: str, problem: str) -> ExportError:
    """An ExportError naming the file, process and field."""
    return ExportError(stack.path, problem, process=process.name if process else None, field=field)


def image(stack: Stack, process: Process) -> str:
    """The process's image, which every export needs."""
    if process.image is None:
        raise fail(
            stack, process, "image", "required by `bootgate export` (what the process runs in)"
        )
    return process.image


def ready_target(process: Process) -> str | None:
    """The process's ready target (None for a log pattern or no check)."""
    return process.ready.target if isinstance(process.ready, TargetCheck) else None


def elsewhere(target: str, host: str) -> str:
    """`target` as another container reaches it: a loopback host becomes `host` (the
    process's service name); anything else is left as written."""
    parts = urlsplit(target)
    if parts.hostname not in LOOPBACK:
        return target
    userinfo = parts.netloc.rpartition("@")[0]
    port = f":{parts.port}" if parts.port is not None else ""
    netloc = (f"{userinfo}@" if userinfo else "") + host + port
    return urlunsplit(parts._replace(netloc=netloc))


def is_bootgate_service(target: str) -> bool:
    """True for http(s) targets on one of bootgate's own endpoints."""
    parts = urlsplit(target)
    return parts.scheme in ("http", "https") and parts.path.rstrip("/").endswith(BOOTGATE_SUFFIXES)


def port_of(target: str) -> int | None:
    """The port a target names (or its scheme's default)."""
    parts = urlsplit(target)
    if parts.port is not None:
        return parts.port
    return {"http": 80, "https": 443, "postgres": 5432, "postgresql": 5432}.get(parts.scheme)


def go_duration(seconds: float) -> str:
    """A duration as Docker, Compose and Nomad write it: "10s", "1m30s", "250ms"."""
    if seconds < 1 or not float(seconds).is_integer():
        return f"{math.ceil(seconds * 1000)}ms"
    whole = int(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest}s" if minutes and rest else f"{minutes}m" if minutes else f"{rest}s"


def check_command(target: str) -> list[str]:
    """`bootgate check TARGET`: one attempt, exit 0 when ready (for exec health checks)."""
    return ["bootgate", "check", target]
