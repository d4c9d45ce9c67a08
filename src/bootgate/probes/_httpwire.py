"""HTTP/1.1 on the wire, just enough for a probe: build a request, read a status and headers.

Pure and stdlib-only, shared by the async probe and the cold-start `check` path (which must not
pay for `http.client`'s imports). The body is never read: the status decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bootgate._errors import ConfigError

from ._target import Target

#: ("ready" | "transient" | "permanent", reason, retry-after seconds): tuples, not the
#: dataclasses of `bootgate.Ready` & co., because the cold-start path must not import dataclasses.
Verdict = tuple[str, str, float | None]

__all__ = [
    "HttpOptions",
    "Verdict",
    "build_request",
    "classify_status",
    "parse_head",
    "parse_status_set",
]

#: Statuses that mean "not yet" rather than "never" (DESIGN §4).
TRANSIENT_4XX = frozenset({408, 425, 429})
HEAD_LIMIT = 65536


class HttpOptions:
    """What an HTTP probe may be told: allowed statuses, extra headers, TLS files."""

    __slots__ = ("ca_file", "cert_file", "headers", "insecure", "key_file", "statuses")

    def __init__(
        self,
        *,
        status: str | Sequence[int] | None = None,
        headers: Mapping[str, str] | Sequence[str] | None = None,
        ca_file: str | None = None,
        cert_file: str | None = None,
        key_file: str | None = None,
        insecure: bool = False,
    ) -> None:
        self.statuses = parse_status_set(status)
        self.headers = parse_headers(headers)
        self.ca_file = ca_file
        self.cert_file = cert_file
        self.key_file = key_file
        self.insecure = insecure


def parse_status_set(spec: str | Sequence[int] | None) -> frozenset[int] | None:
    """Parse "200,204" or "2xx,301" into a set of statuses; None means any 2xx."""
    if spec is None:
        return None
    if not isinstance(spec, str):
        return frozenset(int(code) for code in spec)
    codes: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if len(part) == 3 and part[0] in "12345" and part[1:].lower() == "xx":
            base = int(part[0]) * 100
            codes.update(range(base, base + 100))
        elif part.isdigit() and 100 <= int(part) <= 599:
            codes.add(int(part))
        else:
            raise ConfigError(
                f"--status: {part!r} is not an HTTP status (examples: 200,204 or 2xx)"
            )
    if not codes:
        raise ConfigError("--status: empty status list")
    return frozenset(codes)


def parse_headers(headers: Mapping[str, str] | Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    """Normalise headers given as a mapping or as "Name: value" lines."""
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        pairs = list(headers.items())
    else:
        pairs = []
        for line in headers:
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise ConfigError(f"--header: {line!r} is not 'Name: value'")
            pairs.append((name.strip(), value.strip()))
    for name, value in pairs:
        if any(c in name + value for c in "\r\n"):
            raise ConfigError(f"--header: {name!r} contains a line break")
    return tuple(pairs)


def build_request(
    target: Target,
    headers: Sequence[tuple[str, str]],
    *,
    path: str | None = None,
    accept: str = "*/*",
) -> bytes:
    """A GET request for the target's path and query (or `path`), closing the connection after."""
    if path is None:
        path = target.path or "/"
        query = target.raw.split("?", 1)[1].split("#", 1)[0] if "?" in target.raw else ""
        if query:
            path = f"{path}?{query}"
    default = 443 if target.scheme == "https" else 80
    host = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default:
        host = f"{host}:{target.port}"
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "User-Agent: bootgate", f"Accept: {accept}"]
    names = {name.lower() for name, _ in headers}
    lines += [f"{name}: {value}" for name, value in headers]
    if "connection" not in names:
        lines.append("Connection: close")
    if target.user is not None and "authorization" not in names:
        lines.append(f"Authorization: Basic {_basic(target.user, target.password or '')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _basic(user: str, password: str) -> str:
    import base64

    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Parse a response head (status line and headers, without the blank line)."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"not an HTTP response: {lines[0][:60]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    import time
    from email.utils import parsedate_to_datetime  # only on this rare path

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def classify_status(
    status: int, headers: Mapping[str, str], allowed: frozenset[int] | None
) -> Verdict:
    """Ready for an allowed status (default 2xx); else Transient or Permanent per DESIGN §4."""
    if (status in allowed) if allowed is not None else 200 <= status < 300:
        return ("ready", f"HTTP {status}", None)
    hint = retry_after(headers.get("retry-after"))
    if status >= 500 or status in TRANSIENT_4XX:
        return ("transient", f"HTTP {status}", hint)
    if 300 <= status < 400:
        where = headers.get("location", "?")
        return (
            "permanent",
            f"HTTP {status} redirect to {where} (not followed; see --status)",
            None,
        )
    return ("permanent", f"HTTP {status}", None)
