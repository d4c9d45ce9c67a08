"""Prometheus metrics read back from a real prometheus_client registry."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bootgate import Ready, Retry, StepContext, Transient
from bootgate.integrations.prometheus import PrometheusMetrics
from tests.core.helpers import fake_boot

pytestmark = pytest.mark.anyio


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    """One sample's value from the registry."""
    return registry.get_sample_value(name, labels)


async def test_durations_attempts_phases_and_readiness() -> None:
    """After startup: per-node duration and attempts, phases, readiness and startup time."""
    registry = CollectorRegistry()
    boot, clock, _ = fake_boot("gateway")
    PrometheusMetrics(boot, registry=registry)
    answers: Iterator[Ready | Transient] = iter(
        [Transient("refused"), Transient("refused"), Ready()]
    )

    async def db() -> Ready | Transient:
        return next(answers)

    boot.dependency("db", db, recheck=None)

    @boot.step(requires=["db"], budget="5s")
    async def cache(ctx: StepContext) -> None:
        await clock.sleep(8)

    assert sample(registry, "bootgate_ready", service="gateway") == 0
    async with clock.autojump(), boot.running():
        labels = {"service": "gateway", "node": "cache"}
        assert sample(registry, "bootgate_ready", service="gateway") == 1
        assert sample(registry, "bootgate_started", service="gateway") == 1
        assert sample(registry, "bootgate_node_duration_seconds", **labels) == 8
        assert sample(registry, "bootgate_node_over_budget_total", **labels) == 1
        assert sample(registry, "bootgate_node_attempts_total", service="gateway", node="db") == 3
        assert sample(registry, "bootgate_node_phase", phase="ready", **labels) == 1
        assert sample(registry, "bootgate_node_phase", phase="starting", **labels) == 0
        startup = sample(registry, "bootgate_startup_seconds", service="gateway")
        assert startup is not None
        assert 8 < startup < 8.2
    assert sample(registry, "bootgate_ready", service="gateway") == 0


def scrape(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    """The exposition text parsed by prometheus_client's own parser: (sample, node) -> value."""
    text = generate_latest(registry).decode()
    return {
        (s.name, s.labels.get("node", "")): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_time_left_and_overdue_move_between_events() -> None:
    """Scraped later without any event: time left shrinks, a stalled step's overdue grows."""
    registry = CollectorRegistry()
    boot, clock, _ = fake_boot("gateway")
    PrometheusMetrics(boot, registry=registry)
    go = anyio.Event()

    async def db() -> Transient:
        return Transient("connection refused")

    boot.dependency("db", db, retry=Retry(timeout=60), recheck=None)

    @boot.step
    async def migrations(ctx: StepContext) -> None:
        await clock.sleep(2)
        ctx.progress(2, 10, "Migration0002")
        await go.wait()

    await boot.start(wait=False)
    try:
        while boot.status().nodes["migrations"].progress is None:
            clock.advance(0.5)
            await anyio.wait_all_tasks_blocked()
        first = scrape(registry)
        assert first[("bootgate_node_overdue_seconds", "migrations")] == 0.0
        left = first[("bootgate_node_time_left_seconds", "db")]
        assert 57 <= left <= 58.5
        boot.warn("migrations", "slow", lasts=100)
        clock.advance(10)  # no event: only the reading moves
        later = scrape(registry)
        assert later[("bootgate_node_overdue_seconds", "migrations")] == pytest.approx(2.0)
        assert later[("bootgate_node_time_left_seconds", "db")] == pytest.approx(left - 10)
        assert later[("bootgate_node_warnings", "migrations")] == 1
        assert later[("bootgate_node_warnings", "db")] == 0
        assert ("bootgate_node_time_left_seconds", "migrations") not in later  # no deadline
        families = {name for name, _ in later}
        assert {
            "bootgate_ready",
            "bootgate_started",
            "bootgate_node_phase",
            "bootgate_node_attempts_total",
        } <= families
    finally:
        go.set()
        await boot.stop()
