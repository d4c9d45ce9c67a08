"""Status snapshots as machines read them: health+json, the gate's JSON, retry hints.

Pure functions of a `Status`, read at the instant the snapshot describes (`Status.at_s`: the
adapters read it at the present, so ETAs count down and deadlines approach). Every text that
may carry a secret goes through `redact` again on the way out, so a secret that slipped into a
reason upstream still never leaves the process. The probe endpoints' text is in `_checks`.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any, Literal

from bootgate import NodeStatus, Phase, Status, redact

from ._checks import explain

Health = Literal["pass", "warn", "fail"]


def iso_time(wall: float) -> str:
    """Unix time as ISO 8601 UTC with milliseconds, e.g. "2026-11-22T08:00:35.120Z"."""
    stamp = datetime.fromtimestamp(wall, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def advised_retry_after(status: Status) -> int:
    """Seconds a client should wait before asking again, at least 1: the largest ETA left of
    a running step; for a step past its ETA, the time one unit of its work took so far (the
    ETA said nothing true any more, its pace still does)."""
    longest = 0.0
    at_s = status.at_s
    for node in status.nodes.values():
        progress = node.progress
        if progress is None or node.ok or node.phase is not Phase.STARTING:
            continue
        if progress.overdue_at(at_s) is not None:
            wait = progress.unit_s()
        else:
            wait = progress.eta_at(at_s)
        longest = max(longest, wait or 0.0)
    return max(1, math.ceil(longest))


def _node_health(node: NodeStatus, at_s: float) -> Health:
    if node.ok:
        warned = node.phase is Phase.DEGRADED or node.current_warnings(at_s)
        return "warn" if warned else "pass"
    return "warn" if node.optional else "fail"


def _wall(status: Status, seconds: float | None) -> str | None:
    return None if seconds is None else iso_time(status.began_wall + seconds)


def _in(status: Status, seconds: float | None) -> float | None:
    """Seconds from the document's instant until `seconds` (never below 0)."""
    return None if seconds is None else round(max(seconds - status.at_s, 0.0), 3)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _progress(node: NodeStatus, status: Status) -> dict[str, Any] | None:
    p = node.progress
    if p is None:
        return None
    eta = p.eta_at(status.at_s)
    late = p.overdue_at(status.at_s) if node.phase is Phase.STARTING else None
    done_at = None if p.eta_s is None or p.reported_s is None else p.reported_s + p.eta_s
    return {
        "done": p.done,
        "total": p.total,
        "message": redact(p.message),
        "percent": None if p.percent is None else round(p.percent, 1),
        "eta_s": _round(eta),
        "eta": _wall(status, done_at),  # wall clock: stays right however old this document is
        "overdue_s": _round(late),
    }


def _warnings(node: NodeStatus, status: Status) -> list[dict[str, Any]]:
    return [
        {
            "message": redact(w.message),
            "at": _wall(status, w.at_s),
            "at_s": _round(w.at_s),
            "until": _wall(status, w.until_s),
            "current": w.current(node, status.at_s),
        }
        for w in node.warnings
    ]


def _node_document(node: NodeStatus, status: Status) -> dict[str, Any]:
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
        "started_s": _round(node.started_s),
        "ready_s": _round(node.ready_s),
        "duration_s": _round(node.duration_s),
        "progress": _progress(node, status),
        "error": None if node.error is None else redact(node.error),
        "next_retry_in_s": _in(status, node.next_retry_s),
        "next_retry": _wall(status, node.next_retry_s),
        "deadline_in_s": _in(status, node.deadline_s),
        "deadline": _wall(status, node.deadline_s),
        "budget_s": node.budget_s,
        "over_budget": node.over_budget,
        "overdue": node.overdue,
        "warnings": _warnings(node, status),
        "reason": None if node.reason is None else redact(node.reason),
        "detail": None if node.ok and node.phase is Phase.READY else explain(node, status),
    }


def _ready_entry(node: NodeStatus, status: Status, time: str) -> dict[str, Any]:
    health = _node_health(node, status.at_s)
    entry: dict[str, Any] = {
        "componentId": node.name,
        "componentType": "system" if node.kind == "dependency" else "component",
        "status": health,
        "time": time,
    }
    if health != "pass":
        why = [] if node.ok and node.phase is Phase.READY else [explain(node, status)]
        why += [redact(w.message) for w in node.current_warnings(status.at_s)]
        entry["output"] = "; ".join(why)
    return entry


def _checks(status: Status) -> dict[str, list[dict[str, Any]]]:
    """`component:measurement` entries, as the draft keys them: `<node>:ready` for every node;
    `<node>:duration` (seconds to become ready) and `<node>:progress` (percent) when known."""
    time = iso_time(status.began_wall + status.at_s)
    checks: dict[str, list[dict[str, Any]]] = {}
    for node in status.nodes.values():
        checks[f"{node.name}:ready"] = [_ready_entry(node, status, time)]
        if node.duration_s is not None:
            checks[f"{node.name}:duration"] = [
                {
                    "componentId": node.name,
                    "observedValue": round(node.duration_s, 3),
                    "observedUnit": "s",
                    "status": "pass",
                    "time": _wall(status, node.ready_s) or time,
                }
            ]
        progress = node.progress
        if progress is not None:
            entry: dict[str, Any] = {"componentId": node.name}
            if progress.percent is not None:
                entry |= {"observedValue": round(progress.percent, 1), "observedUnit": "percent"}
            else:
                entry["observedValue"] = progress.done
            late = progress.overdue_at(status.at_s) if node.phase is Phase.STARTING else None
            entry["status"] = "pass" if late is None else "warn"
            if late is not None:
                entry["output"] = explain(node, status)
            entry["time"] = time
            checks[f"{node.name}:progress"] = [entry]
    return checks


def _why_not_pass(status: Status, health: Health) -> str | None:
    """The document's `output`: the blocking chains when failing, the warnings when warning."""
    if health == "fail":
        return "; ".join(redact(chain) for chain in status.blocking()) or "not ready"
    if health == "warn":
        why = []
        for node in status.nodes.values():
            if node.phase is Phase.DEGRADED:
                why.append(f"{node.name}: {explain(node, status)}")
            why += [f"{node.name}: {redact(w.message)}" for w in node.current_warnings(status.at_s)]
        return "; ".join(why)
    return None


# The chain of the latest nodes: readings of one snapshot at later instants share its nodes,
# so it is computed once per change. One tuple, swapped atomically (WSGI threads share it).
_chain: tuple[object, list[dict[str, Any]]] = (None, [])


def _critical_chain(status: Status) -> list[dict[str, Any]]:
    global _chain
    nodes, chain = _chain
    if nodes is not status.nodes:
        # Imported on first use: the observability room is not needed to serve the probes.
        from bootgate.observe import critical_chain, from_status

        chain = [
            {"name": link.name, "ready_s": round(link.ready_s, 3), "took_s": _round(link.took_s)}
            for link in critical_chain(from_status(status).nodes)
        ]
        _chain = (status.nodes, chain)
    return chain


def health_document(status: Status) -> dict[str, Any]:
    """The snapshot as application/health+json, with bootgate's own details under "bootgate".

    The top level follows draft-inadarei-api-health-check: `status` pass/warn/fail, `version`
    and `releaseId` when the service gave them, `output` whenever it is not pass, and `checks`
    keyed `component:measurement`. "bootgate" carries phases, progress, times, attempts,
    deadlines, warnings, the blocking chains and the critical chain so far.
    """
    health = status.health
    document: dict[str, Any] = {"status": health}
    if status.version is not None:
        document["version"] = status.version
    if status.release_id is not None:
        document["releaseId"] = status.release_id
    document["description"] = f"{status.service} startup"
    document["serviceId"] = status.service
    output = _why_not_pass(status, health)
    if output is not None:
        document["output"] = output
    document["checks"] = _checks(status)
    blocking = [redact(chain) for chain in status.blocking()]
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
        "critical_chain": _critical_chain(status),
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
