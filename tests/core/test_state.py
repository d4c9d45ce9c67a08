"""Snapshots, readiness accounting, "why not ready" chains and subscriptions."""

from __future__ import annotations

import anyio
import pytest

from bootgate import NodeStatus, Phase, Progress
from bootgate._state import StateStore

pytestmark = pytest.mark.anyio


def store_of(*nodes: NodeStatus) -> StateStore:
    """A store whose boot began at time 0."""
    return StateStore("svc", nodes, now=0.0)


def chain_graph() -> StateStore:
    """db <- migrations <- default_tenant <- providers, and an optional cache on db."""
    return store_of(
        NodeStatus("db", "dependency"),
        NodeStatus("migrations", "step", ("db",)),
        NodeStatus("default_tenant", "step", ("migrations",)),
        NodeStatus("providers", "step", ("default_tenant",)),
        NodeStatus("cache", "step", ("db",), optional=True),
    )


def test_snapshot_is_shared_until_the_next_change() -> None:
    """Reading the status twice without a change returns the very same object."""
    store = chain_graph()
    first = store.snapshot()
    assert store.snapshot() is first
    store.update("db", 1.0, phase=Phase.WAITING)
    second = store.snapshot()
    assert second is not first
    assert second.seq == first.seq + 1
    assert first.nodes["db"].phase is Phase.PENDING


def test_ready_only_when_every_required_node_is() -> None:
    """Optional nodes do not count; startup completes once and stays completed."""
    store = chain_graph()
    for name in ("db", "migrations", "default_tenant"):
        store.update(name, 1.0, phase=Phase.READY)
    assert not store.ready
    store.update("providers", 2.0, phase=Phase.READY)
    snapshot = store.snapshot()
    assert snapshot.ready
    assert snapshot.started
    assert snapshot.health == "pass"
    store.update("db", 3.0, phase=Phase.WAITING)
    assert not store.ready
    assert store.snapshot().started


def test_health_warns_when_degraded_or_over_budget() -> None:
    """A degraded optional node or a blown budget turns pass into warn."""
    store = chain_graph()
    for name in ("db", "migrations", "default_tenant", "providers"):
        store.update(name, 1.0, phase=Phase.READY)
    store.update("cache", 1.0, phase=Phase.DEGRADED)
    assert store.snapshot().health == "warn"


def test_stopping_drops_readiness() -> None:
    """Once shutdown begins the service is not ready, whatever its nodes say."""
    store = store_of(NodeStatus("a", "step", phase=Phase.READY))
    store.set_flags(1.0)
    assert store.ready
    store.set_flags(2.0, stopping=True)
    assert not store.snapshot().ready
    assert store.snapshot().blocking() == ("shutting down",)


def test_blocking_chain_walks_from_the_top_to_the_cause() -> None:
    """The chain reads from the furthest waiting dependent down to the root cause and its detail."""
    store = chain_graph()
    store.update(
        "db", 10.0, phase=Phase.WAITING, attempts=7, error="connection refused", next_retry_s=10.4
    )
    assert store.snapshot().blocking() == (
        "providers ← default_tenant ← migrations ← db: "
        "connection refused, attempt 7, next in 0.4 s",
    )


def test_blocking_chain_shows_progress_and_eta() -> None:
    """A running step is described by its progress."""
    store = chain_graph()
    store.update("db", 1.0, phase=Phase.READY)
    store.update("cache", 1.0, phase=Phase.READY)
    store.update(
        "migrations",
        2.0,
        phase=Phase.STARTING,
        progress=Progress(16, 25, "Migration0016", 64.0, 12.0),
    )
    assert store.snapshot().blocking() == (
        "providers ← default_tenant ← migrations: running 16/25 Migration0016, ETA 12.00s",
    )


def test_optional_nodes_alone_do_not_block() -> None:
    """A slow optional node with nothing required behind it is not a reason."""
    store = chain_graph()
    store.update("db", 1.0, phase=Phase.READY)
    store.update("cache", 1.0, phase=Phase.STARTING)
    assert store.snapshot().blocking() == ("providers ← default_tenant ← migrations: pending",)


def test_failed_required_node_is_reported_with_its_reason() -> None:
    """A failure shows as "failed: reason" and marks the startup as failed."""
    store = chain_graph()
    store.update("db", 1.0, phase=Phase.FAILED, reason="password authentication failed")
    assert store.failed
    (chain,) = store.snapshot().blocking()
    assert chain.endswith("db: failed: password authentication failed")


def test_critical_failure_makes_the_service_not_live() -> None:
    """Only a failed critical node turns liveness off."""
    store = store_of(NodeStatus("a", "step", critical=True), NodeStatus("b", "step"))
    store.update("b", 1.0, phase=Phase.FAILED)
    assert store.snapshot().live
    store.update("a", 1.0, phase=Phase.FAILED)
    assert not store.snapshot().live


async def test_slow_subscribers_get_the_latest_snapshot_only() -> None:
    """A subscriber that is not reading skips intermediate snapshots and ends when closed."""
    store = chain_graph()
    seen: list[int] = []
    stream = store.subscribe()
    seen.append((await anext(stream)).seq)
    for i in range(5):
        store.update("db", float(i), attempts=i)
    seen.append((await anext(stream)).seq)
    store.set_flags(9.0, closed=True)
    async for snapshot in stream:
        seen.append(snapshot.seq)
    assert seen == [0, 5, 6]


async def test_subscribers_are_woken_by_changes() -> None:
    """A waiting subscriber receives each change as it happens."""
    store = chain_graph()
    phases: list[Phase] = []

    async def follow() -> None:
        async for snapshot in store.subscribe():
            phases.append(snapshot.nodes["db"].phase)

    async with anyio.create_task_group() as tg:
        tg.start_soon(follow)
        await anyio.wait_all_tasks_blocked()
        store.update("db", 1.0, phase=Phase.WAITING)
        await anyio.wait_all_tasks_blocked()
        store.update("db", 2.0, phase=Phase.READY)
        await anyio.wait_all_tasks_blocked()
        store.set_flags(3.0, closed=True)
    assert phases == [Phase.PENDING, Phase.WAITING, Phase.READY, Phase.READY]


def test_eta_keeps_counting_down_between_reports() -> None:
    """An ETA reported at t=10 as 6 s is 2 s at t=14, and never below zero."""
    progress = Progress(1, 4, "m", 25.0, eta_s=6.0, reported_s=10.0)
    assert progress.eta_at(14.0) == 2.0
    assert progress.eta_at(30.0) == 0.0
    assert Progress(1, None).eta_at(5.0) is None
