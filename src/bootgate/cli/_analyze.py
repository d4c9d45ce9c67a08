"""`bootgate analyze URL|FILE [--svg PATH]`: what decided how long the last startup took.

Prints the critical chain like `systemd-analyze critical-chain` (each node with when it
became ready, `@+1.234s`, and how long it took, `+0.500s`), the slowest nodes like
`systemd-analyze blame`, the nodes that did not become ready and any regression warnings;
`--svg` writes the timeline (a Gantt chart like `systemd-analyze plot`).

The source is a running bootgate service (its URL or /status URL), a history file written by
`bootgate.observe.History`, or a saved /status document (JSON).

Exit codes: 0 done, 1 the service cannot be reached, 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import http.client
import json
from datetime import UTC, datetime
from pathlib import Path

from bootgate import ConfigError, redact
from bootgate.observe import (
    HistoryError,
    HistoryFile,
    Startup,
    chain_lines,
    critical_chain,
    from_document,
    slowest,
    timeline_svg,
)
from bootgate.probes.follow import fetch_status

from ._options import UsageError
from ._output import err, out
from ._status import status_urls

UNREACHABLE = 1
_SQLITE = b"SQLite format 3\x00"
_UNFINISHED = {"failed", "blocked", "degraded", "stopped"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `bootgate analyze`."""
    parser.add_argument(
        "source",
        metavar="URL|FILE",
        help="a bootgate service (its URL or /status URL), a history file, or a saved /status",
    )
    parser.add_argument("--svg", metavar="PATH", help="write the startup's timeline as SVG here")
    parser.add_argument(
        "--service", help="in a history file with several services, the one to analyze"
    )
    parser.add_argument(
        "--slowest", type=int, default=10, metavar="N", help="how many slowest nodes to list"
    )


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """The `bootgate analyze` subcommand."""
    if command:
        raise UsageError("analyze runs no command")
    source: str = namespace.source
    try:
        startup = load(source, namespace.service)
    except (OSError, http.client.HTTPException) as exc:
        err(f"cannot read the status of {redact(source)}: {exc}")
        return UNREACHABLE
    for line in report(startup, slowest_count=namespace.slowest):
        out(line)
    if namespace.svg:
        path = Path(namespace.svg)
        try:
            path.write_text(timeline_svg(startup, critical_chain(startup.nodes)))
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        out(f"timeline written to {path}")
    return 0


def load(source: str, service: str | None = None) -> Startup:
    """The last startup at `source`: a service URL, a history file or a /status JSON file.

    UsageError for input that is not one of them; OSError when a service cannot be reached.
    """
    if "://" in source:
        try:
            status_url, _ = status_urls(source)
        except ConfigError as exc:
            raise UsageError(str(exc).replace("status:", "analyze:", 1)) from None
        try:
            return from_document(fetch_status(status_url))
        except ValueError as exc:
            raise UsageError(f"{redact(source)}: {exc}") from None
    path = Path(source)
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head == _SQLITE:
        try:
            startup = HistoryFile(path).last(service)
        except HistoryError as exc:
            raise UsageError(str(exc)) from None
        if startup is None:
            whose = f" of {service!r}" if service else ""
            raise UsageError(f"{path}: no startups{whose} recorded yet")
        return startup
    try:
        return from_document(json.loads(path.read_text()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{path}: neither a history file nor a bootgate status document ({exc})"
        ) from None


def report(startup: Startup, *, slowest_count: int = 10) -> list[str]:
    """The lines `bootgate analyze` prints for `startup`."""
    lines = [_headline(startup), ""]
    chain = critical_chain(startup.nodes)
    if chain:
        lines.append(
            'The time when a node became ready is printed after "@", how long it took after "+".'
        )
        lines.append("")
        lines.extend(chain_lines(chain))
    else:
        lines.append("No node has become ready yet: there is no critical chain.")
    slow = slowest(startup.nodes, slowest_count)
    if slow:
        lines.extend(["", "Slowest nodes:"])
        width = max(len(f"{n.took_s or 0.0:.3f}") for n in slow)
        for node in slow:
            attempts = f"  ({node.attempts} attempts)" if node.attempts > 1 else ""
            lines.append(f"  {node.took_s or 0.0:>{width}.3f}s {node.name}{attempts}")
    unfinished = [n for n in startup.nodes if n.phase in _UNFINISHED and n.ready_s is None]
    if unfinished:
        lines.extend(["", "Not ready:"])
        lines.extend(
            f"  {n.name}: {n.phase}" + (f": {n.reason}" if n.reason else "") for n in unfinished
        )
    warnings = [n.warning for n in startup.nodes if n.warning]
    if warnings:
        lines.extend(["", "Slower than usual:"])
        lines.extend(f"  {w}" for w in warnings)
    return [redact(line) for line in lines]


def _headline(startup: Startup) -> str:
    began = ""
    if startup.began_wall:
        when = datetime.fromtimestamp(startup.began_wall, UTC).isoformat(timespec="seconds")
        began = f" (began {when.replace('+00:00', 'Z')})"
    if startup.outcome == "ready" and startup.ended_s is not None:
        state = f"ready after {startup.ended_s:.3f}s"
    elif startup.outcome == "starting":
        state = f"still starting after {startup.span_s:.3f}s"
    elif startup.outcome == "stopped":
        state = "shut down before it was ready"
    else:
        state = "failed: startup could not complete"
    return f"{startup.service}: {state}{began}"
