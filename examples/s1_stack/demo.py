"""The main demo: scenario S1 as a stack of processes under `bootgate up`.

    scripts/demo            # or: python -m examples.s1_stack.demo [--port 8000] [--serve-for S]

It runs `bootgate.toml` beside this file: PostgreSQL from this machine's binaries in a
temporary directory on a spare port, 25 migrations, the gateway (itself behind bootgate) and the
UI, each started the moment what it needs is there. Open the stack's status page while it
starts; the UI at http://127.0.0.1:8000/ comes up last and never shows a connection error.
Ctrl-C stops everything in reverse order.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import shutil
import socket
import sys
import tempfile
from contextlib import aclosing
from pathlib import Path

import anyio

from bootgate.stack import Condition, Console, Options, StackRun, load_stack

STACK_FILE = Path(__file__).with_name("bootgate.toml")


def postgres_bin() -> str | None:
    """The directory of this machine's PostgreSQL server binaries (newest version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_version)
    if found:
        return str(Path(found[-1]).parent)
    on_path = shutil.which("postgres")
    return str(Path(on_path).parent) if on_path else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parent.parent.name
    return tuple(int(p) for p in part.split(".") if p.isdigit())


def spare_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(tmp: Path, args: argparse.Namespace, pg_bin: str) -> dict[str, str]:
    """The variables the stack file refers to."""
    data = tmp / "pgdata"
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PG_BIN": pg_bin,
        "PG_DATA": str(data),
        "PG_PORT": str(spare_port()),
        "MIGRATION_DELAY": str(args.migration_delay),
        "UI_PORT": str(args.port),
        "GATEWAY_PORT": str(args.gateway_port or spare_port()),
        "STACK_PORT": str(args.stack_port),
    }
    if os.geteuid() == 0:  # initdb and postgres refuse root: run them as "postgres"
        env["PG_OS_USER"] = "postgres"
        shutil.chown(tmp, "postgres")
    return env


async def run(args: argparse.Namespace, env: dict[str, str]) -> int:
    """Run the stack until Ctrl-C (or `--serve-for` seconds after it is ready)."""
    stack = load_stack(STACK_FILE, env)
    completes = [p.name for p in stack.processes if stack.goal(p.name) is Condition.COMPLETED]
    console = Console([p.name for p in stack.processes], completes=completes)
    shown: list[str] = []
    stack_run = StackRun(stack, console, Options(env=env, on_http=shown.append))
    async with anyio.create_task_group() as tg:

        async def watch() -> None:
            async with aclosing(stack_run.view.subscribe()) as snapshots:
                async for status in snapshots:
                    if status.ready:
                        base = shown[0] if shown else ""
                        print(f"\n  the UI:            http://127.0.0.1:{env['UI_PORT']}/")
                        print(f"  stack status:      {base}/status   (bootgate status {base})")
                        print(f"  stack dashboard:   {base}/bootgate")
                        print(
                            f"  gateway status:    http://127.0.0.1:{env['GATEWAY_PORT']}/status\n"
                        )
                        if args.serve_for is not None:
                            await anyio.sleep(args.serve_for)
                            stack_run.stop()
                        return
                    if status.failed:
                        return

        tg.start_soon(watch)
        code = await stack_run.run()
        tg.cancel_scope.cancel()
    return code


def main() -> int:
    """Parse options, prepare a temporary directory, and run the stack."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--gateway-port", type=int, default=8001)
    parser.add_argument("--stack-port", type=int, default=8900)
    parser.add_argument("--migration-delay", type=float, default=0.4, metavar="SECONDS")
    parser.add_argument(
        "--serve-for",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop this many seconds after the stack is ready",
    )
    args = parser.parse_args()
    pg_bin = postgres_bin()
    if pg_bin is None:
        print("demo: PostgreSQL's server binaries are not installed (apt install postgresql)")
        return 2
    with tempfile.TemporaryDirectory(prefix="bootgate-s1-") as tmp:
        env = environment(Path(tmp), args, pg_bin)
        with contextlib.suppress(KeyboardInterrupt):
            return anyio.run(run, args, env)
    return 130


if __name__ == "__main__":
    raise SystemExit(main())
