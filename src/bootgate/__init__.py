"""bootgate: services that start in the right order and say ready only when they are.

The names below load their modules on first use, so `import bootgate` costs next to nothing
and a command-line path that needs only a few of them (e.g. `bootgate check tcp://...`) never
imports the engine or anyio.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost more than the rest
if TYPE_CHECKING:
    from typing import Any

    from ._backoff import STEP_RETRY, WAIT_RETRY, Retry
    from ._boot import Boot, Dependency, Node, Step
    from ._clock import Clock, FakeClock, SystemClock
    from ._context import StepContext
    from ._duration import did_you_mean, format_duration, parse_duration
    from ._errors import (
        BootgateError,
        ConfigError,
        CycleError,
        DuplicateNameError,
        GraphError,
        MissingExtraError,
        PermanentError,
        StartupError,
        StartupTimeout,
        UnknownDependencyError,
    )
    from ._events import Event, EventKind, Hook, LoggingHook
    from ._probe import (
        FollowingProbe,
        LayeredProbe,
        Permanent,
        Probe,
        ProbeResult,
        Ready,
        Transient,
    )
    from ._progress import Progress
    from ._redact import redact
    from ._snapshot import NodeStatus, NodeWarning, Phase, Status
    from ._wait_for import wait_for
    from ._waiting import Waited, WaitEvent

_MODULES = {
    "STEP_RETRY": "_backoff",
    "WAIT_RETRY": "_backoff",
    "Boot": "_boot",
    "BootgateError": "_errors",
    "Clock": "_clock",
    "ConfigError": "_errors",
    "CycleError": "_errors",
    "Dependency": "_boot",
    "DuplicateNameError": "_errors",
    "Event": "_events",
    "EventKind": "_events",
    "FakeClock": "_clock",
    "FollowingProbe": "_probe",
    "GraphError": "_errors",
    "Hook": "_events",
    "LayeredProbe": "_probe",
    "LoggingHook": "_events",
    "MissingExtraError": "_errors",
    "Node": "_boot",
    "NodeStatus": "_snapshot",
    "NodeWarning": "_snapshot",
    "Permanent": "_probe",
    "PermanentError": "_errors",
    "Phase": "_snapshot",
    "Probe": "_probe",
    "ProbeResult": "_probe",
    "Progress": "_progress",
    "Ready": "_probe",
    "Retry": "_backoff",
    "StartupError": "_errors",
    "StartupTimeout": "_errors",
    "Status": "_snapshot",
    "Step": "_boot",
    "StepContext": "_context",
    "SystemClock": "_clock",
    "Transient": "_probe",
    "UnknownDependencyError": "_errors",
    "WaitEvent": "_waiting",
    "Waited": "_waiting",
    "did_you_mean": "_duration",
    "format_duration": "_duration",
    "parse_duration": "_duration",
    "redact": "_redact",
    "wait_for": "_wait_for",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'bootgate' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"bootgate.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "STEP_RETRY",
    "WAIT_RETRY",
    "Boot",
    "BootgateError",
    "Clock",
    "ConfigError",
    "CycleError",
    "Dependency",
    "DuplicateNameError",
    "Event",
    "EventKind",
    "FakeClock",
    "FollowingProbe",
    "GraphError",
    "Hook",
    "LayeredProbe",
    "LoggingHook",
    "MissingExtraError",
    "Node",
    "NodeStatus",
    "NodeWarning",
    "Permanent",
    "PermanentError",
    "Phase",
    "Probe",
    "ProbeResult",
    "Progress",
    "Ready",
    "Retry",
    "StartupError",
    "StartupTimeout",
    "Status",
    "Step",
    "StepContext",
    "SystemClock",
    "Transient",
    "UnknownDependencyError",
    "WaitEvent",
    "Waited",
    "did_you_mean",
    "format_duration",
    "parse_duration",
    "redact",
    "wait_for",
]
