"""bootgate over HTTP: health endpoints, status JSON and stream, the request gate, pages.

Pure ASGI (`Gate`, `asgi`), with a WSGI adapter (`wsgi`, `WsgiGate`) for Flask and Django.
Nothing here is imported by `import bootgate`.
"""

from ._access import Access
from ._gate import TRY_AGAIN_LATER, Gate
from ._lifespan import BootApp, asgi
from ._paths import Paths
from ._render import check_report, gate_document, health_document, retry_after
from ._source import StatusSource
from ._wsgi import WsgiGate, wsgi

__all__ = [
    "TRY_AGAIN_LATER",
    "Access",
    "BootApp",
    "Gate",
    "Paths",
    "StatusSource",
    "WsgiGate",
    "asgi",
    "check_report",
    "gate_document",
    "health_document",
    "retry_after",
    "wsgi",
]
