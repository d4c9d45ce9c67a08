"""A dependency that outlasts its startup deadline: a service heals (the default) or exits."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from contextlib import aclosing

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bootgate import (
    Boot,
    ConfigError,
    EventKind,
    FakeClock,
    Permanent,
    Phase,
    ProbeResult,
    Ready,
    Retry,
    StartupError,
    Status,
    Transient,
)
from bootgate.testing import test_mode

from .helpers import Recorder, fake_boot

pytestmark = pytest.mark.anyio

DEADLINE = Retry(timeout=10, interval=0.05, max_interval=0.25)


class ComesBack:
    """A dependency that refuses until `at` (fake seconds), then answers; keeps probe times."""

    def __init__(self, clock: FakeClock, at: float) -> None:
        self.clock = clock
        self.at = at
        self.times: list[float] = []

    async def __call__(self) -> ProbeResult:
        self.times.append(self.clock.now())
        if self.clock.now() >= self.at:
            return Ready()
        return Transient("connection refused")


async def first(boot: Boot, condition: Callable[[Status], object]) -> Status:
    """The first snapshot that satisfies `condition`."""
    statuses = boot.subscribe()
    async with aclosing(statuses):
        async for status in statuses:
            if condition(status):
                return status
    raise AssertionError("the run ended first")


async def test_a_served_dependency_past_its_deadline_heals_when_it_comes_back() -> None:
    """Past the deadline the node stays `waiting`, overdue, with the reason; readiness is
    lowered but startup has not failed; when the dependency answers, its dependents run."""
    boot, clock, events = fake_boot()
    db = boot.dependency("db", ComesBack(clock, at=100), retry=DEADLINE, recheck=None)
    served: list[float] = []

    @boot.step(requires=[db])
    async def app() -> None:
        served.append(clock.now())

    async with clock.autojump(), boot.running(wait=False):
        overdue = await first(boot, lambda s: s.nodes["db"].overdue)
        node = overdue.nodes["db"]
        assert node.phase is Phase.WAITING
        assert node.reason is not None
        assert node.reason.startswith("outlasted its startup deadline: connection refused")
        assert not overdue.failed
        assert not overdue.ready
        await first(boot, lambda s: s.ready)
        healed = boot.status().nodes["db"]
    assert 100 <= served[0] <= 100.25
    assert (healed.overdue, healed.reason, healed.phase) == (False, None, Phase.READY)
    kinds = events.kinds("db")
    assert kinds.count(EventKind.OVERDUE) == 1
    assert EventKind.FAILED not in kinds
    assert EventKind.BOOT_FAILED not in events.kinds()


async def test_the_blocking_chain_says_the_dependency_is_past_its_deadline() -> None:
    """`/readyz?verbose` and the gate read `explain`: it says overdue, with the last error."""
    boot, clock, _ = fake_boot()
    boot.dependency("db", ComesBack(clock, at=1e9), retry=DEADLINE, recheck=None)

    async with clock.autojump(), boot.running(wait=False):
        status = await first(boot, lambda s: s.nodes["db"].overdue and s.nodes["db"].error)
    assert status.explain("db").startswith(
        "past its deadline, still waiting: connection refused, attempt "
    )


async def test_after_the_deadline_the_dependency_is_probed_at_its_capped_interval() -> None:
    """No backoff from scratch and no tight loop: pauses stay within [cap/2, cap]."""
    boot, clock, _ = fake_boot()
    probe = ComesBack(clock, at=30)
    boot.dependency("db", probe, retry=DEADLINE, recheck=None)

    async with clock.autojump(), boot.running(wait=False):
        await first(boot, lambda s: s.ready)
    late = [t for t in probe.times if t > 10.5]
    gaps = [b - a for a, b in itertools.pairwise(late)]
    assert gaps
    assert all(0.125 - 1e-9 <= gap <= 0.25 + 1e-9 for gap in gaps)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(1, 100),
    st.floats(0.001, 100),
    st.floats(0.05, 5),
    st.integers(0, 2**32),
)
def test_readiness_follows_within_one_capped_interval_of_the_return(
    deadline: float, later: float, cap: float, seed: int
) -> None:
    """For any deadline, return time and cap: ready no later than one cap after the return."""
    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[], rng=random.Random(seed))
    back = deadline + later
    boot.dependency(
        "db",
        ComesBack(clock, at=back),
        retry=Retry(timeout=deadline, interval=0.05, max_interval=cap),
        recheck=None,
    )

    async def main() -> float | None:
        async with clock.autojump(), boot.running(wait=False):
            status = await first(boot, lambda s: s.ready)
            return status.nodes["db"].ready_s

    ready_s = anyio.run(main)
    assert ready_s is not None
    assert back <= ready_s <= back + cap + 1e-6


async def test_exit_fails_the_dependency_at_its_deadline() -> None:
    """after_deadline="exit": the node fails, startup can no longer complete (`failed`, a
    `boot_failed` event): what a server reads to exit for its supervisor."""
    clock = FakeClock()
    events = Recorder()
    boot = Boot("svc", clock=clock, hooks=[events], after_deadline="exit")
    boot.dependency("db", ComesBack(clock, at=100), retry=DEADLINE, recheck=None)

    async with clock.autojump(), boot.running(wait=False):
        status = await first(boot, lambda s: s.failed)
    assert boot.after_deadline == "exit"
    assert status.nodes["db"].phase is Phase.FAILED
    assert EventKind.BOOT_FAILED in events.kinds()
    assert 10 - 0.25 <= clock.now() <= 10 + 0.25


async def test_serve_heals_by_default_and_runs_main_once_ready() -> None:
    """A worker under `serve()` waits past the deadline and starts `main()` when ready."""
    boot, clock, _ = fake_boot()
    boot.dependency("db", ComesBack(clock, at=100), retry=DEADLINE, recheck=None)
    began: list[float] = []

    async def main() -> None:
        began.append(clock.now())

    async with clock.autojump():
        await boot.serve(main)
    assert 100 <= began[0] <= 100.25


async def test_serve_raises_startup_error_at_the_deadline_with_exit() -> None:
    """With "exit", `serve()` raises StartupError (a non-zero exit) at the deadline."""
    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[], after_deadline="exit")
    boot.dependency("db", ComesBack(clock, at=100), retry=DEADLINE, recheck=None)

    async def main() -> None:
        raise AssertionError("must never run")

    with pytest.raises(StartupError, match="connection refused"):
        async with clock.autojump():
            await boot.serve(main)
    assert clock.now() < 11


async def test_a_script_waiting_for_ready_gets_startup_error_at_the_deadline() -> None:
    """`running()` waits for an answer: StartupError at the deadline even though the Boot
    heals, naming the dependency's last reason."""
    boot, clock, _ = fake_boot()
    boot.dependency("db", ComesBack(clock, at=100), retry=DEADLINE, recheck=None)

    with pytest.raises(StartupError, match=r"db: failed: connection refused \(gave up after"):
        async with clock.autojump(), boot.running():
            pass
    assert clock.now() < 11


async def test_a_dependency_may_choose_otherwise_than_its_boot() -> None:
    """The dependency's own after_deadline beats the Boot's, both ways."""
    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[], after_deadline="exit")
    boot.dependency("heals", ComesBack(clock, at=20), retry=DEADLINE, after_deadline="heal")
    boot.dependency("exits", ComesBack(clock, at=1e9), retry=DEADLINE)

    async with clock.autojump(), boot.running(wait=False):
        status = await first(boot, lambda s: s.nodes["heals"].ok)
    assert status.nodes["exits"].phase is Phase.FAILED

    other, other_clock, _ = fake_boot()
    other.dependency("db", ComesBack(other_clock, at=1e9), retry=DEADLINE, after_deadline="exit")
    async with other_clock.autojump(), other.running(wait=False):
        assert (await first(other, lambda s: s.failed)).nodes["db"].phase is Phase.FAILED


def test_after_deadline_takes_heal_or_exit_only() -> None:
    """A misspelt choice is a ConfigError naming the nearest valid one."""
    with pytest.raises(
        ConfigError,
        match=r"after_deadline must be \"heal\" or \"exit\", got 'heel' \(did you mean 'heal'\?\)",
    ):
        Boot("svc", after_deadline="heel")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="got 3"):
        Boot("svc").dependency("db", "tcp://127.0.0.1:1", after_deadline=3)  # type: ignore[arg-type]


async def test_a_permanent_answer_while_healing_fails_the_dependency() -> None:
    """Back, but refusing the password: healing stops and the node fails with that reason."""
    boot, clock, _ = fake_boot()

    async def db() -> ProbeResult:
        if clock.now() < 20:
            return Transient("connection refused")
        return Permanent("password authentication failed (28P01)")

    boot.dependency("db", db, retry=DEADLINE, recheck=None)
    async with clock.autojump(), boot.running(wait=False):
        status = await first(boot, lambda s: s.failed)
    assert status.nodes["db"].reason == "password authentication failed (28P01)"


async def test_in_test_mode_a_healing_dependency_is_retried_in_rounds_without_spinning() -> None:
    """Test mode caps each wait's attempts; healing pauses a capped interval between rounds."""
    boot, clock, _ = fake_boot()
    probe = ComesBack(clock, at=5)
    boot.dependency("db", probe, retry=DEADLINE, recheck=None)
    with test_mode(attempts=2):
        async with clock.autojump(), boot.running(wait=False):
            await first(boot, lambda s: s.ready)
    assert 5 <= clock.now() <= 5.25
    assert len(probe.times) <= 2 + 5 / 0.25 * 2 + 2
