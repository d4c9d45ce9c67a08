"""Small helpers for engine tests: a boot on a fake clock that records its events."""

from __future__ import annotations

import random

from bootgate import Boot, Event, EventKind, FakeClock


class Recorder:
    """A hook that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self, node: str | None = None) -> list[EventKind]:
        """The kinds of events seen, optionally for one node only."""
        return [e.kind for e in self.events if node is None or (e.node and e.node.name == node)]


def fake_boot(name: str = "svc", grace: float = 10.0) -> tuple[Boot, FakeClock, Recorder]:
    """A Boot on a fresh FakeClock with a seeded RNG and a recording hook."""
    clock = FakeClock()
    recorder = Recorder()
    boot = Boot(name, clock=clock, hooks=[recorder], grace=grace, rng=random.Random(7))
    return boot, clock, recorder
