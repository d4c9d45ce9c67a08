"""Status snapshots as people and machines read them: probe reports, health+json, retry hints.

Pure functions of a `Status`; every text that may carry a secret goes through `redact` again
on the way out, so a secret that slipped into a reason upstream still never leaves the process.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from bootgate import NodeStatus, Phase, Status, redact

CheckKind = Literal["livez", "readyz", "startupz"]

#: The pseudo-check readyz reports for shutdown, as kube-apiserver does.
SHUTDOWN = "shutdown"


def iso_time(wall: float) -> str:
    """Unix time as ISO 8601 UTC with milliseconds, e.g. "2026-11-22T08:00:35.120Z"."""
    stamp = datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def advised_retry_after(status: Status) -> int:
    """Seconds a client should wait before asking again: the largest progress ETA, at least 1."""
    longest = 0.0
    for node in status.nodes.values():
        if node.progress is not None and node.progress.eta_s is not None and not node.ok:
            longest = max(longest, node.progress.eta_s)
    return max(1, math.ceil(longest))


def explain(node: NodeStatus, status: Status) -> str:
    """Why `node` is not ready, in a few words ("connection refused, attempt 7, next in 0.4 s")."""
    return redact(status.explain(node.name))


def _passes(kind: CheckKind, node: NodeStatus) -> bool:
    if kind == "livez":
        return not (node.critical and node.phase is Phase.FAILED)
    if node.optional:
        return True
    if kind == "startupz":
        return node.ok or node.ready_s is not None
    return node.ok


def _line(kind: CheckKind, node: NodeStatus, status: Status) -> str:
    if not _passes(kind, node):
        return f"[-]{node.name} {node.phase.value}: {explain(node, status)}"
    if node.optional and not node.ok:
        return f"[+]{node.name} {node.phase.value} (optional)"
    if node.phase is Phase.DEGRADED:
        return f"[+]{node.name} degraded (optional): {explain(node, status)}"
    return f"[+]{node.name} ok"


def check_report(kind: CheckKind, status: Status, exclude: Iterable[str] = ()) -> tuple[bool, str]:
    """The kube-apiserver style report for one probe endpoint: (passed, text).

    One line per check (`[+]name ok`, `[-]name <phase>: <reason>`), excluded checks shown as
    `[+]name excluded: ok`, then "<kind> check passed" or "<kind> check failed". Without
    exclusions the verdict is the snapshot's own flag (`live`, `ready`, `started`).
    """
    excluded = set(exclude)
    lines: list[str] = []
    passed = True
    checks: list[tuple[str, bool, str]] = []
    if kind == "livez":
        checks.append(("ping", True, "[+]ping ok"))
    nodes = [n for n in status.nodes.values() if kind != "livez" or n.critical]
    for node in nodes:
        checks.append((node.name, _passes(kind, node), _line(kind, node, status)))
    if kind == "readyz":
        if status.stopping:
            checks.append((SHUTDOWN, False, f"[-]{SHUTDOWN} stopping: shutting down"))
        else:
            checks.append((SHUTDOWN, True, f"[+]{SHUTDOWN} ok"))
    known = {name for name, _, _ in checks}
    for name, ok, line in checks:
        if name in excluded:
            lines.append(f"[+]{name} excluded: ok")
            continue
        lines.append(line)
        passed = passed and ok
    if not excluded:
        passed = {"livez": status.live, "readyz": status.ready, "startupz": status.started}[kind]
    unknown = sorted(excluded - known)
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        lines.append(f"warn: some health checks cannot be excluded: no matches for {names}")
    lines.append(f"{kind} check {'passed' if passed else 'failed'}")
    return passed, "\n".join(lines) + "\n"


def _node_health(node: NodeStatus) -> Literal["pass", "warn", "fail"]:
    if node.ok:
        return "warn" if node.phase is Phase.DEGRADED or node.over_budget else "pass"
    return "warn" if node.optional else "fail"


def _wall(status: Status, seconds: float | None) -> str | None:
    return None if seconds is None else iso_time(status.began_wall + seconds)


def _progress(node: NodeStatus, status: Status) -> dict[str, Any] | None:
    p = node.progress
    if p is None:
        return None
    eta = p.eta_at(status.at_s)
    done_at = None if eta is None else iso_time(status.began_wall + status.at_s + eta)
    return {
        "done": p.done,
        "total": p.total,
        "message": redact(p.message),
        "percent": None if p.percent is None else round(p.percent, 1),
        "eta_s": None if eta is None else round(eta, 3),
        "eta": done_at,  # wall clock: stays right however old this document is
    }


def _node_document(node: NodeStatus, status: Status) -> dict[str, Any]:
    next_in = None
    if node.next_retry_s is not None:
        next_in = round(max(node.next_retry_s - status.at_s, 0.0), 3)
    return {
        "kind": node.kind,
        "phase": node.phase.value,
        "requires": list(node.requires),
        "optional": node.optional,
        "critical": node.critical,
        "target": None if node.target is None else redact(node.target),
        "attempts": node.attempts,
        "started": _wall(status, node.started_s),
        "ready": _wall(status, node.ready_s),
        "started_s": None if node.started_s is None else round(node.started_s, 3),
        "ready_s": None if node.ready_s is None else round(node.ready_s, 3),
        "duration_s": None if node.duration_s is None else round(node.duration_s, 3),
        "progress": _progress(node, status),
        "error": None if node.error is None else redact(node.error),
        "next_retry_in_s": next_in,
        "next_retry": _wall(status, node.next_retry_s),
        "budget_s": node.budget_s,
        "over_budget": node.over_budget,
        "reason": None if node.reason is None else redact(node.reason),
        "detail": None if node.ok and node.phase is Phase.READY else explain(node, status),
    }


def health_document(status: Status) -> dict[str, Any]:
    """The snapshot as application/health+json, with bootgate's own details under "bootgate".

    Top level follows draft-inadarei-api-health-check (`status` pass/warn/fail, `checks` keyed
    per node); "bootgate" carries phases, progress, times, attempts and the blocking chains.
    """
    checks: dict[str, list[dict[str, Any]]] = {}
    for node in status.nodes.values():
        entry: dict[str, Any] = {
            "componentId": node.name,
            "componentType": "system" if node.kind == "dependency" else "component",
            "status": _node_health(node),
            "time": iso_time(status.began_wall + status.at_s),
        }
        if not node.ok or node.phase is Phase.DEGRADED:
            entry["output"] = explain(node, status)
        checks[node.name] = [entry]
    blocking = [redact(chain) for chain in status.blocking()]
    document: dict[str, Any] = {
        "status": status.health,
        "description": f"{status.service} startup",
        "serviceId": status.service,
    }
    if blocking:
        document["output"] = "; ".join(blocking)
    document["checks"] = checks
    durations = [n.ready_s for n in status.nodes.values() if n.ready_s is not None]
    document["bootgate"] = {
        "service": status.service,
        "seq": status.seq,
        "ready": status.ready,
        "started": status.started,
        "live": status.live,
        "stopping": status.stopping,
        "failed": status.failed,
        "began": iso_time(status.began_wall),
        "at": iso_time(status.began_wall + status.at_s),
        "elapsed_s": round(status.at_s, 3),
        "startup_s": round(max(durations), 3) if status.started and durations else None,
        "retry_after": None if status.ready else advised_retry_after(status),
        "blocking": blocking,
        "nodes": {name: _node_document(node, status) for name, node in status.nodes.items()},
    }
    return document


def gate_document(status: Status) -> dict[str, Any]:
    """What a non-browser client gets from the gate before ready."""
    state = "stopping" if status.stopping else "failed" if status.failed else "starting"
    return {
        "status": state,
        "retry_after": advised_retry_after(status),
        "blocking": [redact(chain) for chain in status.blocking()],
    }


# The document of the latest snapshot, encoded once: every stream client and /status request
# between two changes shares the same Status object, so identity is the cache key. A single
# tuple is swapped atomically, so WSGI threads may share it too.
_encoded: tuple[Status | None, bytes] = (None, b"")


def health_json(status: Status) -> bytes:
    """`health_document(status)` as compact JSON bytes, encoded once per snapshot."""
    global _encoded
    cached_status, body = _encoded
    if cached_status is not status:
        document = health_document(status)
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        _encoded = (status, body)
    return body
