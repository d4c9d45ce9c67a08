"""Defaults from `BOOTGATE_*` environment variables, for the library and the command line alike.

One name per option everywhere: `--max-interval` is `BOOTGATE_MAX_INTERVAL` is
`Retry(max_interval=...)`. A flag or an explicit argument beats its variable; a variable beats
the built-in default. A bad value is a `ConfigError` that names the variable. Standard library
only, and no `typing`: `bootgate check` reads these on its cold path.
"""

from __future__ import annotations

import os

from ._duration import parse_duration
from ._errors import ConfigError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the `check` path never imports typing
if TYPE_CHECKING:
    from collections.abc import Mapping

#: Retry options for waits that take a duration, with their defaults as people write them.
WAIT_DURATIONS = {
    "timeout": "60s",
    "attempt_timeout": "3s",
    "interval": "50ms",
    "max_interval": "250ms",
}
#: The same defaults in seconds, so a run that sets none parses nothing.
WAIT_SECONDS = {"timeout": 60.0, "attempt_timeout": 3.0, "interval": 0.05, "max_interval": 0.25}
#: An attempt count that stands for "no bound" once `timeout` is 0 (none): a policy must bound
#: attempts or time, and this bound is never reached.
UNBOUNDED_ATTEMPTS = 2**62


def variable(option: str) -> str:
    """The environment variable of an option: "max_interval" -> "BOOTGATE_MAX_INTERVAL"."""
    return "BOOTGATE_" + option.upper()


def wait_options(
    given: Mapping[str, str | None] | None = None, env: Mapping[str, str] | None = None
) -> dict[str, float | int | None]:
    """Retry options for waiting on dependencies: `given` (flags) beat `env`, which beats none.

    Only options that were given or set are returned, so the result updates a policy:
    `WAIT_RETRY.replace(**wait_options())`. A timeout of 0 means none, as on the command line.
    """
    env = os.environ if env is None else env
    given = given or {}
    options: dict[str, float | int | None] = {}
    for name in WAIT_DURATIONS:
        value, source = _pick(name, given, env)
        if value is None:
            continue
        seconds = parse_duration(value, what=source)
        options[name] = None if seconds == 0 and name.endswith("timeout") else seconds
    value, source = _pick("attempts", given, env)
    if value is not None:
        options["attempts"] = _attempts(value, source)
    if "timeout" in options and options["timeout"] is None and "attempts" not in options:
        options["attempts"] = UNBOUNDED_ATTEMPTS
    return options


def header_lines(env: Mapping[str, str] | None = None) -> list[str]:
    """`BOOTGATE_HEADER`: one `Name: value` header per line (a value may hold commas)."""
    raw = (os.environ if env is None else env).get(variable("header"), "")
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _pick(
    name: str, given: Mapping[str, str | None], env: Mapping[str, str]
) -> tuple[str | None, str]:
    value = given.get(name)
    if value is not None:
        return value, "--" + name.replace("_", "-")
    return env.get(variable(name)), variable(name)


def _attempts(value: str, source: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ConfigError(f"{source}: expected a whole number of attempts >= 1, got {value!r}")
    return int(text)
