"""Snapshots read later say what is true then: ETAs count down and go overdue, deadlines show
the time left, warnings stop being current; nothing else changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootgate import ConfigError, EventKind, NodeStatus, NodeWarning, Phase, Progress, Retry
from bootgate._state import StateStore

from .helpers import fake_boot

pytestmark = pytest.mark.anyio


def store_of(*nodes: NodeStatus) -> StateStore:
    """A store whose boot began at clock reading 100 (so clock and boot time differ)."""
    return StateStore("svc", nodes, now=100.0)


def migrating() -> StateStore:
    """A step that reported 2/10 at 2 s into its attempt, 1 s after the boot began."""
    store = store_of(NodeStatus("migrations", "step"))
    store.attempt_began("migrations", 101.0, attempt=1)
    store.progressed("migrations", 103.0, Progress.measure(2, 10, "Migration0002", 2.0, 3.0))
    return store


def test_an_eta_counts_down_and_then_says_overdue() -> None:
    """ETA 8 s at the report; 5 s later 3 s; 8.5 s later overdue by 0.5 s, by 10 s at 18 s."""
    status = migrating().snapshot()
    assert status.explain("migrations") == "running 2/10 Migration0002, ETA 8.00s"
    assert status.at(8.0).explain("migrations") == "running 2/10 Migration0002, ETA 3.00s"
    assert status.at(11.5).explain("migrations") == "running 2/10 Migration0002, overdue by 500ms"
    later = status.at(21.0)
    assert later.explain("migrations") == "running 2/10 Migration0002, overdue by 10.00s"
    assert later.blocking() == ("migrations: running 2/10 Migration0002, overdue by 10.00s",)
    progress = later.nodes["migrations"].progress
    assert progress is not None
    assert progress.eta_at(later.at_s) == 0.0
    assert progress.overdue_at(later.at_s) == 10.0
    assert progress.unit_s() == 1.0  # 2 units in 2 s


def test_as_of_reads_the_boot_clock() -> None:
    """`as_of(clock_now)` is `at(clock_now - began)`; a reading at one instant is one object."""
    status = migrating().snapshot()
    assert status.began_clock == 100.0
    later = status.as_of(110.0)
    assert later.at_s == 10.0
    assert status.as_of(110.0) is later
    assert later.seq == status.seq
    assert later.nodes is status.nodes
    assert status.at(1.0) is status  # never earlier than it was taken


def test_a_snapshot_without_its_clock_reading_is_not_moved() -> None:
    """A snapshot made by hand has no clock reading: as_of leaves it as it is."""
    status = migrating().snapshot()
    from dataclasses import replace

    bare = replace(status, began_clock=None)
    assert bare.as_of(1e6) is bare


def test_the_deadline_shows_as_time_left() -> None:
    """A waiting dependency says when it gives up, counting down as the snapshot is read later."""
    store = store_of(NodeStatus("db", "dependency"), NodeStatus("api", "step", ("db",)))
    store.attempt_began("db", 101.0, attempt=7, deadline_s=61.0)
    store.attempt_failed("db", 109.0, error="connection refused", next_retry_s=9.4)
    status = store.snapshot()
    assert status.blocking() == (
        "api ← db: connection refused, attempt 7, next in 0.4 s, gives up in 52 s",
    )
    assert status.at(55.0).explain("db").endswith("gives up in 6.0 s")
    assert status.at(61.0).explain("db").endswith("gives up after this attempt")


def test_readiness_and_failure_clear_the_deadline() -> None:
    """A node that is ready or has given up has no deadline any more."""
    store = store_of(NodeStatus("db", "dependency"), NodeStatus("cache", "dependency"))
    store.attempt_began("db", 101.0, attempt=1, deadline_s=61.0)
    store.attempt_began("cache", 101.0, attempt=1, deadline_s=61.0)
    store.became_ready("db", 102.0, duration_s=1.0)
    store.gave_up("cache", 161.0, reason="connection refused")
    nodes = store.snapshot().nodes
    assert nodes["db"].deadline_s is None
    assert nodes["cache"].deadline_s is None


def test_a_step_waiting_for_its_lock_does_not_claim_to_give_up() -> None:
    """Its deadline stops only retries, so the lock wait shows none; a retry shows it."""
    store = store_of(NodeStatus("migrations", "step"))
    store.attempt_began("migrations", 100.0, attempt=1, deadline_s=30.0)
    store.waits_for_lock("migrations", 101.0, holder="lock m held by host-b pid 1 for 1 s")
    assert "gives up" not in store.snapshot().explain("migrations")
    store.attempt_failed("migrations", 102.0, error="boom", next_retry_s=3.0)
    assert store.snapshot().explain("migrations").endswith("next in 1.0 s, gives up in 28 s")


def test_a_warning_until_done_stops_being_current_when_the_node_is_done() -> None:
    """Over budget: warn while the optional node runs, pass once it is ready, fact kept."""
    store = store_of(NodeStatus("core", "step"), NodeStatus("cache", "step", optional=True))
    store.became_ready("core", 101.0, duration_s=1.0)
    store.attempt_began("cache", 101.0, attempt=1)
    warning = NodeWarning("not ready after its budget of 5.00s", 6.0)
    store.ran_over_budget("cache", 106.0, warning=warning)
    assert store.snapshot().health == "warn"
    assert store.snapshot().at(1000.0).health == "warn"  # still running: still current
    store.became_ready("cache", 107.0, duration_s=6.0)
    status = store.snapshot()
    assert status.health == "pass"
    assert status.nodes["cache"].warnings == (warning,)
    assert status.nodes["cache"].over_budget


def test_a_timed_warning_is_current_until_its_time() -> None:
    """A warning with `until_s` makes the health warn until then, and the snapshot moves."""
    store = store_of(NodeStatus("db", "dependency"))
    store.became_ready("db", 101.0, duration_s=1.0)
    assert not store.snapshot().moves()
    store.warned("db", 102.0, warning=NodeWarning("slow", 2.0, until_s=302.0))
    status = store.snapshot()
    assert status.health == "warn"
    assert status.moves()
    assert status.at(301.9).health == "warn"
    assert status.at(302.0).health == "pass"
    assert not status.at(302.0).moves()


@given(
    eta=st.floats(0, 1e6),
    reported=st.floats(0, 1e6),
    later=st.floats(0, 1e6),
)
def test_eta_and_overdue_add_up(eta: float, reported: float, later: float) -> None:
    """At any later instant, ETA left + overdue = |time since the report - ETA|, one of them 0."""
    progress = Progress(1, 2, "", 50.0, eta, reported)
    at = reported + later
    left = progress.eta_at(at)
    late = progress.overdue_at(at)
    assert left is not None
    if late is None:
        assert left == pytest.approx(max(eta - later, 0.0), abs=1e-6)
    else:
        assert left == 0.0
        assert late == pytest.approx(later - eta, abs=1e-6)
        assert late > 0


async def test_boot_warn_puts_a_warning_in_the_status_and_logs_it() -> None:
    """Boot.warn: a `warning` event, the node's warnings, warn for `lasts`, then pass."""
    boot, clock, events = fake_boot()
    boot.step(name="cache")(lambda: None)
    async with clock.autojump(), boot.running() as status:
        assert status.health == "pass"
        boot.warn("cache", "took 9.1 s, 3.4x its median", lasts="1m")
        now = boot.status()
        assert now.health == "warn"
        [warning] = now.nodes["cache"].warnings
        assert warning.message == "took 9.1 s, 3.4x its median"
        assert warning.until_s == pytest.approx(now.at_s + 60.0)
        assert now.as_of(clock.now() + 61).health == "pass"
    [event] = [e for e in events.events if e.kind is EventKind.WARNING]
    assert event.message == "took 9.1 s, 3.4x its median"
    assert event.node is not None
    assert event.node.warnings == (warning,)


async def test_boot_warn_refuses_unknown_nodes_and_a_boot_not_running() -> None:
    """A warning needs a running boot and one of its nodes."""
    boot, clock, _ = fake_boot()
    boot.step(name="cache")(lambda: None)
    with pytest.raises(ConfigError, match="not running"):
        boot.warn("cache", "x")
    async with clock.autojump(), boot.running():
        with pytest.raises(ConfigError, match="no such node"):
            boot.warn("nope", "x")


def test_node_names_may_not_hold_a_colon() -> None:
    """health+json keys are component:measurement, so a colon in a name is refused."""
    boot, _, _ = fake_boot()
    with pytest.raises(ConfigError, match="may not contain ':'"):
        boot.step(name="db:primary")(lambda: None)
    with pytest.raises(ConfigError, match="may not contain ':'"):
        boot.dependency("a:b", "tcp://127.0.0.1:1")


async def test_version_and_release_reach_the_status() -> None:
    """Boot(version=, release_id=) are in every snapshot."""
    from bootgate import Boot, FakeClock

    clock = FakeClock()
    boot = Boot("svc", clock=clock, hooks=[], version="1.4.2", release_id="1.4.2-7-gabc")
    boot.step(name="a")(lambda: None)
    async with clock.autojump(), boot.running() as status:
        assert (status.version, status.release_id) == ("1.4.2", "1.4.2-7-gabc")


async def test_a_retrying_step_with_a_timeout_shows_its_deadline() -> None:
    """A step retried under Retry(timeout=) counts down to the moment it gives up."""
    boot, clock, _ = fake_boot()
    seen: list[str] = []

    @boot.step(retry=Retry(attempts=None, timeout=30, interval=1, max_interval=1, jitter="none"))
    async def flaky() -> None:
        raise OSError("not yet")

    async with clock.autojump():
        await boot.start(wait=False)
        try:
            while boot.status().nodes["flaky"].phase is not Phase.RETRYING:
                await clock.sleep(0.1)
            status = boot.status()
            seen.append(status.explain("flaky"))
            assert status.nodes["flaky"].deadline_s == 30.0
        finally:
            await boot.stop()
    assert seen[0].startswith("OSError: not yet, attempt 1, next in 1.0 s, gives up in 30 s")
