"""A small service on a fake clock whose steps take as long as each test says."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

from bootgate import Boot, FakeClock, Hook, StepContext


def gateway(
    hooks: Iterable[Hook], took: Mapping[str, float] | None = None, clock: FakeClock | None = None
) -> tuple[Boot, FakeClock]:
    """db → migrations → tenant, and cache beside them; each step sleeps `took[name]` (fake)."""
    clock = clock or FakeClock()
    durations = {"db": 0.0, "migrations": 2.0, "tenant": 0.5, "cache": 1.0, **(took or {})}
    boot = Boot("gateway", clock=clock, hooks=list(hooks), rng=random.Random(3))

    def timed(name: str, requires: list[str]) -> None:
        async def run(ctx: StepContext) -> None:
            await clock.sleep(durations[name])

        boot.step(name=name, requires=requires)(run)

    timed("db", [])
    timed("migrations", ["db"])
    timed("tenant", ["migrations"])
    timed("cache", [])
    return boot, clock


async def start_once(boot: Boot, clock: FakeClock) -> None:
    """Run the boot to ready and shut it down again."""
    async with clock.autojump(), boot.running():
        pass
