"""`asgi(boot, app)`: run a Boot from the server's lifespan, behind the gate.

The boot starts on `lifespan.startup` without waiting (the server accepts connections at once,
so probes and the gate answer during startup) and stays inside `Boot.running()` in the lifespan
task until `lifespan.shutdown`: then readiness drops, the application's own lifespan shuts
down, and the boot tears down in reverse order. The application's lifespan is relayed to it.

With `on_failure="exit"` (the default when the boot's `after_deadline` is "exit"), a startup
that fails for good ends the process: readiness is down already, the application's lifespan
shuts down, the boot tears down, and the process exits with status 3 (see `_exit`), for its
supervisor to restart it. With "stay", the server goes on answering 503 with the reason.
"""

from __future__ import annotations

import logging
from contextlib import aclosing
from typing import Literal, Unpack

import anyio
import anyio.abc

from bootgate import Boot, Clock, ConfigError, redact

from ._config import GateOptions
from ._exit import FAILED_STATUS, end_process
from ._gate import Gate, not_found
from ._signals import stop_on_signals
from ._types import ASGIApp, Message, Receive, Scope, Send


class _InnerLifespan:
    """Relays lifespan messages to the wrapped application, which may not support them."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self._app = app
        self._scope = scope
        self._to_app, self._app_inbox = anyio.create_memory_object_stream[Message](2)
        self._to_us, self._from_app = anyio.create_memory_object_stream[Message](2)
        self.supported = True
        self.error: str | None = None

    async def run(self, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        task_status.started()
        try:
            await self._app(self._scope, self._app_inbox.receive, self._to_us.send)
        except Exception as exc:  # an app without lifespan support raises on the scope type
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._to_us.close()

    async def ask(self, kind: str) -> tuple[bool, str]:
        """Send lifespan.<kind> and wait for the app's answer: (succeeded, message)."""
        if not self.supported:
            return True, ""
        await self._to_app.send({"type": f"lifespan.{kind}"})
        try:
            answer = await self._from_app.receive()
        except anyio.EndOfStream:
            # It ended without answering: it does not do lifespan (the ASGI "auto" rule), unless
            # it failed after having answered startup.
            self.supported = False
            return (True, "") if kind == "startup" else (self.error is None, self.error or "")
        if answer["type"] == f"lifespan.{kind}.complete":
            return True, ""
        if not str(answer.get("type", "")).startswith("lifespan."):
            # It answered as if this were a request (an app written for HTTP only): it does
            # not speak lifespan, which is no failure. Servers treat it the same way.
            self.supported = False
            return True, ""
        return False, str(answer.get("message", "")) or f"the application's lifespan.{kind} failed"

    def close(self) -> None:
        for stream in (self._to_app, self._app_inbox, self._to_us, self._from_app):
            stream.close()


OnFailure = Literal["exit", "stay"]


class BootApp:
    """An ASGI application: `gate` in front of `app`, with the boot run from the lifespan.

    `on_failure` says what a startup that fails for good does to the process: "exit" (status
    3, after the teardown) or "stay" (keep serving the 503 and the reason).
    """

    def __init__(self, boot: Boot, gate: Gate, *, on_failure: OnFailure = "stay") -> None:
        self.boot = boot
        self.gate = gate
        self.on_failure = on_failure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection; the lifespan connection runs the boot."""
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            await self.gate(scope, receive, send)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":  # pragma: no cover - the server's mistake
            return
        inner = _InnerLifespan(self.gate.app, scope)
        started = False
        failed = False
        answer: Message = {"type": "lifespan.shutdown.complete"}
        async with anyio.create_task_group() as tg:
            await tg.start(inner.run)
            try:
                async with self.boot.running(wait=False):
                    with stop_on_signals(self.boot):
                        started, why = await inner.ask("startup")
                        if started:
                            await send({"type": "lifespan.startup.complete"})
                            # lifespan.shutdown (nothing else can come), or a failure to exit
                            failed = not await self._until_shutdown(receive)
                            self.boot.mark_stopping()
                            ok, why = await inner.ask("shutdown")
                            if not ok:
                                answer = {"type": "lifespan.shutdown.failed", "message": why}
                        else:
                            answer = {"type": "lifespan.startup.failed", "message": why}
                # Leaving running() tore the boot down, in reverse order of readiness.
            except Exception as exc:
                what = "shutdown" if started else "startup"
                answer = {"type": f"lifespan.{what}.failed", "message": _describe(exc)}
            finally:
                inner.close()
                tg.cancel_scope.cancel()  # an app still in its lifespan after answering
        if failed:  # nothing asked for a shutdown: nothing to answer; the process ends
            self._exit()
            return
        await send(answer)

    async def _until_shutdown(self, receive: Receive) -> bool:
        """Wait for lifespan.shutdown: True when it came, False when startup failed for good
        first and the process is to exit (only with on_failure="exit")."""
        if self.on_failure != "exit":
            await receive()
            return True
        came = True
        async with anyio.create_task_group() as tg:

            async def shutdown() -> None:
                await receive()
                tg.cancel_scope.cancel()

            async def failure() -> None:
                nonlocal came
                async with aclosing(self.boot.subscribe()) as snapshots:
                    async for status in snapshots:
                        if status.failed and not status.stopping:
                            came = False
                            tg.cancel_scope.cancel()
                            return

            tg.start_soon(shutdown)
            tg.start_soon(failure)
        return came

    def _exit(self) -> None:
        why = "; ".join(self.boot.status().failures()) or "startup failed"
        logging.getLogger("bootgate").error(
            "%s cannot start: %s; exiting with status %d",
            self.boot.name,
            redact(why),
            FAILED_STATUS,
        )
        end_process(FAILED_STATUS)


def _describe(exc: BaseException) -> str:
    return redact(f"{type(exc).__name__}: {exc}")


def asgi(
    boot: Boot,
    app: ASGIApp | None = None,
    *,
    clock: Clock | None = None,
    on_failure: OnFailure | None = None,
    **options: Unpack[GateOptions],
) -> BootApp:
    """Wrap an ASGI app (or none: health endpoints only) with bootgate's endpoints and gate.

    The server's lifespan starts `boot` without waiting and tears it down at shutdown, after
    readiness has dropped and the app's own lifespan has shut down. The options are the
    `Gate`'s (`GateOptions`, with `BOOTGATE_*` environment variables for those not given).
    `on_failure` is what a startup that fails for good does: "exit" ends the process with
    status 3 once torn down, "stay" keeps answering 503 with the reason; by default "exit"
    when the boot's `after_deadline` is "exit", else "stay".
    """
    if on_failure is None:
        on_failure = "exit" if boot.after_deadline == "exit" else "stay"
    elif on_failure not in ("exit", "stay"):
        raise ConfigError(f'on_failure must be "exit" or "stay", got {on_failure!r}')
    gate = Gate(app or not_found, boot, clock=clock, **options)
    return BootApp(boot, gate, on_failure=on_failure)
