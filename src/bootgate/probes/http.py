"""`http://` and `https://`: ready when a GET answers an allowed status (default: any 2xx).

A bootgate service's own endpoint (…/readyz, …/status) is followed over its status stream
instead (see `follow`), unless a status set is given.

5xx, 408, 425 and 429 are transient and their `Retry-After` is passed on; other 4xx, and
redirects unless allowed with `status`, are permanent. So is a TLS verification failure.
"""

from __future__ import annotations

from ._conversation import SEND, TLS, Handshake, Reader
from ._httpwire import build_request, classify_status, read_head

TYPE_CHECKING = False  # not typing's: the cold-start path must not pay for importing typing
if TYPE_CHECKING:
    import ssl

    from ._conversation import Conversation
    from ._options import ProbeOptions
    from ._target import Target

#: The paths of a bootgate service's own endpoints, whose status stream is beside them.
SUFFIXES = ("/status/stream", "/status", "/readyz")


class HttpHandshake(Handshake):
    """One GET on a fresh connection; the status decides, the body is not read."""

    def __init__(self, target: Target, options: ProbeOptions) -> None:
        super().__init__(target)
        self.options = options
        self.tls: ssl.SSLContext | None = options.tls() if target.scheme == "https" else None
        self.request = build_request(target, options.headers)

    def conversation(self) -> Conversation:
        """TLS if https, the request, the answer's head: classified by its status."""
        if self.tls is not None:
            yield (TLS, self.tls, self.target.host)
        yield (SEND, self.request)
        status, headers = yield from read_head(Reader())
        return classify_status(status, headers, self.options.statuses)


def is_bootgate_url(path: str) -> bool:
    """True for the paths of a bootgate service's own endpoints."""
    return path.rstrip("/").endswith(SUFFIXES)


def stream_path(path: str) -> str:
    """The status stream's path beside /readyz or /status."""
    path = path.rstrip("/")
    for suffix in SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)] + "/status/stream"
    return path + "/status/stream"


def make_http(target: Target, options: ProbeOptions) -> Handshake:
    """The check of an http:// or https:// target (followed if it is a bootgate service's)."""
    if options.statuses is None and is_bootgate_url(target.path):
        from .follow import FollowHandshake

        return FollowHandshake(target, options)
    return HttpHandshake(target, options)
