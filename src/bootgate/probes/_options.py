"""Probe options, named as the command line's flags: `--ca-file` is `ca_file=`.

`probe_for(target, **options)`, `wait_for(options=...)` and `check(target, **options)` take the
same keys. A key that is not one of them is a ConfigError naming the nearest valid one, never
ignored: `headers=` must not quietly send no header. Every scheme accepts every key (one set of
options serves a list of targets); each uses those that apply to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping  # already loaded by the interpreter's start

from bootgate import ConfigError, did_you_mean

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    import ssl

NAMES = ("attempt_timeout", "ca_file", "cert_file", "header", "insecure", "key_file", "status")
"""Every option key, as its flag's name in snake case (`--attempt-timeout` ...)."""


class ProbeOptions:
    """Validated probe options: allowed HTTP statuses, extra headers, TLS files, a bound."""

    __slots__ = (
        "_tls",
        "attempt_timeout",
        "ca_file",
        "cert_file",
        "headers",
        "insecure",
        "key_file",
        "statuses",
    )

    def __init__(self, options: Mapping[str, object] | None = None) -> None:
        options = options or {}
        for name in options:
            if name not in NAMES:
                raise ConfigError(
                    f"unknown probe option {name!r}{did_you_mean(name, NAMES)}; "
                    f"the options are {', '.join(NAMES)}"
                )
        self.statuses = parse_status_set(options.get("status"))
        self.headers = parse_headers(options.get("header"))
        self.ca_file = _path(options, "ca_file")
        self.cert_file = _path(options, "cert_file")
        self.key_file = _path(options, "key_file")
        insecure = options.get("insecure", False)
        if not isinstance(insecure, bool):
            raise ConfigError(f"--insecure: expected True or False, got {insecure!r}")
        self.insecure = insecure
        bound = options.get("attempt_timeout")
        self.attempt_timeout: float | None = None
        if bound is not None:
            import bootgate

            self.attempt_timeout = bootgate.parse_duration(bound, what="--attempt-timeout")  # type: ignore[arg-type]
        self._tls: ssl.SSLContext | None = None

    def tls(self) -> ssl.SSLContext:
        """The client TLS context these options describe (built once, on first use)."""
        if self._tls is None:
            self._tls = tls_context(
                ca_file=self.ca_file,
                cert_file=self.cert_file,
                key_file=self.key_file,
                insecure=self.insecure,
            )
        return self._tls


def _path(options: Mapping[str, object], name: str) -> str | None:
    value = options.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str | os.PathLike):
        raise ConfigError(f"--{name.replace('_', '-')}: expected a path, got {value!r}")
    return os.fspath(value)


def parse_status_set(spec: object) -> frozenset[int] | None:
    """Parse "200,204", "2xx,301", 204 or [200, 204] into a set of statuses; None: any 2xx."""
    if spec is None:
        return None
    if isinstance(spec, int) and not isinstance(spec, bool):
        spec = str(spec)
    elif not isinstance(spec, str):
        if not isinstance(spec, Iterable):
            raise ConfigError(f"--status: expected statuses like '200,204', got {spec!r}")
        spec = ",".join(str(code) for code in spec)
    codes: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if len(part) == 3 and part[0] in "12345" and part[1:].lower() == "xx":
            base = int(part[0]) * 100
            codes.update(range(base, base + 100))
        elif part.isascii() and part.isdigit() and 100 <= int(part) <= 599:
            codes.add(int(part))
        else:
            raise ConfigError(
                f"--status: {part!r} is not an HTTP status (examples: 200,204 or 2xx)"
            )
    if not codes:
        raise ConfigError("--status: empty status list")
    return frozenset(codes)


def parse_headers(header: object) -> tuple[tuple[str, str], ...]:
    """Headers given as one "Name: value" line, a list of them, or a mapping of name to value."""
    if header is None:
        return ()
    if isinstance(header, str):
        header = [header]
    pairs: list[tuple[str, str]] = []
    if isinstance(header, Mapping):
        pairs = [(str(name), str(value)) for name, value in header.items()]
    elif isinstance(header, Iterable):
        for line in header:
            name, sep, value = str(line).partition(":")
            if not sep:
                raise ConfigError(f"--header: {line!r} is not 'Name: value'")
            pairs.append((name.strip(), value.strip()))
    else:
        raise ConfigError(f"--header: expected 'Name: value' lines, got {header!r}")
    for name, value in pairs:
        if not name or not set(name) <= _TOKEN:
            raise ConfigError(f"--header: {name!r} is not a header name (letters, digits, -)")
        if not all(
            char == "\t" or " " <= char <= "~" or "\x80" <= char <= "\xff" for char in value
        ):
            # The value is not shown: it may be a credential.
            raise ConfigError(
                f"--header: the value of {name!r} holds a control character or one outside"
                " Latin-1 (percent- or base64-encode it)"
            )
    return tuple(pairs)


#: Characters of a header name (RFC 9110 token).
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def tls_context(
    *,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
    insecure: bool = False,
) -> ssl.SSLContext:
    """A client TLS context: the system's CAs or `ca_file`, an optional client cert, or (with
    `insecure`) no checks at all."""
    import ssl  # only a TLS target pays for it

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # what create_default_context makes
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError, ValueError) as exc:  # ValueError: a NUL in the path
            raise ConfigError(f"--ca-file: cannot load {ca_file}: {_why(exc)}") from None
    else:
        _trust_the_system(context)
    if cert_file:
        try:
            context.load_cert_chain(cert_file, key_file)
        except (OSError, ssl.SSLError, ValueError) as exc:  # ValueError: a NUL in the path
            raise ConfigError(f"--cert-file: cannot load {cert_file}: {_why(exc)}") from None
    return context


def _trust_the_system(context: ssl.SSLContext) -> None:
    """The system's CAs, read per lookup from OpenSSL's hashed directory when that holds them
    all, instead of parsing the whole bundle: 30-50 ms less for every https check's start."""
    import ssl

    paths = ssl.get_default_verify_paths()  # SSL_CERT_FILE and SSL_CERT_DIR already applied
    capath = paths.capath and os.path.realpath(paths.capath)
    # The directory holds the same CAs as the bundle when the bundle is absent, or lives in it
    # (Debian, Ubuntu, Alpine: update-ca-certificates writes both); elsewhere, load the bundle.
    same = paths.cafile is None or os.path.dirname(os.path.realpath(paths.cafile)) == capath
    if capath and same and _hashed(capath):
        context.load_verify_locations(capath=capath)
    else:
        context.load_default_certs()


def _hashed(directory: str) -> bool:
    """Whether `directory` is an OpenSSL hash directory (entries named like 5ad8a5d6.0)."""
    with os.scandir(directory) as entries:
        for entry in entries:
            name, dot, suffix = entry.name.partition(".")
            if (
                dot
                and len(name) == 8
                and suffix.isdigit()
                and all(c in "0123456789abcdef" for c in name)
            ):
                return True
    return False


def _why(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc).lower()
