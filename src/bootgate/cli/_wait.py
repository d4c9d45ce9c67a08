"""`bootgate wait TARGET... [-- COMMAND...]`: wait in parallel, then exec COMMAND.

Exit 0 when ready (or COMMAND's own code, since COMMAND replaces this process), 1 when the
deadline passed, 2 for bad input, 3 for a permanent failure, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import anyio

import bootgate

from ._options import Settings, UsageError, settings
from ._output import err, out


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """Wait for the targets, report, and exec `command` if there is one."""
    config = settings(namespace)
    policy = _policy(config)
    try:
        waited = anyio.run(_wait, config, policy)
    except bootgate.ConfigError as exc:
        raise config.usage_error(exc) from None
    except bootgate.MissingExtraError as exc:
        raise UsageError(str(exc)) from None
    except bootgate.PermanentError as exc:
        err(f"failed: {bootgate.redact(str(exc))}")
        return 3
    except bootgate.StartupTimeout as exc:
        err(f"timeout: {bootgate.redact(str(exc))}")
        return 1
    if not config.flags["quiet"] and not config.flags["json"]:
        for item in waited:
            noun = "attempt" if item.attempts == 1 else "attempts"
            out(f"ready {item.target} after {item.elapsed:.2f}s ({item.attempts} {noun})")
    if command:
        return _exec(command)
    return 0


def _policy(config: Settings) -> bootgate.Retry:
    policy = bootgate.WAIT_RETRY.replace(**config.retry)
    if policy.interval > policy.max_interval:  # a first pause longer than the cap raises it
        policy = policy.replace(max_interval=policy.interval)
    return policy


async def _wait(config: Settings, policy: bootgate.Retry) -> tuple[bootgate.Waited, ...]:
    verbose, as_json = config.flags["verbose"], config.flags["json"]

    def report(event: bootgate.WaitEvent) -> None:
        if as_json:
            out(
                json.dumps(
                    {
                        "event": event.kind,
                        "target": event.target,
                        "attempt": event.attempt,
                        "elapsed": round(event.elapsed, 4),
                        "layer": event.layer,
                        "reason": bootgate.redact(event.reason),
                        "next_delay": None
                        if event.next_delay is None
                        else round(event.next_delay, 4),
                    }
                )
            )
        elif verbose and event.kind == "attempt":
            after = "" if event.next_delay is None else f"; next in {event.next_delay:.3f}s"
            out(
                f"attempt {event.attempt} {event.target}: {bootgate.redact(event.reason)} "
                f"({event.layer}){after}"
            )

    return await bootgate.wait_for(
        [target.raw for target in config.targets],
        retry=policy,
        any=config.flags["any"],
        fail_fast=not config.flags["no_fail_fast"],
        on_event=report,
        options=config.probe_options(),
    )


def _exec(command: list[str]) -> int:
    """Replace this process with `command`; if that cannot happen, exit as a shell would:
    127 when there is no such command, 126 when it exists but cannot be executed."""
    sys.stderr.flush()
    if not command[0]:
        err("command not found: '' (an empty command after --)")
        return 127
    try:
        os.execvp(command[0], command)
    except FileNotFoundError:
        err(f"command not found: {command[0]}")
        return 127
    except OSError as exc:  # not executable, a directory, not a program (ENOEXEC), ...
        reason = os.strerror(exc.errno).lower() if exc.errno else type(exc).__name__
        err(f"cannot execute {command[0]}: {reason}")
        return 126
    raise AssertionError("unreachable: execvp returned")  # pragma: no cover
