"""The gate's options: keyword arguments, their `BOOTGATE_*` environment twins, validation.

Every adapter (`asgi`, `Gate`, `wsgi`, `WsgiGate`, the integrations) takes the same options
and turns them into one `GateConfig` here. An explicit argument beats its environment
variable, which beats the default; an unknown option name is refused with the nearest valid
one; a bad value is a one-line `ConfigError` naming the option or the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypedDict

from bootgate import ConfigError, did_you_mean, parse_duration

from ._access import Access
from ._paths import Paths, Route

Duration = str | float | int | timedelta


class GateOptions(TypedDict, total=False):
    """The keyword options every adapter takes (`**options` of `asgi`, `wsgi`, `setup`, ...).

    `paths`: where the endpoints live; `hold`: how long a request made during startup waits
    for readiness before it gets the 503; `exempt`: path prefixes that always reach the app;
    `dashboard`: True (loopback clients) or an `Access` rule; `stream`: False answers the
    status stream with 404; `stream_interval`: the least time between two stream events;
    `keep_alive`: idle time after which the stream sends a comment.
    """

    paths: Paths
    hold: Duration
    exempt: Iterable[str] | str
    dashboard: Access | bool
    stream: bool
    stream_interval: Duration
    keep_alive: Duration


OPTIONS: tuple[str, ...] = tuple(GateOptions.__annotations__)  # in the order above

#: The environment variable of each option (the command line's `BOOTGATE_<NAME>` rule).
ENVIRONMENT = {name: "BOOTGATE_" + name.upper() for name in OPTIONS if name != "paths"}
#: Set, it switches the dashboard on for its holders (and loopback clients).
DASHBOARD_TOKEN = "BOOTGATE_DASHBOARD_TOKEN"
#: The environment variable of each `Paths` field.
PATH_ENVIRONMENT = {
    "prefix": "BOOTGATE_HEALTH_PREFIX",
    "livez": "BOOTGATE_LIVEZ_PATH",
    "readyz": "BOOTGATE_READYZ_PATH",
    "startupz": "BOOTGATE_STARTUPZ_PATH",
    "status": "BOOTGATE_STATUS_PATH",
    "stream": "BOOTGATE_STREAM_PATH",
    "assets": "BOOTGATE_ASSETS_PATH",
    "dashboard": "BOOTGATE_DASHBOARD_PATH",
}

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_DASHBOARD_ROUTES = frozenset({Route.DASHBOARD, Route.DASHBOARD_SCRIPT})
#: The probe endpoints that also answer for one check alone (`/readyz/<name>`).
_PER_CHECK = (Route.LIVEZ, Route.READYZ, Route.STARTUPZ)


@dataclass(frozen=True, slots=True)
class GateConfig:
    """The gate's options, validated: what the decision and the adapters read.

    Build it with `GateConfig.from_options(options)` (which reads the environment) or
    directly with values already in their final types (durations in seconds).
    """

    paths: Paths = field(default_factory=Paths)
    hold: float = 0.0
    exempt: tuple[str, ...] = ()
    dashboard: Access | None = None
    stream: bool = True
    stream_interval: float = 0.1
    keep_alive: float = 15.0
    _routes: dict[str, Route] = field(init=False, repr=False, compare=False)
    _checks: dict[str, Route] = field(init=False, repr=False, compare=False)
    _check_prefixes: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        routes = self.paths.routes()
        if self.dashboard is None:  # the dashboard's paths are the app's while it is off
            routes = {path: r for path, r in routes.items() if r not in _DASHBOARD_ROUTES}
        object.__setattr__(self, "_routes", routes)
        checks = {path + "/": r for path, r in routes.items() if r in _PER_CHECK}
        object.__setattr__(self, "_checks", checks)
        object.__setattr__(self, "_check_prefixes", tuple(checks))

    @classmethod
    def from_options(
        cls,
        options: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        label: Callable[[str], str] = str,
        also: Iterable[str] = (),
    ) -> GateConfig:
        """Validate keyword `options`; `BOOTGATE_*` variables of `env` fill in the others.

        `env` defaults to the process environment; `label` names an option in error messages
        (e.g. as the setting it came from); `also` lists the caller's own keyword names, so a
        misspelling of one of those is named too.
        """
        cls.reject_unknown(options, also=also, label=label)
        read = _Reader(options, os.environ if env is None else env, label)
        return cls(
            paths=read.paths(),
            hold=read.duration("hold", 0.0),
            exempt=read.exempt(),
            dashboard=read.dashboard(),
            stream=read.flag("stream", True),
            stream_interval=read.duration("stream_interval", 0.1),
            keep_alive=read.duration("keep_alive", 15.0, positive=True),
        )

    @staticmethod
    def reject_unknown(
        options: Iterable[str], *, also: Iterable[str] = (), label: Callable[[str], str] = str
    ) -> None:
        """Raise ConfigError naming the first unknown option name and the nearest valid one.

        `also` are the caller's own keyword names (valid suggestions, not valid options);
        `label` names an option in the message (e.g. as the setting it came from).
        """
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            name = unknown[0]
            hint = did_you_mean(name, [*OPTIONS, *also], label)
            raise ConfigError(f"unknown option {label(name)!r}{hint}")

    def route(self, path: str) -> Route | None:
        """The endpoint `path` (without the mount point) names, or None for the app's paths."""
        return self._routes.get(path)

    def check(self, path: str) -> tuple[Route, str] | None:
        """For `/readyz/<name>` (and the livez and startupz twins): the probe and the check's
        name; None for any other path."""
        if not path.startswith(self._check_prefixes):
            return None
        for prefix, route in self._checks.items():
            if path.startswith(prefix) and len(path) > len(prefix):
                return route, path[len(prefix) :]
        return None

    def passes(self, path: str, ready: bool) -> bool:
        """True when a request for `path` goes straight to the app: the one check after ready."""
        return ready and path not in self._routes and not path.startswith(self._check_prefixes)

    def exempts(self, path: str) -> bool:
        """True when `path` starts with an exempt prefix (it reaches the app at any time)."""
        return bool(self.exempt) and path.startswith(self.exempt)


class _Reader:
    """Each option from the keyword arguments, else from its environment variable."""

    def __init__(
        self, options: Mapping[str, Any], env: Mapping[str, str], label: Callable[[str], str]
    ) -> None:
        self.options = options
        self.env = env
        self.label = label

    def get(self, name: str) -> tuple[Any, str, bool]:
        """(value or None, what to call it in an error, whether it came from the environment)."""
        if name in self.options:
            return self.options[name], self.label(name), False
        variable = ENVIRONMENT[name]
        return self.env.get(variable), variable, True

    def duration(self, name: str, default: float, *, positive: bool = False) -> float:
        value, what, _ = self.get(name)
        if value is None:
            return default
        seconds = parse_duration(value, what=what)
        if positive and seconds <= 0:
            raise ConfigError(f"{what}: must be more than 0, got {value!r}")
        return seconds

    def flag(self, name: str, default: bool) -> bool:
        value, what, from_env = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if not from_env:
            raise TypeError(f"{what} must be True or False, got {value!r}")
        text = value.strip().lower()
        if text not in _TRUE and text not in _FALSE:
            raise ConfigError(f"{what}={value!r} is not a boolean (use 1/0, true/false)")
        return text in _TRUE

    def exempt(self) -> tuple[str, ...]:
        value, what, _ = self.get("exempt")
        if value is None:
            return ()
        if isinstance(value, str):  # several prefixes in one string, as in the environment
            value = re.split(r"[,\s]+", value.strip())
        if not isinstance(value, Iterable):
            raise TypeError(f"{what} must be a list of path prefixes, got {value!r}")
        prefixes = tuple(p for p in value if p != "")
        for prefix in prefixes:
            if not isinstance(prefix, str):
                raise TypeError(f"{what} must hold path prefixes (str), got {prefix!r}")
            if not prefix.startswith("/"):
                raise ConfigError(f"{what}: a path prefix must start with '/', got {prefix!r}")
        return prefixes

    def dashboard(self) -> Access | None:
        if "dashboard" in self.options:
            value = self.options["dashboard"]
            if isinstance(value, Access):
                return value
            if value is True:
                return Access()
            if value is False or value is None:
                return None
            raise TypeError(f"{self.label('dashboard')} must be a bool or an Access, got {value!r}")
        token = self.env.get(DASHBOARD_TOKEN)
        if token:
            try:
                return Access(token=token)
            except ValueError as exc:  # never echo the token itself
                raise ConfigError(f"{DASHBOARD_TOKEN}: {exc}") from None
        return Access() if self.flag("dashboard", False) else None

    def paths(self) -> Paths:
        if "paths" in self.options:
            paths = self.options["paths"]
            if paths is None:
                return Paths()
            if not isinstance(paths, Paths):
                raise TypeError(
                    f"{self.label('paths')} must be a bootgate.http.Paths, got {paths!r}"
                )
            return paths
        given = {key: self.env[var] for key, var in PATH_ENVIRONMENT.items() if var in self.env}
        for key, value in given.items():
            if value and not value.startswith("/"):
                raise ConfigError(f"{PATH_ENVIRONMENT[key]}: must start with '/', got {value!r}")
        try:
            return Paths(**given)
        except ValueError as exc:  # two endpoints on one path
            names = ", ".join(PATH_ENVIRONMENT[key] for key in given)
            raise ConfigError(f"{names}: {exc}") from None


def resolve(
    config: GateConfig | None, options: Mapping[str, Any], *, also: Iterable[str] = ()
) -> GateConfig:
    """An adapter's `config=` if given, else one made from its keyword `options`."""
    if config is None:
        return GateConfig.from_options(options, also=("config", *also))
    if options:
        raise TypeError(f"give options or config=, not both (got {', '.join(sorted(options))})")
    if not isinstance(config, GateConfig):
        raise TypeError(f"config must be a bootgate.http.GateConfig, got {config!r}")
    return config
