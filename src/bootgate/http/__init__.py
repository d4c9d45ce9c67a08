"""bootgate over HTTP: health endpoints, status JSON and stream, the request gate, pages.

One sans-IO decision (`decide`: a `Request` and the service's state in, `PASS`, a `Response`,
a `Stream` or a `Hold` out) serves every adapter: pure ASGI (`asgi`, `Gate`), WSGI (`wsgi`,
`WsgiGate`) and the framework integrations, which only translate requests and answers.
`GateOptions` are the options they all take. Nothing here is imported by `import bootgate`.
"""

from ._access import Access
from ._checks import check_report
from ._config import GateConfig, GateOptions
from ._decision import PASS, Decision, Hold, Pass, Stream, after_hold, decide, settled
from ._gate import TRY_AGAIN_LATER, Gate, not_found
from ._keeper import Gatekeeper
from ._lifespan import BootApp, asgi
from ._paths import Paths, Route
from ._render import advised_retry_after, gate_document, health_document
from ._request import Request
from ._responses import Response
from ._signals import stop_on_signals
from ._source import StatusSource
from ._types import ASGIApp, Environ, Message, Receive, Scope, Send, StartResponse, WSGIApp
from ._wsgi import WsgiGate, wsgi

__all__ = [
    "PASS",
    "TRY_AGAIN_LATER",
    "ASGIApp",
    "Access",
    "BootApp",
    "Decision",
    "Environ",
    "Gate",
    "GateConfig",
    "GateOptions",
    "Gatekeeper",
    "Hold",
    "Message",
    "Pass",
    "Paths",
    "Receive",
    "Request",
    "Response",
    "Route",
    "Scope",
    "Send",
    "StartResponse",
    "StatusSource",
    "Stream",
    "WSGIApp",
    "WsgiGate",
    "advised_retry_after",
    "after_hold",
    "asgi",
    "check_report",
    "decide",
    "gate_document",
    "health_document",
    "not_found",
    "settled",
    "stop_on_signals",
    "wsgi",
]
