"""A live terminal view of the S3 provisioning graph starting up.

    scripts/demo            # or: python -m examples.s3_provisioning.demo [--unordered]

It runs the graph against a fresh SQLite file, redraws each node's phase and progress as the
status changes, prints the "why not ready" chain, and ends with what was provisioned. With
--unordered it runs the incident's broken graph and shows the foreign-key failure instead.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import anyio

from bootgate import Boot, Phase, StartupError, Status, format_duration

from .app import build_boot, provider_count

_MARK = {
    Phase.READY: "✔",
    Phase.FAILED: "✘",
    Phase.BLOCKED: "⊘",
    Phase.DEGRADED: "!",
    Phase.STARTING: "▶",
    Phase.RETRYING: "↻",
    Phase.WAITING: "…",
}


def render(status: Status) -> list[str]:
    """The screen for one snapshot: a line per node, then the blocking chain."""
    state = "READY" if status.ready else "stopping" if status.stopping else "starting"
    lines = [f"{status.service}: {state}  (t={status.at_s:.2f}s)"]
    for node in status.nodes.values():
        mark = _MARK.get(node.phase, "·")
        line = f"  {mark} {node.name:<16} {node.phase.value:<9}"
        if node.progress is not None and node.progress.total:
            width = 20
            filled = round(width * node.progress.done / node.progress.total)
            line += f" [{'#' * filled}{'.' * (width - filled)}] {node.progress.text()}"
            if node.progress.eta_s is not None and node.phase is Phase.STARTING:
                line += f" ETA {format_duration(node.progress.eta_s)}"
        elif node.duration_s is not None:
            line += f" {format_duration(node.duration_s)}"
        if node.reason:
            line += f"  ({node.reason})"
        lines.append(line)
    for chain in status.blocking():
        lines.append(f"  waiting on: {chain}")
    return lines


async def watch(boot: Boot, live: bool, done: anyio.Event) -> None:
    """Print each snapshot until startup succeeds or fails; on a terminal, redraw in place."""
    drawn = 0
    try:
        async for status in boot.subscribe():
            lines = render(status)
            if live and drawn:
                sys.stdout.write(f"\x1b[{drawn}F\x1b[J")
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()
            drawn = len(lines)
            if status.ready or status.failed:
                return
            if not live:
                await anyio.sleep(0.1)  # a log, not an animation: a few snapshots a second
    finally:
        done.set()


async def main(ordered: bool) -> int:
    """Run the demo; 0 when provisioning succeeded, 1 when it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "provisioning.db"
        boot = build_boot(path, ordered=ordered, tenant_delay=0.6, provider_delay=0.15, hooks=[])
        done = anyio.Event()
        code = 1
        async with anyio.create_task_group() as tg:
            tg.start_soon(watch, boot, sys.stdout.isatty(), done)
            try:
                async with boot.running():
                    await done.wait()
                    print(f"\nprovisioned {provider_count(path)} providers for tenant 'default'")
                    code = 0
            except StartupError as exc:
                await done.wait()
                print(f"\nstartup failed: {exc}")
    return code


def cli() -> None:
    """Entry point: parse --unordered and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--unordered",
        action="store_true",
        help="run the incident's graph, where providers do not wait for the tenant",
    )
    args = parser.parse_args()
    sys.exit(anyio.run(main, not args.unordered))


if __name__ == "__main__":
    cli()
