"""A live terminal view of the S3 provisioning graph starting up.

    scripts/demo            # or: python -m examples.s3_provisioning.demo [--unordered]

It runs the graph against a fresh SQLite file, redraws each node's phase and progress as the
status changes, prints the "why not ready" chain and what was provisioned; then a person adds a
provider through the UI and a second deploy renames one: the stale row is pruned, the person's
row stays. With --unordered it runs the incident's broken graph and shows the foreign-key
failure instead.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import anyio

from bootgate import Boot, Phase, StartupError, Status, format_duration

from .app import PROVIDERS, build_boot, create_through_ui, provider_count, provider_rows

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


async def deploy(path: Path, ordered: bool, names: tuple[str, ...]) -> str | None:
    """One deploy: run the graph with a live view; the providers' plan summary, or None."""
    boot = build_boot(path, ordered=ordered, names=names, tenant_delay=0.6, hooks=[])
    done = anyio.Event()
    plan: str | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(watch, boot, sys.stdout.isatty(), done)
        try:
            async with boot.running():
                await done.wait()
                progress = boot.status().nodes["providers"].progress
                plan = progress.message if progress is not None else ""
        except StartupError as exc:
            await done.wait()
            print(f"\nstartup failed: {exc}")
    return plan


async def main(ordered: bool) -> int:
    """Run two deploys (the second renames a provider); 0 when provisioning succeeded."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "provisioning.db"
        plan = await deploy(path, ordered, PROVIDERS)
        if plan is None:
            return 1
        print(f"\ndeploy 1: {plan}; {provider_count(path)} providers")
        create_through_ui(path, "custom-sso")
        print("someone adds 'custom-sso' through the UI; deploy 2 renames azure-ad to entra-id\n")
        renamed = tuple("entra-id" if n == "azure-ad" else n for n in PROVIDERS)
        plan = await deploy(path, ordered, renamed)
        if plan is None:
            return 1
        rows = provider_rows(path)
        print(f"\ndeploy 2: {plan}")
        print(f"azure-ad pruned: {'azure-ad' not in rows}; custom-sso kept: {'custom-sso' in rows}")
    return 0


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
