"""Prometheus metrics from a real Boot, read back in the exposition format."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from bootgate import Boot, FakeClock, ProbeResult, Ready, Transient
from bootgate.integrations.prometheus import PrometheusHook

pytestmark = pytest.mark.anyio


def scripted(*answers: ProbeResult) -> Callable[[], Awaitable[ProbeResult]]:
    """A probe giving these answers in turn, then the last one for ever."""
    queue = list(answers)

    async def probe() -> ProbeResult:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return probe


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    """One sample's value, or None if there is no such sample."""
    return registry.get_sample_value(name, labels)


async def test_startup_metrics() -> None:
    """Attempts, retries, per-node durations, phases and readiness are all recorded."""
    registry = CollectorRegistry()
    clock = FakeClock()
    boot = Boot("api", clock=clock, hooks=[PrometheusHook(registry)])
    refused = Transient("connection refused")
    db = boot.dependency("db", scripted(refused, refused, Ready()), recheck=None)

    @boot.step(requires=[db])
    async def cache_sync() -> None:
        await clock.sleep(2.5)

    async with clock.autojump(), boot.running():
        assert value(registry, "bootgate_ready", service="api") == 1
        node = {"service": "api", "node": "db"}
        assert value(registry, "bootgate_attempts_total", **node) == 3
        assert value(registry, "bootgate_retries_total", **node) == 2
        sync = {"service": "api", "node": "cache_sync"}
        assert value(registry, "bootgate_node_duration_seconds", **sync) == pytest.approx(2.5)
        assert value(registry, "bootgate_node_ready", **sync) == 1
        assert value(registry, "bootgate_node_phase", phase="ready", **sync) == 1
        assert value(registry, "bootgate_node_phase", phase="starting", **sync) == 0
        startup = value(registry, "bootgate_startup_seconds", service="api")
        assert startup is not None
        assert startup >= 2.5
    assert value(registry, "bootgate_ready", service="api") == 0
    text = generate_latest(registry).decode()
    assert 'bootgate_ready{service="api"} 0.0' in text


async def test_a_lost_dependency_lowers_ready_until_it_is_back() -> None:
    """After startup, a lost required dependency sets ready to 0 and counts; its return sets 1."""
    registry = CollectorRegistry()
    clock = FakeClock()
    boot = Boot("api", clock=clock, hooks=[PrometheusHook(registry, namespace="svc")])
    lost = Transient("connection reset")
    boot.dependency("db", scripted(Ready(), lost, Ready()), recheck=1.0)
    async with boot.running():
        assert value(registry, "svc_ready", service="api") == 1
        clock.advance(1.0)
        await anyio.wait_all_tasks_blocked()
        assert value(registry, "svc_lost_total", service="api", node="db") == 1
        assert value(registry, "svc_ready", service="api") == 0
        for _ in range(20):
            clock.advance(0.1)
            await anyio.wait_all_tasks_blocked()
        assert value(registry, "svc_ready", service="api") == 1
