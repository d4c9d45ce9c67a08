"""Probes that answer from a script, for tests of the waiting engine on a fake clock."""

from __future__ import annotations

from collections.abc import Sequence

from bootgate import FakeClock, ProbeResult, Ready, Transient

Answer = ProbeResult | BaseException | float
"""A handshake's answer: a result, an exception to raise, or seconds to hang first (then Ready)."""


class Scripted:
    """A layered probe (the core's LayeredProbe protocol): `refusals` refused connects, then
    the handshakes answer in turn from `handshakes`, the last one repeated. Each handshake's
    start time is kept."""

    def __init__(
        self,
        refusals: int,
        handshakes: Sequence[Answer],
        clock: FakeClock,
        display: str = "tcp://scripted:1",
    ) -> None:
        self.refusals = refusals
        self.answers = list(handshakes)
        self.clock = clock
        self.display = display
        self.connects = 0
        self.handshake_times: list[float] = []

    async def reachable(self) -> Transient | None:
        """Refuse while refusals are left."""
        self.connects += 1
        if self.refusals:
            self.refusals -= 1
            return Transient("connection refused")
        return None

    async def deep(self) -> ProbeResult:
        """The next scripted answer."""
        self.handshake_times.append(self.clock.now())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, float):
            await self.clock.sleep(answer)
            return Ready("after a hang")
        return answer

    async def __call__(self) -> ProbeResult:
        """Both layers, as a caller that knows nothing of layers would run them."""
        refused = await self.reachable()
        return refused if refused is not None else await self.deep()


class Plain:
    """A probe without layers whose attempts answer from a script, the last one repeated."""

    def __init__(self, answers: Sequence[Answer], clock: FakeClock) -> None:
        self.answers = list(answers)
        self.clock = clock
        self.display = "plain://probe"
        self.times: list[float] = []

    async def __call__(self) -> ProbeResult:
        """The next scripted answer."""
        self.times.append(self.clock.now())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, float):
            await self.clock.sleep(answer)
            return Ready("after a hang")
        return answer
