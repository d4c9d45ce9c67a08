"""Targets as people write them (`postgres://app:secret@db:5432/app`), parsed and validated.

A target is parsed by hand, strictly, rather than trusted to `urlsplit`: every part is checked
(scheme, user, password, host name or address, port, path, known query options), and anything
that is not a valid target is one `ConfigError` line. What people see, `display`, is built from
the parsed parts with the password, a NATS token and secret query values as `***`, never by
searching the raw text; the secrets themselves are remembered so that `redact` scrubs them by
value from anything else that might quote them. An error about a target that did not parse
shows only what cannot be a secret. Pure and stdlib-only: the cold-start `check` path imports
this without anyio or any driver.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qs, quote, unquote

from bootgate._errors import ConfigError
from bootgate._redact import remember_secret, secret_key

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
#: Schemes whose user part alone (`nats://TOKEN@host`) is a credential, not a name.
TOKEN_SCHEMES = ("nats",)
#: Query options whose value must be one of a few words.
CHOICES = {
    "sslmode": ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
}
#: Characters a path may keep as they are in an HTTP request line; others are %-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class Target:
    """One parsed target. `display` is the target as people may see it: secrets as ***."""

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
        display: str,
    ) -> None:
        self.raw = raw
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.user = user
        self.password = password
        self.query = query
        self.display = display

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
    if not raw.isprintable():
        where = next(i for i, char in enumerate(raw) if not char.isprintable())
        code = f"U+{ord(raw[where]):04X}"
        raise ConfigError(f"target has a control or invisible character ({code} at {where + 1})")
    scheme, sep, rest = raw.partition("://")
    if not sep:
        raise ConfigError(f"{_shown_unparsed(raw)}: missing scheme (write e.g. tcp://HOST:PORT)")
    scheme = scheme.lower()
    if scheme not in DEFAULT_PORTS and scheme not in PATH_SCHEMES:
        known = ", ".join(SCHEMES)
        raise ConfigError(f"{_shown_unparsed(raw)}: unknown scheme {scheme!r} (known: {known})")
    rest, _, _fragment = rest.partition("#")
    rest, _, query_text = rest.partition("?")
    query = _query(query_text, scheme)
    if scheme in PATH_SCHEMES:
        path = unquote(rest)
        if not path:
            raise ConfigError(f"{scheme}://: missing path (write {scheme}:///absolute/path)")
        display = f"{scheme}://{path}" + _query_display(query)
        return Target(raw, scheme, "", 0, path, None, None, query, display)
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    userinfo, at, hostport = authority.rpartition("@")
    user = password = None
    if at:
        name, colon, secret = userinfo.partition(":")
        user = unquote(name)
        if colon:
            password = unquote(secret)
        elif scheme in TOKEN_SCHEMES and user:
            password, user = user, None  # the token is the credential: held as the password
    head = f"{scheme}://" + _userinfo_display(user, password)
    if "@" in path and not at and scheme not in ("http", "https"):
        # `postgres://app:pa/ss@db/x`: the '/' ended the authority inside the password.
        raise ConfigError(
            f"{_shown_unparsed(raw)}: '@' after the host (a password with '/', '?' or '#' "
            "must be percent-encoded: %2F, %3F, %23)"
        )
    host, port, given = _host_port(hostport, scheme, head)
    # A secret equal to a part that is shown anyway (user "postgres", password "postgres")
    # cannot be hidden by scrubbing it: that would only blank out the scheme or the user.
    shown_parts = {scheme, user, host, unquote(path).strip("/")}
    for secret_value in (password, *_secret_values(query)):
        if secret_value and secret_value not in shown_parts:
            remember_secret(secret_value)
    if scheme in ("http", "https"):
        path = quote(path, safe=_PATH_SAFE)
    shown_host = f"[{host}]" if ":" in host else host
    shown_port = f":{port}" if given else ""
    display = f"{head}{shown_host}{shown_port}{quote(path, safe=_PATH_SAFE)}"
    display += _query_display(query)
    return Target(raw, scheme, host, port, path, user, password, query, display)


def _host_port(text: str, scheme: str, head: str) -> tuple[str, int, bool]:
    """Host and port of `text`, and whether the port was written."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ConfigError(f"{head}{text}: unclosed '[' in an IPv6 address")
        host, after = unquote(text[1:end]), text[end + 1 :]
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ConfigError(f"{head}{text}: {host!r} is not an IPv6 address") from None
        if address.version != 6:
            raise ConfigError(f"{head}{text}: only IPv6 addresses go in [brackets]")
        if after and not after.startswith(":"):
            raise ConfigError(f"{head}{text}: unexpected {after!r} after the address")
        host = _numeric_scope(host, f"{head}{text}")
        port_text = after[1:] if after else None
    else:
        host, colon, port_text_or_empty = text.rpartition(":")
        if not colon:
            host, port_text = text, None
        else:
            port_text = port_text_or_empty
        host = _host_name(unquote(host), head, text)
    shown = f"{head}{text}"
    if not host:
        raise ConfigError(f"{shown}: missing host")
    if port_text is None or port_text == "":
        default = DEFAULT_PORTS[scheme]
        if default is None:
            raise ConfigError(f"{shown}: missing port (write {scheme}://HOST:PORT)")
        return host, default, False
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"{shown}: bad port {port_text!r} (must be a number from 1 to 65535)")
    return host, int(port_text), True


def _numeric_scope(host: str, shown: str) -> str:
    """`fe80::1%eth0` as `fe80::1%2`: the C library resolves a zone by name only for link-local
    addresses, by number for every address."""
    address, percent, zone = host.partition("%")
    if not percent or zone.isdecimal():
        return host
    import socket

    try:
        return f"{address}%{socket.if_nametoindex(zone)}"
    except OSError:
        raise ConfigError(f"{shown}: no network interface {zone!r}") from None


def _host_name(host: str, head: str, text: str) -> str:
    """A host name (ASCII letters, digits, '-', '_', '.', or an IDNA name) or an IPv4 address."""
    if not host or set(host) <= _HOST_CHARS:
        if ".." in host or host.startswith("."):
            raise ConfigError(f"{head}{text}: bad host name {host!r} (an empty label)")
        return host
    if ":" in host:
        raise ConfigError(f"{head}{text}: an IPv6 address goes in [brackets]")
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ConfigError(f"{head}{text}: bad host name {host!r}") from None
    if not set(encoded) <= _HOST_CHARS:
        raise ConfigError(f"{head}{text}: bad host name {host!r}")
    return encoded


def _query(text: str, scheme: str) -> dict[str, list[str]]:
    query = parse_qs(text, keep_blank_values=True)
    for name, allowed in CHOICES.items():
        for value in query.get(name, ()):
            if value not in allowed:
                raise ConfigError(
                    f"{scheme}:// target: {name}={value!r} is not one of {', '.join(allowed)}"
                )
    return query


def _secret_values(query: dict[str, list[str]]) -> list[str]:
    return [value for key, values in query.items() if secret_key(key) for value in values]


def _query_display(query: dict[str, list[str]]) -> str:
    if not query:
        return ""
    parts = [
        f"{quote(key, safe='')}={'***' if secret_key(key) else quote(value, safe='')}"
        for key, values in query.items()
        for value in values
    ]
    return "?" + "&".join(parts)


def _userinfo_display(user: str | None, password: str | None) -> str:
    if user is None and password is None:
        return ""
    if password is None:
        return f"{quote(user or '', safe='')}@"
    return "***@" if user is None else f"{quote(user, safe='')}:***@"


def _shown_unparsed(raw: str) -> str:
    """What may be shown of a target that did not parse: no user part, no query."""
    scheme, sep, rest = raw.partition("://")
    if not sep:
        # No scheme: `postgres//app:pw@db/x` or `db:5432`; whatever precedes an '@' may
        # be a password, so only what follows the last one is shown.
        return "***@" + raw.rpartition("@")[2].partition("?")[0] if "@" in raw else raw
    authority_end = len(rest)
    for mark in "/?#":
        found = rest.find(mark)
        if found >= 0:
            authority_end = min(authority_end, found)
    tail = rest[authority_end:].partition("?")[0]
    if "@" in rest:
        return f"{scheme}://***@" + rest.rpartition("@")[2].partition("?")[0]
    return f"{scheme}://{rest[:authority_end]}{tail}"
