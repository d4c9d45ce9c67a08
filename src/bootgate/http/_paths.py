"""Where the health endpoints live: configurable paths under an optional prefix."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from bootgate import ConfigError


class Route(Enum):
    """What a request path asks the HTTP layer for."""

    LIVEZ = "livez"
    READYZ = "readyz"
    STARTUPZ = "startupz"
    STATUS = "status"
    STREAM = "stream"
    SCRIPT = "page.js"
    STYLE = "page.css"
    DASHBOARD = "dashboard"
    DASHBOARD_SCRIPT = "dashboard.js"


def _clean(path: str, what: str) -> str:
    if not isinstance(path, str):
        raise TypeError(f"{what} must be a str, got {type(path).__name__}")
    if path and not path.startswith("/"):
        raise ConfigError(f"{what} must start with '/', got {path!r}")
    return path.rstrip("/") if path != "/" else path


@dataclass(frozen=True, slots=True)
class Paths:
    """Paths of the health endpoints, each joined to `prefix` (e.g. prefix="/-/" gives /-/livez).

    `assets` is where the pages load their script and stylesheet from; they must be served by
    the gate itself, because the application is not reachable while the page shows.
    `dashboard` is routed only when the gate has the dashboard switched on.
    """

    prefix: str = ""
    livez: str = "/livez"
    readyz: str = "/readyz"
    startupz: str = "/startupz"
    status: str = "/status"
    stream: str = "/status/stream"
    assets: str = "/_bootgate"
    dashboard: str = "/bootgate"
    _routes: dict[str, Route] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefix = _clean(self.prefix, "prefix")
        object.__setattr__(self, "prefix", "" if prefix == "/" else prefix)
        routes: dict[str, Route] = {}
        for route, path in (
            (Route.LIVEZ, self.livez),
            (Route.READYZ, self.readyz),
            (Route.STARTUPZ, self.startupz),
            (Route.STATUS, self.status),
            (Route.STREAM, self.stream),
            (Route.SCRIPT, f"{self.assets}/page.js"),
            (Route.STYLE, f"{self.assets}/page.css"),
            (Route.DASHBOARD, self.dashboard),
            (Route.DASHBOARD_SCRIPT, f"{self.assets}/dashboard.js"),
        ):
            full = self.prefix + _clean(path, route.value)
            if full in routes:
                raise ConfigError(f"{route.value} and {routes[full].value} share the path {full!r}")
            routes[full] = route
        object.__setattr__(self, "_routes", routes)

    def routes(self) -> dict[str, Route]:
        """Every endpoint path (with the prefix, without a root_path) and what it names."""
        return dict(self._routes)

    def route(self, path: str) -> Route | None:
        """The endpoint `path` (without the ASGI root_path) names, or None for the app's paths."""
        return self._routes.get(path)

    def url(self, route: Route, root_path: str = "") -> str:
        """The path a browser should use to reach `route` (with the server's root_path)."""
        for path, candidate in self._routes.items():
            if candidate is route:
                return root_path + path
        raise LookupError(route)  # pragma: no cover - every Route is in the table
