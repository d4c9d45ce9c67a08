"""Probes: a URL-scheme registry mapping a target such as `postgres://app@db/app` to a Probe.

Each protocol is written once, as a conversation without I/O (`_conversation`), and driven by
one of two thin transports: anyio streams for `probe_for` (waiters, `Boot`), a blocking socket
for `check` (the cold-start `bootgate check`). Importing this package is cheap (no anyio): a
scheme's module is imported only when a target of that scheme is used.
"""

from __future__ import annotations

from ._check import check
from ._options import NAMES as OPTIONS
from ._options import ProbeOptions
from ._registry import REGISTRY, handshake_for
from ._target import SCHEMES, Target, parse_target
from ._verdict import Verdict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bootgate import Probe


def probe_for(target: str | Target, **options: object) -> Probe:
    """Return the Probe for `target` (a URL such as `redis://:secret@cache:6379/0`).

    Options, named as the command line's flags (each used by the schemes it applies to):
    `status` ("200,204", "2xx" or a list of codes), `header` ("Name: value", a list of such
    lines, or a mapping), `ca_file`, `cert_file`, `key_file`, `insecure` (TLS) and
    `attempt_timeout` (a bound on one attempt). Raises ConfigError (one line naming the bad
    part) for a malformed target, and for an unknown option (naming the nearest valid one).
    """
    settings = ProbeOptions(options)
    handshake = handshake_for(target, settings)
    from ._async import HandshakeProbe  # anyio: only now

    return HandshakeProbe.of(handshake, settings.attempt_timeout)


__all__ = [
    "OPTIONS",
    "REGISTRY",
    "SCHEMES",
    "Target",
    "Verdict",
    "check",
    "parse_target",
    "probe_for",
]
