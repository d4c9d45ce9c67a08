"""bootgate: services that start in the right order and say ready only when they are."""

from ._backoff import STEP_RETRY, WAIT_RETRY, Retry
from ._clock import Clock, FakeClock, SystemClock
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
from ._probe import Permanent, Probe, ProbeResult, Ready, Transient
from ._redact import redact

__all__ = [
    "STEP_RETRY",
    "WAIT_RETRY",
    "BootgateError",
    "Clock",
    "ConfigError",
    "CycleError",
    "DuplicateNameError",
    "FakeClock",
    "GraphError",
    "MissingExtraError",
    "Permanent",
    "PermanentError",
    "Probe",
    "ProbeResult",
    "Ready",
    "Retry",
    "StartupError",
    "StartupTimeout",
    "SystemClock",
    "Transient",
    "UnknownDependencyError",
    "format_duration",
    "parse_duration",
    "redact",
]
