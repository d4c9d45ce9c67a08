"""Targets as people write them (`postgres://app:secret@db:5432/app`), parsed and validated.

Pure and stdlib-only: the cold-start `check` path imports this without anyio or any driver.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from bootgate._errors import ConfigError
from bootgate._redact import redact

#: Default port per scheme; None means the target must name its port.
DEFAULT_PORTS: dict[str, int | None] = {
    "tcp": None,
    "http": 80,
    "https": 443,
    "postgres": 5432,
    "postgresql": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "redis": 6379,
    "rediss": 6379,
    "amqp": 5672,
    "amqps": 5671,
    "nats": 4222,
    "mqtt": 1883,
}
#: Schemes whose target is a filesystem path rather than host:port.
PATH_SCHEMES = ("unix", "file")
SCHEMES = tuple(sorted((*DEFAULT_PORTS, *PATH_SCHEMES)))


class Target:
    """One parsed target. `display` is the target as people may see it: passwords as ***."""

    __slots__ = ("display", "host", "password", "path", "port", "query", "raw", "scheme", "user")

    def __init__(
        self,
        raw: str,
        scheme: str,
        host: str,
        port: int,
        path: str,
        user: str | None,
        password: str | None,
        query: dict[str, list[str]],
    ) -> None:
        self.raw = raw
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.user = user
        self.password = password
        self.query = query
        self.display = redact(raw)

    def option(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter `name`, or `default`."""
        values = self.query.get(name)
        return values[-1] if values else default

    def __repr__(self) -> str:
        return f"Target({self.display!r})"


def parse_target(text: str) -> Target:
    """Parse `text` into a Target; raise ConfigError naming the bad part (one line)."""
    raw = text.strip()
    if not raw:
        raise ConfigError("empty target")
    shown = redact(raw)
    if "://" not in raw:
        raise ConfigError(f"{shown}: missing scheme (write e.g. tcp://{shown} or http://{shown})")
    scheme = raw.split("://", 1)[0].lower()
    if scheme not in DEFAULT_PORTS and scheme not in PATH_SCHEMES:
        raise ConfigError(f"{shown}: unknown scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    parts = urlsplit(raw)
    query = parse_qs(parts.query, keep_blank_values=True)
    if scheme in PATH_SCHEMES:
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise ConfigError(f"{shown}: missing path (write {scheme}:///absolute/path)")
        return Target(raw, scheme, "", 0, path, None, None, query)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{shown}: bad port (must be a number from 1 to 65535)") from None
    host = parts.hostname or ""
    if not host:
        raise ConfigError(f"{shown}: missing host")
    if port is None:
        port = DEFAULT_PORTS[scheme]
        if port is None:
            raise ConfigError(f"{shown}: missing port (write {scheme}://{host}:PORT)")
    elif port == 0:
        raise ConfigError(f"{shown}: bad port 0")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return Target(raw, scheme, host, port, parts.path, user, password, query)
