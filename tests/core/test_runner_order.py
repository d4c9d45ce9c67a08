"""The engine runs nodes in dependency order, concurrently, on the critical path."""

from __future__ import annotations

import threading

import anyio
import anyio.lowlevel
import pytest

from bootgate import Boot, ConfigError, CycleError, Phase, StepContext

from .helpers import fake_boot

pytestmark = pytest.mark.anyio


async def test_each_node_starts_the_moment_its_requirements_are_ready() -> None:
    """Startup takes the critical path (6 s here), not the sum of its steps (9 s)."""
    boot, clock, _ = fake_boot()
    started: dict[str, float] = {}

    def timed(name: str, seconds: float, requires: list[str]) -> None:
        async def run() -> None:
            started[name] = clock.now()
            await clock.sleep(seconds)

        boot.step(name=name, requires=requires)(run)

    timed("a", 1, [])
    timed("b", 2, ["a"])
    timed("c", 5, [])
    timed("d", 1, ["b", "c"])
    async with clock.autojump(), boot.running() as status:
        assert status.ready
        assert clock.now() == 6
    assert started == {"a": 0, "c": 0, "b": 1, "d": 5}


async def test_values_flow_to_dependents() -> None:
    """A step's return value is what its dependents get from ctx.result()."""
    boot, clock, _ = fake_boot()

    @boot.step
    async def tenant() -> int:
        return 42

    @boot.step(requires=[tenant])
    async def providers(ctx: StepContext) -> str:
        return f"tenant {ctx.result('tenant')}"

    @boot.step(requires=["providers"])
    async def check(ctx: StepContext) -> None:
        assert ctx.result("providers") == "tenant 42"
        with pytest.raises(LookupError, match="not ready"):
            ctx.result("nonexistent")

    async with clock.autojump(), boot.running() as status:
        assert status.nodes["check"].phase is Phase.READY


async def test_sync_steps_run_in_a_worker_thread_and_report_progress() -> None:
    """A plain function runs off the event loop; its progress calls still reach the status."""
    boot, clock, _ = fake_boot()
    loop_thread = threading.get_ident()
    threads: list[int] = []

    @boot.step
    def load(ctx: StepContext) -> str:
        threads.append(threading.get_ident())
        for i in range(1, 4):
            ctx.progress(i, 3, f"file{i}")
        return "loaded"

    async with clock.autojump(), boot.running() as status:
        node = status.nodes["load"]
    assert threads
    assert threads[0] != loop_thread
    assert node.progress is not None
    assert (node.progress.done, node.progress.total, node.progress.percent) == (3, 3, 100.0)
    assert node.progress.text() == "3/3 file3"


async def test_progress_yields_an_eta_from_the_rate_so_far() -> None:
    """After 1 of 4 items in 2 s, the ETA for the remaining 3 is 6 s."""
    boot, clock, _ = fake_boot()
    etas: list[float | None] = []

    @boot.step
    async def migrations(ctx: StepContext) -> None:
        await clock.sleep(2)
        ctx.progress(1, 4, "Migration0001")
        node = boot.status().nodes["migrations"]
        assert node.progress is not None
        etas.append(node.progress.eta_s)
        assert "running 1/4 Migration0001, ETA 6.00s" in boot.status().blocking()[0]

    async with clock.autojump(), boot.running():
        pass
    assert etas == [6.0]


async def test_invalid_graph_fails_before_anything_runs() -> None:
    """A cycle is reported when the boot runs, and no step has been called."""
    boot, _clock, _ = fake_boot()
    calls: list[str] = []

    @boot.step(requires=["b"])
    async def a() -> None:
        calls.append("a")

    @boot.step(requires=[a])
    async def b() -> None:
        calls.append("b")

    with pytest.raises(CycleError, match="a -> b -> a"):
        async with boot.running():
            pass
    assert calls == []


async def test_declaring_rejects_bad_requirements_and_late_nodes() -> None:
    """requires= takes handles or names; nodes cannot be added while running."""
    boot, clock, _ = fake_boot()
    with pytest.raises(ConfigError, match="requires= takes"):
        boot.step(requires=[3])(lambda: None)  # type: ignore[list-item]

    @boot.step
    async def only() -> None:
        pass

    async with clock.autojump(), boot.running():
        with pytest.raises(ConfigError, match="is running"):
            boot.step(name="late")(lambda: None)


async def test_start_and_stop_split_running_for_frameworks_with_two_hooks() -> None:
    """start() returns once ready; stop() tears down; status() tells the story after."""
    boot, clock, _ = fake_boot()
    torn: list[str] = []

    @boot.step
    async def pool():  # type: ignore[no-untyped-def]
        yield "pool"
        torn.append("pool")

    async with clock.autojump():
        status = await boot.start()
        assert status.ready
        assert boot.ready
        await boot.stop()
    assert torn == ["pool"]
    assert not boot.status().ready
    assert boot.status().nodes["pool"].phase is Phase.STOPPED


async def test_the_same_boot_can_run_again() -> None:
    """After a run has shut down, running() starts a fresh run."""
    boot, clock, _ = fake_boot()
    runs: list[int] = []

    @boot.step
    async def count() -> None:
        runs.append(1)

    async with clock.autojump():
        async with boot.running():
            pass
        async with boot.running() as status:
            assert status.ready
    assert runs == [1, 1]


def test_real_clock_end_to_end() -> None:
    """One short run on the real clock and the asyncio backend, as users run it."""
    boot = Boot("real", hooks=[])

    @boot.step
    async def quick() -> str:
        await anyio.lowlevel.checkpoint()
        return "done"

    async def main() -> bool:
        async with boot.running() as status:
            return status.ready

    assert anyio.run(main)
