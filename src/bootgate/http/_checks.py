"""The probe endpoints' text, as kube-apiserver writes it: one line per check, then a verdict.

    [+]db ok
    [-]migrations starting: running 16/25 Migration0016, ETA 12.00s
    [+]shutdown ok
    readyz check failed

A client that may not see details (neither loopback nor a token holder: the dashboard's rule)
reads `[-]migrations failed: reason withheld`, as kube-apiserver answers everyone; the reason
stays in the logs and in the answers to trusted clients. Unknown `?exclude` names are quoted
as Go's `%q` does, comma-separated. Pure functions of a `Status`; every reason is redacted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from bootgate import NodeStatus, Phase, Status, redact

CheckKind = Literal["livez", "readyz", "startupz"]

#: The pseudo-check readyz reports for shutdown, as kube-apiserver does.
SHUTDOWN = "shutdown"
#: The pseudo-check livez always passes, as kube-apiserver's.
PING = "ping"
WITHHELD = "failed: reason withheld"


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


def _line(kind: CheckKind, node: NodeStatus, status: Status, trusted: bool) -> str:
    if not _passes(kind, node):
        if not trusted:
            return f"[-]{node.name} {WITHHELD}"
        return f"[-]{node.name} {node.phase.value}: {explain(node, status)}"
    if node.optional and not node.ok:
        return f"[+]{node.name} {node.phase.value} (optional)"
    if node.phase is Phase.DEGRADED:
        if not trusted:
            return f"[+]{node.name} degraded (optional)"
        return f"[+]{node.name} degraded (optional): {explain(node, status)}"
    return f"[+]{node.name} ok"


def checks(kind: CheckKind, status: Status, *, trusted: bool) -> list[tuple[str, bool, str]]:
    """Every check of a probe endpoint, in order: (name, passes, its line)."""
    found: list[tuple[str, bool, str]] = []
    if kind == "livez":
        found.append((PING, True, f"[+]{PING} ok"))
    nodes = [n for n in status.nodes.values() if kind != "livez" or n.critical]
    for node in nodes:
        found.append((node.name, _passes(kind, node), _line(kind, node, status, trusted)))
    if kind == "readyz":
        if not status.stopping:
            found.append((SHUTDOWN, True, f"[+]{SHUTDOWN} ok"))
        elif trusted:
            found.append((SHUTDOWN, False, f"[-]{SHUTDOWN} stopping: shutting down"))
        else:
            found.append((SHUTDOWN, False, f"[-]{SHUTDOWN} {WITHHELD}"))
    return found


def check_report(
    kind: CheckKind, status: Status, exclude: Iterable[str] = (), *, trusted: bool = True
) -> tuple[bool, str]:
    """The kube-apiserver style report for one probe endpoint: (passed, text).

    One line per check (`[+]name ok`, `[-]name <phase>: <reason>`, or for an untrusted client
    `[-]name failed: reason withheld`), excluded checks shown as `[+]name excluded: ok`, then
    "<kind> check passed" or "<kind> check failed". Without exclusions the verdict is the
    snapshot's own flag (`live`, `ready`, `started`).
    """
    excluded = set(exclude)
    lines: list[str] = []
    passed = True
    found = checks(kind, status, trusted=trusted)
    for name, ok, line in found:
        if name in excluded:
            lines.append(f"[+]{name} excluded: ok")
            continue
        lines.append(line)
        passed = passed and ok
    if not excluded:
        passed = {"livez": status.live, "readyz": status.ready, "startupz": status.started}[kind]
    unknown = sorted(excluded - {name for name, _, _ in found})
    if unknown:
        names = ",".join(go_quote(n) for n in unknown)
        lines.append(f"warn: some health checks cannot be excluded: no matches for {names}")
    lines.append(f"{kind} check {'passed' if passed else 'failed'}")
    return passed, "\n".join(lines) + "\n"


def single_check(
    kind: CheckKind, status: Status, name: str, *, trusted: bool = True
) -> tuple[bool, str] | None:
    """One check alone (`/readyz/<name>`): (passed, its line), or None if there is no such
    check."""
    for found, ok, line in checks(kind, status, trusted=trusted):
        if found == name:
            return ok, line
    return None


_GO_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t"}
_GO_ESCAPES |= {"\v": r"\v", "\\": "\\\\", '"': '\\"'}


def go_quote(text: str) -> str:
    """`text` as Go's `%q` (strconv.Quote) writes it: in double quotes, with `"` and `\\`
    escaped, control and other unprintable characters as \\n, \\xNN, \\uNNNN or \\UNNNNNNNN."""
    out = []
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'
