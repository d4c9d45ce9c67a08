"""`http://` and `https://`: ready when a GET answers an allowed status (default: any 2xx).

A bootgate service's own endpoint (…/readyz, …/status) is followed over its status stream
instead (see `follow`), unless a status set is given.

5xx, 408, 425 and 429 are transient and their `Retry-After` is passed on; other 4xx, and
redirects unless allowed with `status`, are permanent. So is a TLS verification failure.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence

from bootgate._probe import Permanent, ProbeResult, Ready, Transient

from ._base import LayeredProbe, Session, open_stream, tls_context
from ._httpwire import HEAD_LIMIT, HttpOptions, build_request, classify_status, parse_head
from ._target import Target


class HttpProbe(LayeredProbe):
    """One GET per attempt on a fresh connection; the status decides, the body is not read."""

    def __init__(self, target: Target, options: HttpOptions) -> None:
        super().__init__(target)
        self.options = options
        self._request = build_request(target, options.headers)
        self._tls: ssl.SSLContext | None = None
        if target.scheme == "https":
            self._tls = tls_context(
                ca_file=options.ca_file,
                cert_file=options.cert_file,
                key_file=options.key_file,
                insecure=options.insecure,
            )

    async def handshake(self) -> ProbeResult:
        """Send the request and classify the status."""
        try:
            stream = await open_stream(self.target, self._tls)
        except ssl.SSLCertVerificationError as exc:
            return Permanent(f"TLS verification failed: {exc.verify_message or exc.reason}")
        async with Session(stream) as session:
            await session.send(self._request)
            try:
                head = await session.until(b"\r\n\r\n", HEAD_LIMIT)
                status, headers = parse_head(head)
            except ValueError as exc:
                return Transient(f"bad HTTP answer: {exc}")
        kind, reason, hint = classify_status(status, headers, self.options.statuses)
        if kind == "ready":
            return Ready(reason)
        if kind == "transient":
            return Transient(reason, hint)
        return Permanent(reason)


def make_http(
    target: Target,
    *,
    status: str | Sequence[int] | None = None,
    headers: Mapping[str, str] | Sequence[str] | None = None,
    ca_file: str | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
    insecure: bool = False,
    **_: object,
) -> HttpProbe:
    """Build the probe for an http:// or https:// target."""
    options = HttpOptions(
        status=status,
        headers=headers,
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        insecure=insecure,
    )
    if status is None and target.path:
        from .follow import FollowProbe, is_bootgate_url

        if is_bootgate_url(target.path):
            return FollowProbe(target, options)
    return HttpProbe(target, options)
