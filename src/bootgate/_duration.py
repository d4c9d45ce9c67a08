"""Durations written by people: "250ms", "2s", "1m30s", "1h", or a bare number of seconds."""

from __future__ import annotations

import math
import re

from ._errors import ConfigError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)")


def parse_duration(value: str | float | int, *, what: str = "duration") -> float:
    """Return `value` in seconds; raise ConfigError naming `what` if it is not a duration.

    Accepts a non-negative number (seconds) or a string of number+unit parts with units
    ms, s, m and h, such as "250ms", "1m30s" or "1.5s". A bare numeric string means seconds.
    """
    if isinstance(value, bool):
        raise ConfigError(f"{what}: expected a duration, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().lower()
        seconds = _parse_text(text, what, value)
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise ConfigError(f"{what}: expected a non-negative finite duration, got {value!r}")
    return seconds


def _parse_text(text: str, what: str, original: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    pos = 0
    total = 0.0
    for match in _PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ConfigError(
            f"{what}: {original!r} is not a duration (examples: 250ms, 2s, 1m30s, 1.5)"
        )
    return total


def format_duration(seconds: float) -> str:
    """Render seconds compactly for people: 0.25 -> "250ms", 2.3 -> "2.30s", 95 -> "1m35s"."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
