"""The exception tree. Every message is built from the exception's fields."""

from __future__ import annotations

from collections.abc import Sequence


class BootgateError(Exception):
    """Base class of every error bootgate raises on purpose."""


class ConfigError(BootgateError, ValueError):
    """Raised for bad configuration: a malformed duration, target, policy or option."""


class GraphError(ConfigError):
    """Raised when the startup graph is invalid; nothing has run when it is raised."""


class DuplicateNameError(GraphError):
    """Raised when two nodes of one graph share a name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"two nodes are named {name!r}; node names must be unique")


class UnknownDependencyError(GraphError):
    """Raised when a node requires a name that no node of the graph has."""

    def __init__(self, node: str, missing: str) -> None:
        self.node = node
        self.missing = missing
        super().__init__(f"{node!r} requires {missing!r}, but no node is named {missing!r}")


class CycleError(GraphError):
    """Raised when requirements form a cycle; `cycle` lists it, first name repeated at the end."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = tuple(cycle)
        if len(self.cycle) == 2:
            super().__init__(f"{self.cycle[0]!r} requires itself")
        else:
            super().__init__("requirements form a cycle: " + " -> ".join(self.cycle))


class PermanentError(BootgateError):
    """Raise from a step (or a probe) to fail at once, without retrying: the cause won't pass."""


class StartupTimeout(BootgateError, TimeoutError):
    """Raised when a node's attempt, the whole startup or a wait ran past its timeout.

    `reason`, when there is one, is what the target last said; the message ends with it.
    """

    def __init__(self, what: str, seconds: float, reason: str | None = None) -> None:
        self.what = what
        self.seconds = seconds
        self.reason = reason
        tail = f": {reason}" if reason else ""
        super().__init__(f"{what} did not finish within {seconds:g}s{tail}")


class StartupError(BootgateError):
    """Raised by `Boot.running()` / `Boot.start()` when a required node can never become ready.

    `reasons` holds one line per root cause, e.g. "providers <- tenant: IntegrityError: ...".
    """

    def __init__(self, service: str, reasons: Sequence[str]) -> None:
        self.service = service
        self.reasons = tuple(reasons)
        detail = "; ".join(self.reasons) or "no reason recorded"
        super().__init__(f"{service} cannot become ready: {detail}")


class MissingExtraError(BootgateError, ImportError):
    """Raised when a target (or a feature, e.g. a lock) needs an optional driver that is missing."""

    def __init__(self, scheme: str, extra: str, module: str, *, feature: str | None = None) -> None:
        self.scheme = scheme
        self.extra = extra
        self.module = module
        what = feature or f"{scheme}:// targets"
        super().__init__(f"{what} need the {module!r} module: pip install 'bootgate[{extra}]'")
