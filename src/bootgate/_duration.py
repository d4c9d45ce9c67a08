"""Durations written by people: "250ms", "2s", "1m30s", "1h", a number of seconds, a timedelta.

Also the one helper every option parser uses to name the nearest valid name of a misspelt one.
"""

from __future__ import annotations

import math
import re

from ._errors import ConfigError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the `check` path never imports typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import timedelta
    from typing import TypeAlias

    Duration: TypeAlias = str | float | int | timedelta
    """What every option that takes a duration accepts: "250ms", 2.5 (seconds), timedelta."""

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)"  # compiled (and cached by `re`) on first use


def parse_duration(value: Duration, *, what: str = "duration") -> float:
    """Return `value` in seconds; raise ConfigError naming `what` if it is not a duration.

    Accepts a non-negative number (seconds), a `timedelta`, or a string of number+unit parts
    with units ms, s, m and h, such as "250ms", "1m30s" or "1.5s". A bare numeric string
    means seconds.
    """
    if isinstance(value, bool):
        raise ConfigError(f"{what}: expected a duration, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value.strip().lower(), what, value)
    else:
        from datetime import timedelta  # only for a caller that passes one

        if not isinstance(value, timedelta):
            raise ConfigError(f"{what}: expected a duration, got {type(value).__name__}")
        seconds = value.total_seconds()
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise ConfigError(f"{what}: expected a non-negative finite duration, got {value!r}")
    return seconds


def parse_optional_duration(value: Duration | None, *, what: str = "duration") -> float | None:
    """`parse_duration`, with None passed through (an option that may be left unset)."""
    return None if value is None else parse_duration(value, what=what)


def _parse_text(text: str, what: str, original: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    pos = 0
    total = 0.0
    for match in re.finditer(_PART, text):
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


def did_you_mean(name: str, valid: Iterable[str], label: Callable[[str], str] = str) -> str:
    """ " (did you mean 'x'?)" for the valid name nearest to `name`, or "" when none is near.

    Every "unknown option" error of bootgate's (Python, command line, stack file, HTTP layer)
    uses it; `label` shows a name as its caller spells it (e.g. a Django setting).
    """
    import difflib  # only on this error path

    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" (did you mean {label(close[0])!r}?)" if close else ""
