"""Starlette and FastAPI: run a Boot from the application's lifespan, gate it with middleware.

    from starlette.middleware import Middleware
    from bootgate.http import Gate
    from bootgate.integrations.starlette import lifespan

    app = FastAPI(lifespan=lifespan(boot), middleware=[Middleware(Gate, source=boot)])
    # or, after creating the app: app.add_middleware(GateMiddleware, boot=boot)

The boot starts without waiting (the server answers probes meanwhile). At shutdown readiness
drops first, then the application's own lifespan (if you pass one) shuts down, then the boot
tears down in reverse order. Starlette itself is not imported here: only its lifespan shape
(an async context manager factory taking the app) is used.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, Unpack

from bootgate import Boot, Clock
from bootgate.http import ASGIApp, Gate, GateOptions, stop_on_signals

__all__ = ["GateMiddleware", "lifespan"]

State = Mapping[str, Any]
# The app parameter is Any: this works for Starlette, FastAPI and any subclass of either.
Lifespan = Callable[[Any], AbstractAsyncContextManager[State]]
InnerLifespan = Callable[[Any], AbstractAsyncContextManager[State | None]]


def lifespan(boot: Boot, inner: InnerLifespan | None = None) -> Lifespan:
    """A Starlette/FastAPI `lifespan=` that runs `boot` around `inner` (your own lifespan).

    What `inner` yields (Starlette's lifespan state) is passed on (an empty state if nothing).
    """

    @asynccontextmanager
    async def run(app: Any) -> AsyncIterator[State]:
        async with boot.running(wait=False), AsyncExitStack() as stack:
            stack.enter_context(stop_on_signals(boot))
            state = None if inner is None else await stack.enter_async_context(inner(app))
            try:
                yield {} if state is None else state
            finally:
                # Readiness drops before the app's own shutdown and the boot's teardown.
                boot.mark_stopping()

    return run


class GateMiddleware(Gate):
    """`bootgate.http.Gate` under the keyword `app.add_middleware(GateMiddleware, boot=boot)` uses.

    Serves /livez, /readyz, /startupz, /status and /status/stream, and answers every other
    request with 503 + Retry-After (a page for browsers, JSON otherwise) until `boot` is ready.
    Options are `bootgate.http.GateOptions`, plus `clock`.
    """

    def __init__(
        self,
        app: ASGIApp,
        boot: Boot,
        *,
        clock: Clock | None = None,
        **options: Unpack[GateOptions],
    ) -> None:
        super().__init__(app, boot, clock=clock, **options)
