"""`bootgate check TARGET...`: one attempt per target, for Docker HEALTHCHECK and scripts.

Exit 0 when every target (with --any: one) is ready, 3 when one failed permanently, else 1.
Uses `bootgate.probes.check`, which runs every scheme on a blocking socket: no asyncio, no anyio,
no driver, so a health check starts in a few tens of milliseconds.
"""

from __future__ import annotations

import argparse

import bootgate
import bootgate.probes

from ._options import UsageError, out, settings


def run(namespace: argparse.Namespace, command: list[str]) -> int:
    """Check each target once; print one line per target; return the exit code."""
    if command:
        raise UsageError("check runs no command; use `bootgate wait ... -- COMMAND`")
    config = settings(namespace)
    timeout = config.durations["attempt_timeout"] or 3.0
    if config.durations["timeout"]:
        timeout = min(timeout, config.durations["timeout"])
    options = config.probe_options()
    verdicts = []
    for target in config.targets:
        try:
            verdict = bootgate.probes.check(target, timeout=timeout, **options)
        except bootgate.ConfigError as exc:
            raise config.usage_error(exc) from None
        verdicts.append(verdict)
        if config.flags["json"]:
            import json  # only when asked: it costs a cold start more than the check

            out(
                json.dumps(
                    {
                        "event": verdict.kind,
                        "target": target.display,
                        "reason": bootgate.redact(verdict.reason),
                        "retry_after": verdict.retry_after,
                    }
                )
            )
        elif verdict.ready:
            if not config.flags["quiet"]:
                out(f"ready {target.display} ({verdict.reason})")
        else:
            word = "failed" if verdict.kind == "permanent" else "not ready"
            out(f"{word} {target.display}: {bootgate.redact(verdict.reason)}")
    ready = [v.ready for v in verdicts]
    if any(ready) if config.flags["any"] else all(ready):
        return 0
    if any(v.kind == "permanent" for v in verdicts) and not config.flags["no_fail_fast"]:
        return 3
    return 1
