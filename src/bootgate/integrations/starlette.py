"""bootgate for Starlette and FastAPI: a lifespan that runs the boot, and the gate as middleware.

```text
boot = bootgate.Boot("api")
app = FastAPI(lifespan=lifespan(boot))          # or lifespan(boot, my_lifespan)
app.add_middleware(GateMiddleware, boot=boot)   # health endpoints + the gate
```

`bootgate.http.asgi(boot, app)` does both in one line around any ASGI app; this module is for
code that wants to keep the framework's own `lifespan=` and `add_middleware` idioms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from starlette.types import ASGIApp

from bootgate import Boot, Clock
from bootgate.http import Gate, Paths

__all__ = ["AppLifespan", "GateMiddleware", "lifespan"]

#: What `Starlette(lifespan=...)` takes: the app in, an async context manager out.
AppLifespan = Callable[[Any], AbstractAsyncContextManager[Mapping[str, Any] | None]]


def lifespan(
    boot: Boot, inner: AppLifespan | None = None
) -> Callable[[Any], AbstractAsyncContextManager[Mapping[str, Any]]]:
    """A lifespan for `Starlette(lifespan=...)` / `FastAPI(lifespan=...)` that runs `boot`.

    At startup the boot starts without waiting (the server takes requests at once, so probes
    and the gate answer during startup), then `inner` (the app's own lifespan, if any) starts.
    At shutdown readiness drops first, then `inner` shuts down, then the boot tears down in
    reverse order. The state `inner` yields is passed on, with the boot under "bootgate".
    """

    @asynccontextmanager
    async def run(app: Any) -> AsyncIterator[Mapping[str, Any]]:
        async with boot.running(wait=False):
            try:
                if inner is None:
                    yield {"bootgate": boot}
                else:
                    async with inner(app) as state:
                        try:
                            yield {**(state or {}), "bootgate": boot}
                        finally:
                            boot.mark_stopping()  # before the app's own shutdown runs
            finally:
                boot.mark_stopping()

    return run


class GateMiddleware(Gate):
    """`Gate` under the keyword names `app.add_middleware(GateMiddleware, boot=boot)` uses.

    Serves /livez, /readyz, /startupz, /status and /status/stream, and answers every other
    request with 503 + Retry-After (a page for browsers, JSON otherwise) until `boot` is ready.
    """

    def __init__(
        self,
        app: ASGIApp,
        boot: Boot,
        *,
        paths: Paths | None = None,
        hold: str | float = 0.0,
        exempt: Iterable[str] = (),
        clock: Clock | None = None,
        stream_interval: float = 0.1,
        keep_alive: float = 15.0,
    ) -> None:
        super().__init__(
            app,
            boot,
            paths=paths,
            hold=hold,
            exempt=exempt,
            clock=clock,
            stream_interval=stream_interval,
            keep_alive=keep_alive,
        )
