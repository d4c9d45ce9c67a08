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
    store.attempt_began("db", 1.0, attempt=1)
    second = store.snapshot()
    assert second is not first
    assert second.seq == first.seq + 1
    assert first.nodes["db"].phase is Phase.PENDING


def test_ready_only_when_every_required_node_is() -> None:
    """Optional nodes do not count; startup completes once and stays completed."""
    store = chain_graph()
    for name in ("db", "migrations", "default_tenant"):
        store.became_ready(name, 1.0, duration_s=1.0)
    assert not store.ready
    store.became_ready("providers", 2.0, duration_s=1.0)
    snapshot = store.snapshot()
    assert snapshot.ready
    assert snapshot.started
    assert snapshot.health == "pass"
    store.was_lost("db", 3.0, error="connection refused")
    assert not store.ready
    assert store.snapshot().started


def test_health_warns_when_degraded_or_over_budget() -> None:
    """A degraded optional node or a blown budget turns pass into warn."""
    store = chain_graph()
    for name in ("db", "migrations", "default_tenant", "providers"):
        store.became_ready(name, 1.0, duration_s=1.0)
    store.gave_up("cache", 1.0, reason="OSError: port in use")
    assert store.phase("cache") is Phase.DEGRADED
    assert store.snapshot().health == "warn"


def test_stopping_drops_readiness() -> None:
    """Once shutdown begins the service is not ready, whatever its nodes say."""
    store = store_of(NodeStatus("a", "step", phase=Phase.READY))
    assert store.ready
    store.begin_stopping(2.0)
    assert not store.snapshot().ready
    assert store.snapshot().blocking() == ("shutting down",)


def test_blocking_chain_walks_from_the_top_to_the_cause() -> None:
    """The chain reads from the furthest waiting dependent down to the root cause and its detail."""
    store = chain_graph()
    store.attempt_began("db", 9.9, attempt=7)
    store.attempt_failed("db", 10.0, error="connection refused", next_retry_s=10.4)
    assert store.snapshot().blocking() == (
        "providers ← default_tenant ← migrations ← db: "
        "connection refused, attempt 7, next in 0.4 s",
    )


def test_blocking_chain_shows_progress_and_eta() -> None:
    """A running step is described by its progress."""
    store = chain_graph()
    store.became_ready("db", 1.0, duration_s=1.0)
    store.became_ready("cache", 1.0, duration_s=0.0)
    store.attempt_began("migrations", 2.0, attempt=1)
    store.progressed("migrations", 2.0, Progress(16, 25, "Migration0016", 64.0, 12.0))
    assert store.snapshot().blocking() == (
        "providers ← default_tenant ← migrations: running 16/25 Migration0016, ETA 12.00s",
    )


def test_optional_nodes_alone_do_not_block() -> None:
    """A slow optional node with nothing required behind it is not a reason."""
    store = chain_graph()
    store.became_ready("db", 1.0, duration_s=1.0)
    store.attempt_began("cache", 1.0, attempt=1)
    assert store.snapshot().blocking() == ("providers ← default_tenant ← migrations: pending",)


def test_failed_required_node_is_reported_with_its_reason() -> None:
    """A failure shows as "failed: reason" and marks the startup as failed."""
    store = chain_graph()
    store.gave_up("db", 1.0, reason="password authentication failed")
    assert store.failed
    (chain,) = store.snapshot().blocking()
    assert chain.endswith("db: failed: password authentication failed")


def test_critical_failure_makes_the_service_not_live() -> None:
    """Only a failed critical node turns liveness off."""
    store = store_of(NodeStatus("a", "step", critical=True), NodeStatus("b", "step"))
    store.gave_up("b", 1.0, reason="no")
    assert store.snapshot().live
    store.gave_up("a", 1.0, reason="no")
    assert not store.snapshot().live


async def test_slow_subscribers_get_the_latest_snapshot_only() -> None:
    """A subscriber that is not reading skips intermediate snapshots and ends when closed."""
    store = chain_graph()
    seen: list[int] = []
    stream = store.subscribe()
    seen.append((await anext(stream)).seq)
    for i in range(5):
        store.attempt_began("db", float(i), attempt=i + 1)
    seen.append((await anext(stream)).seq)
    store.close(9.0)
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
        store.attempt_began("db", 1.0, attempt=1)
        await anyio.wait_all_tasks_blocked()
        store.became_ready("db", 2.0, duration_s=1.0)
        await anyio.wait_all_tasks_blocked()
        store.close(3.0)
    assert phases == [Phase.PENDING, Phase.WAITING, Phase.READY, Phase.READY]


def test_eta_keeps_counting_down_between_reports() -> None:
    """An ETA reported at t=10 as 6 s is 2 s at t=14, and never below zero."""
    progress = Progress(1, 4, "m", 25.0, eta_s=6.0, reported_s=10.0)
    assert progress.eta_at(14.0) == 2.0
    assert progress.eta_at(30.0) == 0.0
    assert Progress(1, None).eta_at(5.0) is None


def test_a_failed_attempt_retries_a_step_but_leaves_a_dependency_waiting() -> None:
    """After a failed attempt a step is `retrying`, a dependency still `waiting`, with the error."""
    store = chain_graph()
    store.attempt_began("db", 1.0, attempt=1)
    store.attempt_failed("db", 1.1, error="connection refused", next_retry_s=1.3)
    store.became_ready("db", 1.3, duration_s=0.3)
    store.attempt_began("migrations", 2.0, attempt=1)
    store.attempt_failed("migrations", 2.5, error="OSError: locked", next_retry_s=3.0)
    nodes = store.snapshot().nodes
    assert (nodes["db"].phase, nodes["db"].error, nodes["db"].next_retry_s) == (
        Phase.READY,
        None,
        None,
    )
    assert nodes["migrations"].phase is Phase.RETRYING
    assert nodes["migrations"].error == "OSError: locked"
    assert nodes["migrations"].started_s == 2.0


def test_started_is_the_first_attempt_and_progress_is_per_attempt() -> None:
    """A retry keeps the node's start time but clears the previous attempt's progress."""
    store = chain_graph()
    store.attempt_began("migrations", 2.0, attempt=1)
    store.progressed("migrations", 3.0, Progress(1, 2))
    store.attempt_began("migrations", 5.0, attempt=2)
    node = store.node("migrations")
    assert (node.started_s, node.attempts, node.progress) == (2.0, 2, None)


def test_blocked_optional_nodes_degrade_and_shutdown_names_the_unfinished() -> None:
    """was_blocked degrades an optional node; stopped(why=) gives a reason only where none was."""
    store = chain_graph()
    store.gave_up("db", 1.0, reason="refused")
    store.was_blocked("cache", 1.0, reason="cache requires db, but db failed: refused")
    store.was_blocked("migrations", 1.0, reason="migrations requires db, but db failed: refused")
    assert store.phase("cache") is Phase.DEGRADED
    assert store.phase("migrations") is Phase.BLOCKED
    store.stopped(["db", "providers"], 2.0, why="shut down before it was ready")
    nodes = store.snapshot().nodes
    assert nodes["db"].reason == "refused"
    assert nodes["providers"].reason == "shut down before it was ready"
    assert nodes["providers"].phase is Phase.STOPPED


def test_explain_says_where_a_node_is() -> None:
    """Status.explain names a pending node's unmet requirements and a waiting one's error."""
    store = chain_graph()
    store.attempt_began("db", 1.0, attempt=3)
    store.attempt_failed("db", 1.0, error="connection refused", next_retry_s=1.5)
    status = store.snapshot()
    assert status.explain("migrations") == "waiting for db"
    assert status.explain("db") == "connection refused, attempt 3, next in 0.5 s"
