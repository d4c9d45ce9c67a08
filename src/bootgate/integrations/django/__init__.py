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
settings: BOOTGATE_PATHS (a `bootgate.http.Paths`), BOOTGATE_HOLD, BOOTGATE_EXEMPT.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from ._passage import through_gate
from ._runtime import gate, load_boot, shutdown

__all__ = ["GateMiddleware", "gate", "load_boot", "shutdown"]


class GateMiddleware:
    """Keeps requests from the views until the boot is ready; put it first in MIDDLEWARE.

    Before ready, a request gets the gate's 503 with Retry-After (the initializing page for
    browsers, JSON for others), or waits up to BOOTGATE_HOLD for readiness; the health
    endpoints and BOOTGATE_EXEMPT prefixes always go on. After ready: one flag check.
    Works in WSGI and ASGI deployments (sync and async capable).
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
        if self._goes_on(request):
            response: HttpResponseBase = self.get_response(request)
            return response
        return through_gate(self.gate, request) or self.get_response(request)

    async def _serve_async(self, request: HttpRequest) -> HttpResponseBase:
        if not self._goes_on(request):
            if self.gate.hold > 0:  # waiting blocks: not on the event loop
                answer = await sync_to_async(through_gate, thread_sensitive=False)(
                    self.gate, request
                )
            else:
                answer = through_gate(self.gate, request)
            if answer is not None:
                return answer
        response: HttpResponseBase = await self.get_response(request)
        return response

    def _goes_on(self, request: HttpRequest) -> bool:
        gate = self.gate
        return gate.boot.ready or gate.paths.route(request.path_info) is not None
