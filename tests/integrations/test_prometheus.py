"""Prometheus metrics read back from a real prometheus_client registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from bootgate import Ready, StepContext, Transient
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
