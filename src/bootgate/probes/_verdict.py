"""Verdict: how one look at a target went, light enough for the cold-start `check` path.

The protocol conversations return these, so `bootgate check` never imports dataclasses; the
async probes turn them into `bootgate.Ready`, `Transient` or `Permanent` with `result()`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from bootgate import ProbeResult

KINDS = ("ready", "transient", "permanent")


class Verdict:
    """The outcome of one attempt: `kind` is "ready", "transient" or "permanent".

    `reason` says why (for a ready target, what answered); `retry_after` is the dependency's
    own hint in seconds (HTTP Retry-After), if it gave one.
    """

    __slots__ = ("kind", "reason", "retry_after")

    def __init__(self, kind: str, reason: str, retry_after: float | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.reason = reason
        self.retry_after = retry_after

    @property
    def ready(self) -> bool:
        """True when the target is ready."""
        return self.kind == "ready"

    def result(self) -> ProbeResult:
        """The same outcome as a `bootgate.Ready`, `Transient` or `Permanent`."""
        import bootgate

        if self.kind == "ready":
            return bootgate.Ready(self.reason)
        if self.kind == "transient":
            return bootgate.Transient(self.reason, self.retry_after)
        return bootgate.Permanent(self.reason)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return (self.kind, self.reason, self.retry_after) == (
            other.kind,
            other.reason,
            other.retry_after,
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.reason, self.retry_after))

    def __repr__(self) -> str:
        return f"Verdict({self.kind!r}, {self.reason!r}, {self.retry_after!r})"


def ready(detail: str) -> Verdict:
    """A ready verdict saying what answered."""
    return Verdict("ready", detail)


def transient(reason: str, retry_after: float | None = None) -> Verdict:
    """A "not yet" verdict: worth trying again."""
    return Verdict("transient", reason, retry_after)


def permanent(reason: str) -> Verdict:
    """A "never" verdict: trying again will not help."""
    return Verdict("permanent", reason)
