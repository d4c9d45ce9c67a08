"""bootgate for Django: a gate middleware, health URLs, and the boot named in settings.

```text
# settings.py
BOOTGATE_BOOT = "myproject.startup:boot"          # a bootgate.Boot, "module:attribute"
MIDDLEWARE = ["bootgate.integrations.django.GateMiddleware", *MIDDLEWARE]   # first
# urls.py
urlpatterns = [path("", include("bootgate.integrations.django.urls")), ...]
```

The boot starts once per process, when Django builds its request handler (WSGI or ASGI), on
a background event loop; it is torn down at interpreter exit or by `shutdown()`. Optional
settings, one per `bootgate.http.GateOptions` option: BOOTGATE_PATHS (a `bootgate.http.Paths`),
BOOTGATE_HOLD, BOOTGATE_EXEMPT, BOOTGATE_DASHBOARD, BOOTGATE_STREAM, BOOTGATE_STREAM_INTERVAL,
BOOTGATE_KEEP_ALIVE; an environment variable of the same name applies when the setting is
absent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from ._passage import answer, answer_async
from ._runtime import gate, load_boot, shutdown

__all__ = ["GateMiddleware", "gate", "load_boot", "shutdown"]


class GateMiddleware:
    """Keeps requests from the views until the boot is ready; put it first in MIDDLEWARE.

    Answers the health endpoints, the status and its stream; before ready, a request gets the
    gate's 503 with Retry-After (the initializing page for browsers, JSON for others), or waits
    up to BOOTGATE_HOLD for readiness; BOOTGATE_EXEMPT prefixes always go on. After ready: one
    flag check. Works in WSGI and ASGI deployments (sync and async capable).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.gate = gate()  # starts the boot, once per process
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Serve one request (a coroutine under ASGI)."""
        if self._async:
            return self._serve_async(request)
        if not self.gate.passes(request.path_info):
            answered = answer(self.gate, request)
            if answered is not None:
                return answered
        response: HttpResponseBase = self.get_response(request)
        return response

    async def _serve_async(self, request: HttpRequest) -> HttpResponseBase:
        if not self.gate.passes(request.path_info):
            answered = await answer_async(self.gate, request)
            if answered is not None:
                return answered
        response: HttpResponseBase = await self.get_response(request)
        return response
