"""The decision with its waiting done, for adapters that run on an event loop (ASGI, aiohttp).

`Gatekeeper.answer` asks the pure decision and, for a `Hold`, follows the source's snapshots
until it settles or the hold runs out, then asks again; `Gatekeeper.stream` serves a `Stream`
decision through ASGI-shaped `receive`/`send` callables.
"""

from __future__ import annotations

from bootgate import Clock, SystemClock

from ._config import GateConfig
from ._decision import Hold, Pass, Stream, after_hold, decide, settled
from ._request import Request
from ._responses import Response
from ._source import StatusSource, present
from ._sse import closing, stream_status
from ._types import Receive, Send


class Gatekeeper:
    """Answers requests for `source` by `config`, waiting on `clock` (the source's by default)."""

    def __init__(
        self, source: StatusSource, config: GateConfig, clock: Clock | None = None
    ) -> None:
        if not isinstance(source, StatusSource):
            raise TypeError(f"source must have ready, status() and subscribe(), got {source!r}")
        self.source = source
        self.config = config
        self.clock: Clock = clock or getattr(source, "clock", None) or SystemClock()
        self.current = present(source)
        """The source's snapshot read at the present: what every answer is made from."""

    def passes(self, path: str) -> bool:
        """True when a request for `path` goes straight to the app (the check after ready)."""
        return self.config.passes(path, self.source.ready)

    async def answer(self, request: Request) -> Pass | Response | Stream:
        """The decision for `request`, after holding it if the decision says so."""
        source = self.source
        decision = decide(request, source.ready, self.current, self.config)
        if not isinstance(decision, Hold):
            return decision
        await self.hold(decision.seconds)
        return after_hold(request, source.ready, self.current, self.config)

    async def hold(self, seconds: float) -> None:
        """Wait up to `seconds` until the source settles (ready, failed or stopping)."""
        with self.clock.move_on_after(seconds):
            async with closing(self.source.subscribe()) as snapshots:
                async for status in snapshots:
                    if settled(status):
                        return

    async def stream(self, stream: Stream, receive: Receive, send: Send) -> None:
        """Serve the status stream as an ASGI response until shutdown or the client leaves."""
        await stream_status(
            self.source,
            self.clock,
            receive,
            send,
            last_event_id=stream.last_event_id,
            interval=self.config.stream_interval,
            keep_alive=self.config.keep_alive,
        )
