"""bootgate: services that start in the right order and say ready only when they are."""

from ._backoff import STEP_RETRY, WAIT_RETRY, Retry
from ._boot import Boot, Dependency, Node, Step
from ._clock import Clock, FakeClock, SystemClock
from ._context import StepContext
from ._duration import format_duration, parse_duration
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
from ._probe import Permanent, Probe, ProbeResult, Ready, Transient
from ._redact import redact
from ._state import NodeStatus, Phase, Progress, Status

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
    "GraphError",
    "Hook",
    "LoggingHook",
    "MissingExtraError",
    "Node",
    "NodeStatus",
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
    "format_duration",
    "parse_duration",
    "redact",
]
