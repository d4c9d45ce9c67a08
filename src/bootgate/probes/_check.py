"""`check`: one blocking attempt per target, built for cold start (Docker HEALTHCHECK, scripts).

Every scheme runs here on the blocking transport: the same protocol conversations as the async
probes, over a plain socket, with no asyncio, no anyio, no typing and no dataclasses imported.
"""

from __future__ import annotations

from ._blocking import attempt
from ._options import ProbeOptions
from ._registry import handshake_for

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    from ._target import Target
    from ._verdict import Verdict


def check(target: str | Target, *, timeout: float = 3.0, **options: object) -> Verdict:
    """Make one attempt at `target` within `timeout` seconds and say how it went.

    Takes the options of `bootgate.probes.probe_for`. A bootgate service's /readyz is looked
    at once (a plain GET), not followed. Raises ConfigError for a malformed target or an
    unknown option.
    """
    handshake = handshake_for(target, ProbeOptions(options)).single()
    return attempt(handshake, timeout)
