"""`bootgate status URL [--watch] [--json]`: what a bootgate service is doing, in a terminal.

One look reads GET <service>/status (application/health+json); --watch follows
<service>/status/stream (Server-Sent Events) and redraws on every change until the service is
ready or cannot start. Both go through bootgate's one HTTP client and SSE parser on a blocking
socket (`bootgate.probes.follow`): no event loop.

Exit codes: 0 ready, 1 not ready (or not reachable), 2 bad usage, 3 cannot start, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys

from bootgate import ConfigError, format_duration, redact
from bootgate.probes import parse_target
from bootgate.probes.follow import fetch_status, stream_status

from ._output import err, safe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

READY, NOT_READY, USAGE, FAILED = 0, 1, 2, 3

_MARKS = {
    "ready": "✔",
    "failed": "✘",
    "blocked": "⊘",
    "degraded": "!",
    "starting": "▶",
    "retrying": "↻",
    "waiting": "…",
    "stopping": "■",
    "stopped": "■",
}


def status_urls(url: str) -> tuple[str, str]:
    """The status document's URL and the stream's, from a service URL or its /status URL."""
    target = parse_target(url)  # ConfigError, one line, for anything malformed
    if target.scheme not in ("http", "https"):
        raise ConfigError(f"status: {target.display} is not an http:// or https:// URL")
    # The authority as written (it may carry credentials for Basic auth), the path as parsed.
    authority = target.raw.split("://", 1)[1].split("#", 1)[0].split("?", 1)[0].split("/", 1)[0]
    path = target.path.rstrip("/")
    for suffix in ("/status/stream", "/status", "/readyz", "/livez", "/startupz"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    base = f"{target.scheme}://{authority}{path}"
    return f"{base}/status", f"{base}/status/stream"


def render(document: dict[str, Any]) -> list[str]:
    """Lines for people: headline, a line per node with a progress bar, the blocking chains."""
    info = document["bootgate"]
    state = (
        "ready"
        if info["ready"]
        else "stopping"
        if info["stopping"]
        else "cannot start"
        if info["failed"]
        else "starting"
    )
    lines = [
        f"{info['service']}: {state} after {format_duration(info['elapsed_s'])} "
        f"[{document['status']}]"
    ]
    width = max((len(name) for name in info["nodes"]), default=0)
    for name, node in info["nodes"].items():
        phase = node["phase"]
        line = f"  {_MARKS.get(phase, '·')} {name:<{width}}  {phase:<9}"
        progress = node.get("progress")
        if progress and progress.get("total"):
            filled = round(20 * progress["done"] / progress["total"])
            line += f" [{'#' * filled}{'.' * (20 - filled)}]"
        detail = node.get("detail")
        if detail:
            line += f" {detail}"
        elif node.get("duration_s") is not None:
            line += f" {format_duration(node['duration_s'])}"
        lines.append(line.rstrip())
    lines.extend(f"waiting on: {chain}" for chain in info["blocking"])
    return [redact(line) for line in lines]


def verdict(document: dict[str, Any]) -> int:
    """The exit code a document stands for."""
    info = document["bootgate"]
    if info["ready"]:
        return READY
    return FAILED if info["failed"] else NOT_READY


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `bootgate status`."""
    parser.add_argument("url", metavar="URL", help="the service (or its /status, /readyz URL)")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="follow the status stream and redraw until ready or failed",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the status document (one JSON object per line)"
    )


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """The `bootgate status` subcommand."""
    if command:
        err("error: status runs no command")
        return USAGE
    return status(namespace.url, watch=namespace.watch, as_json=namespace.json)


def status(
    url: str, *, watch: bool = False, as_json: bool = False, out: TextIO | None = None
) -> int:
    """Show the status of the service at `url`; the exit code says ready, not ready or failed."""
    out = out or sys.stdout
    try:
        status_url, stream_url = status_urls(url)
    except ConfigError as exc:
        err(str(exc))
        return USAGE
    try:
        if not watch:
            document = fetch_status(status_url)
            _show(document, as_json, out, redraw=0)
            return verdict(document)
        drawn = 0
        code = NOT_READY
        live = out.isatty() and not as_json
        for document in stream_status(stream_url):
            drawn = _show(document, as_json, out, redraw=drawn if live else 0)
            code = verdict(document)
            if code != NOT_READY:
                break
        return code
    except ConfigError as exc:
        err(redact(str(exc)))
        return USAGE
    except (OSError, ValueError) as exc:
        err(f"cannot read the status of {redact(status_url)}: {redact(str(exc))}")
        return NOT_READY
    except KeyboardInterrupt:
        return 130


def _show(document: dict[str, Any], as_json: bool, out: TextIO, redraw: int) -> int:
    """Print one document (JSON line, or lines for people redrawn over `redraw` old lines)."""
    if as_json:
        import json

        out.write(json.dumps(document, separators=(",", ":")) + "\n")
        out.flush()
        return 0
    lines = [safe(line) for line in render(document)]
    if redraw:
        out.write(f"\x1b[{redraw}F\x1b[J")
    out.write("\n".join(lines) + "\n")
    out.flush()
    return len(lines)
