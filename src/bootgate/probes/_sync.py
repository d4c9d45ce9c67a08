"""`check`: one synchronous attempt per target, built for cold start (Docker HEALTHCHECK, scripts).

For tcp, unix, file and http(s) targets it uses only socket, ssl (https only) and os: no
asyncio, no anyio, no dataclasses. Other schemes run their async probe once under anyio.
"""

from __future__ import annotations

import os
import socket

from ._httpwire import HEAD_LIMIT, HttpOptions, build_request, classify_status, parse_head
from ._oserror import describe_os_error
from ._target import Target, parse_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from bootgate._probe import ProbeResult

_KINDS = ("ready", "transient", "permanent")


class Verdict:
    """The outcome of one check: `kind` is "ready", "transient" or "permanent"."""

    __slots__ = ("kind", "reason", "retry_after")

    def __init__(self, kind: str, reason: str, retry_after: float | None = None) -> None:
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
        self.kind = kind
        self.reason = reason
        self.retry_after = retry_after

    @property
    def ready(self) -> bool:
        """True when the target is ready."""
        return self.kind == "ready"

    def result(self) -> ProbeResult:
        """The same outcome as a `bootgate.Ready`, `Transient` or `Permanent`."""
        from bootgate._probe import Permanent, Ready, Transient

        if self.kind == "ready":
            return Ready(self.reason)
        if self.kind == "transient":
            return Transient(self.reason, self.retry_after)
        return Permanent(self.reason)

    def __repr__(self) -> str:
        return f"Verdict({self.kind!r}, {self.reason!r}, {self.retry_after!r})"


def check(target: str | Target, *, timeout: float = 3.0, **options: Any) -> Verdict:
    """Make one attempt at `target` within `timeout` seconds and say how it went.

    Takes the options of `bootgate.probes.probe_for`. Raises ConfigError for a malformed
    target and MissingExtraError for a scheme whose driver is not installed.
    """
    parsed = target if isinstance(target, Target) else parse_target(target)
    scheme = parsed.scheme
    if scheme in ("http", "https"):
        return _check_http(parsed, timeout, HttpOptions(**options))
    if scheme == "tcp":
        return _connect(socket.AF_INET, (parsed.host, parsed.port), timeout)
    if scheme == "unix":
        return _connect(socket.AF_UNIX, parsed.path, timeout)
    if scheme == "file":
        if os.path.exists(parsed.path):
            return Verdict("ready", "exists")
        return Verdict("transient", "no such file")
    return _check_async(parsed, timeout, options)


def _connect(family: int, address: Any, timeout: float) -> Verdict:
    try:
        if family == socket.AF_UNIX:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout)
                sock.connect(address)
        else:
            connect(address[0], address[1], timeout).close()
    except OSError as exc:
        return Verdict("transient", describe_os_error(exc))
    return Verdict("ready", "connected")


def connect(host: str, port: int, timeout: float) -> socket.socket:
    """Like socket.create_connection, but an ASCII host is passed as bytes: a str host makes
    getaddrinfo load the idna codec (with unicodedata), which costs a cold start dearly."""
    name: str | bytes = host.encode("ascii") if host.isascii() else host
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error or OSError(f"no address for {host}")


def _check_http(target: Target, timeout: float, options: HttpOptions) -> Verdict:
    request = build_request(target, options.headers)
    try:
        sock = connect(target.host, target.port, timeout)
    except OSError as exc:
        return Verdict("transient", describe_os_error(exc))
    try:
        if target.scheme == "https":
            import ssl  # only https pays for it

            context = ssl.create_default_context(cafile=options.ca_file)
            if options.cert_file:
                context.load_cert_chain(options.cert_file, options.key_file)
            if options.insecure:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            try:
                sock = context.wrap_socket(sock, server_hostname=target.host)
            except ssl.SSLCertVerificationError as exc:
                reason = exc.verify_message or exc.reason
                return Verdict("permanent", f"TLS verification failed: {reason}")
        sock.sendall(request)
        head = _read_head(sock)
        status, headers = parse_head(head)
    except ValueError as exc:
        return Verdict("transient", f"bad HTTP answer: {exc}")
    except OSError as exc:
        return Verdict("transient", describe_os_error(exc))
    finally:
        sock.close()
    kind, reason, hint = classify_status(status, headers, options.statuses)
    return Verdict(kind, reason, hint)


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ValueError("connection closed before the status line")
        data += chunk
        if len(data) > HEAD_LIMIT:
            raise ValueError("response head too long")
    return data.split(b"\r\n\r\n", 1)[0]


def _check_async(target: Target, timeout: float, options: dict[str, Any]) -> Verdict:
    import anyio

    from . import probe_for

    probe = probe_for(target, attempt_timeout=timeout, **options)

    async def attempt() -> ProbeResult | None:
        with anyio.move_on_after(timeout):
            return await probe()
        return None

    result = anyio.run(attempt)
    if result is None:
        return Verdict("transient", f"no answer within {timeout:g}s")
    from bootgate._probe import Permanent, Ready

    if isinstance(result, Ready):
        return Verdict("ready", result.detail)
    if isinstance(result, Permanent):
        return Verdict("permanent", result.reason)
    return Verdict("transient", result.reason, result.retry_after)
