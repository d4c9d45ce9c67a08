"""Who may see the details: loopback clients, or anyone holding a token."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Access:
    """A rule for pages that show more than the probe answers (the dashboard).

    A request is allowed when it comes from a loopback address (if `loopback`), or carries
    `token` as `Authorization: Bearer <token>` or as `?token=<token>` (for browsers).
    """

    token: str | None = None
    loopback: bool = True

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < 16:
            raise ValueError("an access token must have at least 16 characters")

    def allows(self, client_host: str | None, authorization: str, query_token: str | None) -> bool:
        """True when this request may see the details."""
        if self.loopback and client_host is not None and _is_loopback(client_host):
            return True
        if self.token is None:
            return False
        offered = query_token
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials:
            offered = credentials.strip()
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a unix socket path or a name: not provably local
